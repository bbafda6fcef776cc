// rights-market classroom: shared helpers (WebSocket client, formatting, safe DOM building).
// Plain JavaScript, no libraries. Text from the server is always set as text, never parsed as HTML.
"use strict";

const RM = (() => {
  // ---------------------------------------------------------------- formatting
  const TICKS = 10000;

  // Price in ticks (0.0001 yuan per base unit) -> yuan with 2 to 4 decimals.
  function price(ticks) {
    if (ticks === null || ticks === undefined) return "—";
    const neg = ticks < 0;
    const a = Math.abs(Math.round(ticks));
    const whole = Math.floor(a / TICKS);
    let frac = String(a % TICKS).padStart(4, "0").replace(/0+$/, "");
    while (frac.length < 2) frac += "0";
    return (neg ? "-" : "") + whole.toLocaleString("en-US") + "." + frac;
  }

  // Money in fen -> yuan with 2 decimals and thousands separators.
  function money(fen) {
    if (fen === null || fen === undefined) return "—";
    const neg = fen < 0;
    const a = Math.abs(Math.round(fen));
    const s = Math.floor(a / 100).toLocaleString("en-US") + "." + String(a % 100).padStart(2, "0");
    return (neg ? "−" : "") + s;
  }

  function qty(n) {
    return n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US");
  }

  // Session clock in ms -> m:ss.
  function clock(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  // A yuan text typed by a person -> a clean decimal string or null (at most 4 decimals, positive).
  function yuanText(text) {
    const t = String(text).trim();
    if (!/^\d+(\.\d{1,4})?$/.test(t)) return null;
    if (Number(t) <= 0) return null;
    return t;
  }

  // ---------------------------------------------------------------- DOM
  // h("td", {class: "r"}, "text", child...) builds an element; strings become text nodes.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") el.className = v;
        else if (k === "style") el.style.cssText = v;  // CSSOM: allowed by the page's CSP
        else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
        else if (k === "dataset") Object.assign(el.dataset, v);
        else el.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function $(id) { return document.getElementById(id); }

  function fill(id, ...children) {
    const el = $(id);
    if (el) el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
    return el;
  }

  // Rebuild an element's content only when the data it shows changed (keeps clicks and typing undisturbed).
  const shown = {};
  function render(id, data, build) {
    const key = JSON.stringify(data);
    if (shown[id] === key) return false;
    shown[id] = key;
    fill(id, build());
    return true;
  }

  function setText(id, text) {
    const el = $(id);
    if (el && el.textContent !== String(text)) el.textContent = String(text);
  }

  function table(headers, rows, opts) {
    const o = opts || {};
    const head = h("tr", null, headers.map((x) => h("th", { class: x.r ? "r" : null }, x.t)));
    const body = rows.length ? rows : [h("tr", null, h("td", { colspan: headers.length, class: "hint" }, o.empty || "nothing yet"))];
    return h("table", { id: o.id || null }, h("thead", null, head), h("tbody", null, body));
  }

  function message(id, text, kind) {
    const el = $(id);
    if (!el) return;
    el.textContent = text || "";
    el.className = "msg" + (kind ? " " + kind : "");
  }

  // ---------------------------------------------------------------- WebSocket
  // connect({hello: () => msg, onMessage, onStatus}) keeps a WebSocket open, reconnecting with back-off;
  // hello() is sent first on every (re)connection. Returns {send(obj) -> ref, close()}.
  function connect(opts) {
    let ws = null;
    let wait = 500;
    let closed = false;
    let seq = 0;
    function open() {
      const proto = location.protocol === "https:" ? "wss:" : "ws:";
      ws = new WebSocket(proto + "//" + location.host + "/ws");
      ws.addEventListener("open", () => {
        wait = 500;
        opts.onStatus && opts.onStatus("online");
        const hello = opts.hello();
        if (hello) ws.send(JSON.stringify(hello));
      });
      ws.addEventListener("message", (ev) => {
        let msg;
        try { msg = JSON.parse(ev.data); } catch (e) { return; }
        opts.onMessage(msg);
      });
      ws.addEventListener("close", () => {
        opts.onStatus && opts.onStatus("offline");
        if (!closed) setTimeout(open, wait);
        wait = Math.min(wait * 2, 8000);
      });
    }
    open();
    return {
      send(obj) {
        const ref = "r" + (++seq);
        if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(Object.assign({ ref }, obj)));
        else return null;
        return ref;
      },
      close() { closed = true; if (ws) ws.close(); },
    };
  }

  // A running clock between snapshots: the server's clock_ms plus the time since it arrived.
  function liveClock(state, receivedAt) {
    if (!state) return 0;
    let ms = state.clock_ms;
    if (state.status === "running") ms += performance.now() - receivedAt;
    if (state.period_open) ms = Math.min(ms, state.period_start_ms + state.period_seconds * 1000);
    return ms;
  }

  const REASONS = {
    market_closed: "the market is closed (between periods)",
    market_paused: "the market is paused by the trainer",
    session_finished: "the session is over",
    not_whole_lots: "the quantity must be a whole number of lots",
    off_tick: "the price is not on the price step",
    too_many_orders: "you have too many open orders; cancel some first",
    insufficient_cash: "not enough cash (some may be held by your open bids)",
    insufficient_rights: "not enough rights (some may be offered in your open asks)",
    below_floor: "the price is below the floor",
    above_ceiling: "the price is above the ceiling",
    non_positive: "the price and quantity must be positive",
    unknown_order: "no such order of yours",
    not_resting: "that order is no longer in the book",
    unknown_lot: "no such lot",
    listing_not_open: "registration has not opened yet",
    listing_closed: "registration is closed",
    already_registered: "you are already registered",
    not_bidding: "the lot is not in its bidding round",
    below_increment: "the bid must be at least the current price plus the increment",
    below_start: "the bid must be at least the start price",
    already_leading: "you already lead",
    not_registered: "only registered bidders may bid",
    round_closed: "the bidding round is over",
  };
  function reason(r) { return REASONS[r] || r; }

  return { price, money, qty, clock, yuanText, h, $, fill, render, setText, table, message, connect, liveClock, reason };
})();
