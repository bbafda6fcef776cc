// rights-market classroom: the price path on a <canvas>, drawn by hand (no chart library).
// Trades (dots; listing sales as squares) against the base price (dashed), the competitive equilibrium
// price range of the induced values (green band) and the periods (vertical lines). The price axis carries
// its unit (opts.axis, e.g. "yuan/m³") and the time axis the periods (opts.period + number).
"use strict";

const RMChart = (() => {
  const COLORS = { cda: "#0969da", listing: "#cf222e", base: "#bf8700", eq: "rgba(26,127,55,0.14)",
                   eqLine: "rgba(26,127,55,0.6)", grid: "#eaeef2", axis: "#57606a", period: "#d0d7de" };

  function niceStep(span, target) {
    const raw = span / Math.max(target, 1);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
    return 10 * mag;
  }

  // draw(canvas, s): s.path = [[t_ms, price_ticks, mechanism], ...], s.base_ticks, s.equilibrium,
  // s.periods, s.period_seconds, s.period_starts, s.clock_ms; opts = {axis, period} (labels).
  function draw(canvas, s, nowMs, opts) {
    const o = opts || {};
    const dpr = window.devicePixelRatio || 1;
    const cssW = canvas.clientWidth || 600;
    const cssH = canvas.clientHeight || 320;
    if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
    }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    const pad = { l: 56, r: 12, t: 24, b: 30 };
    const W = cssW - pad.l - pad.r;
    const H = cssH - pad.t - pad.b;
    const total = s.periods * s.period_seconds * 1000;
    const shown = Math.min(s.periods, Math.max(s.period, 0) + 1) * s.period_seconds * 1000;  // up to this period's end
    const xMax = Math.max(shown, nowMs || 0, 1);
    const prices = s.path.map((p) => p[1]);
    prices.push(s.base_ticks);
    if (s.equilibrium) prices.push(s.equilibrium.low, s.equilibrium.high);
    let lo = Math.min(...prices);
    let hi = Math.max(...prices);
    if (hi - lo < s.base_ticks * 0.2) { lo -= s.base_ticks * 0.1; hi += s.base_ticks * 0.1; }
    const span = hi - lo;
    lo = Math.max(0, lo - span * 0.08);
    hi = hi + span * 0.08;
    const x = (t) => pad.l + (t / xMax) * W;
    const y = (p) => pad.t + H - ((p - lo) / (hi - lo)) * H;

    // grid and price axis
    g.font = "11px system-ui, \"RM Sans SC\", sans-serif";
    g.fillStyle = COLORS.axis;
    g.strokeStyle = COLORS.grid;
    g.lineWidth = 1;
    const step = niceStep(hi - lo, 5);
    for (let p = Math.ceil(lo / step) * step; p <= hi; p += step) {
      g.beginPath(); g.moveTo(pad.l, y(p)); g.lineTo(pad.l + W, y(p)); g.stroke();
      g.textAlign = "right"; g.textBaseline = "middle";
      g.fillText(RM.price(Math.round(p)), pad.l - 6, y(p));
    }
    // periods
    g.strokeStyle = COLORS.period;
    g.textAlign = "left"; g.textBaseline = "top";
    for (let k = 0; k < s.periods && k * s.period_seconds * 1000 < xMax; k++) {
      const t0 = k * s.period_seconds * 1000;
      g.beginPath(); g.moveTo(x(t0), pad.t); g.lineTo(x(t0), pad.t + H); g.stroke();
      g.fillText((o.period || "P") + " " + (k + 1), x(t0) + 4, pad.t + H + 6);
    }
    if (total <= xMax) { g.beginPath(); g.moveTo(x(total), pad.t); g.lineTo(x(total), pad.t + H); g.stroke(); }
    // equilibrium band
    if (s.equilibrium) {
      const yh = y(s.equilibrium.high), yl = y(s.equilibrium.low);
      g.fillStyle = COLORS.eq;
      g.fillRect(pad.l, yh, W, Math.max(yl - yh, 2));
      g.strokeStyle = COLORS.eqLine;
      g.beginPath(); g.moveTo(pad.l, yh); g.lineTo(pad.l + W, yh); g.moveTo(pad.l, yl); g.lineTo(pad.l + W, yl); g.stroke();
    }
    // base price
    g.strokeStyle = COLORS.base;
    g.lineWidth = 1.5;
    g.setLineDash([6, 4]);
    g.beginPath(); g.moveTo(pad.l, y(s.base_ticks)); g.lineTo(pad.l + W, y(s.base_ticks)); g.stroke();
    g.setLineDash([]);
    // now
    if (nowMs) {
      g.strokeStyle = "rgba(9,105,218,0.35)";
      g.beginPath(); g.moveTo(x(nowMs), pad.t); g.lineTo(x(nowMs), pad.t + H); g.stroke();
    }
    // path
    g.strokeStyle = "rgba(9,105,218,0.45)";
    g.lineWidth = 1;
    g.beginPath();
    s.path.forEach((p, i) => { if (i) g.lineTo(x(p[0]), y(p[1])); else g.moveTo(x(p[0]), y(p[1])); });
    g.stroke();
    for (const p of s.path) {
      if (p[2] === "listing") {
        g.fillStyle = COLORS.listing;
        g.fillRect(x(p[0]) - 4, y(p[1]) - 4, 8, 8);
      } else {
        g.fillStyle = COLORS.cda;
        g.beginPath(); g.arc(x(p[0]), y(p[1]), 2.6, 0, 2 * Math.PI); g.fill();
      }
    }
    // axes and the price unit
    g.fillStyle = COLORS.axis;
    g.textAlign = "left"; g.textBaseline = "top";
    g.font = "600 12px system-ui, \"RM Sans SC\", sans-serif";
    g.fillText(o.axis || "yuan", 4, 4);
    g.strokeStyle = COLORS.axis;
    g.beginPath(); g.moveTo(pad.l, pad.t); g.lineTo(pad.l, pad.t + H); g.lineTo(pad.l + W, pad.t + H); g.stroke();
  }

  return { draw, COLORS };
})();
