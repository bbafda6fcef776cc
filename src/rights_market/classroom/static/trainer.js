// rights-market classroom: the trainer page. Controls, book, tape, price path, reserve, bands, seats.
"use strict";

(() => {
  const { h, $, fill, render: show, setText, table, message, price, money, qty, t } = RM;
  let joinLink = null;
  let token = null;
  let state = null;
  let receivedAt = 0;
  let conn = null;

  function tokenFromHash() {
    const m = /token=([^&]+)/.exec(location.hash || "");
    return m ? decodeURIComponent(m[1]) : null;
  }

  function hello() { return token ? { type: "trainer_hello", token } : null; }

  function onMessage(msg) {
    if (msg.type === "welcome") {
      $("auth").hidden = true;
      $("app").hidden = false;
      setText("join-code", msg.join_code);
      setText("join-code-2", msg.join_code);
      joinLink = msg.join_link || null;
      const qr = $("join-qr");
      if (msg.join_qr) { qr.src = msg.join_qr; qr.hidden = false; qr.dataset.link = msg.join_link; }
      joinHint();
    } else if (msg.type === "state") {
      state = msg;
      receivedAt = performance.now();
      render();
    } else if (msg.type === "ack") {
      const act = t("trainer." + msg.action);
      message("control-msg", `${act.startsWith("trainer.") ? msg.action : act}: ${RM.notice(msg, msg.note)}`, "ok");
    } else if (msg.type === "results") {
      message("control-msg", t("trainer.results_written", { path: msg.path }), "ok");
    } else if (msg.type === "error") {
      if (msg.code === "wrong_trainer_token") {
        $("auth").hidden = false;
        $("app").hidden = true;
        message("auth-msg", RM.notice(msg), "error");
        token = null;
      } else {
        message("control-msg", RM.notice(msg), "error");
      }
    }
  }

  function setStatus(online) {
    if (online === "offline") { const el = $("status"); el.textContent = RM.status("offline"); el.className = "badge offline"; }
  }

  function render() {
    const s = state;
    setText("title", s.name);
    setText("join-code", s.join_code);
    setText("join-code-2", s.join_code);
    joinHint();
    const st = $("status");
    st.textContent = RM.status(s.status);
    st.className = "badge " + s.status;
    setText("period", s.period >= 0 ? `${s.period + 1} / ${s.periods}` : `– / ${s.periods}`);
    const humans = s.seats.filter((x) => x.player === "human");
    const locked = s.join_locked_seconds > 0 ? t("trainer.locked", { seconds: s.join_locked_seconds }) : "";
    setText("people", t("trainer.people", { joined: humans.filter((x) => x.joined).length, seats: humans.length,
                                           online: humans.filter((x) => x.connected).length }) + locked);
    $("btn-start").disabled = s.status === "running" || s.status === "finished";
    $("btn-pause").disabled = s.status !== "running";
    $("btn-step").disabled = s.status === "running" || s.status === "finished";
    $("btn-finish").disabled = s.status === "finished";
    renderBook(s);
    renderTape(s);
    renderFeed(s);
    renderBands(s);
    renderReserve(s);
    renderLots(s);
    renderSeats(s);
    renderResults(s);
    tick();
  }

  function renderBook(s) {
    const u = RM.unitName(s.unit);
    setText("book-sub", t("book.trainer_sub", { last: price(s.last_price), base: price(s.base_ticks), unit: u }) +
      (s.floor_ticks > 100 ? t("book.floor", { price: price(s.floor_ticks) }) : ""));
    const all = s.depth.bids.concat(s.depth.asks).map((x) => x[1]);
    const most = Math.max(1, ...all);
    const n = Math.max(s.depth.bids.length, s.depth.asks.length);
    const rows = [];
    for (let i = 0; i < n; i++) {
      const b = s.depth.bids[i], a = s.depth.asks[i];
      rows.push(h("tr", null,
        h("td", { class: "r", style: b ? `background:linear-gradient(to left,#dafbe1 ${(100 * b[1] / most).toFixed(0)}%,transparent 0)` : null }, b ? qty(b[1]) : ""),
        h("td", { class: "r" }, h("span", { class: "buy" }, b ? price(b[0]) : "")),
        h("td", { class: "r" }, h("span", { class: "sell" }, a ? price(a[0]) : "")),
        h("td", { class: "r", style: a ? `background:linear-gradient(to right,#ffebe9 ${(100 * a[1] / most).toFixed(0)}%,transparent 0)` : null }, a ? qty(a[1]) : "")));
    }
    show("book", [s.depth, s.unit], () => table([{ t: `${t("side.bid")} ${u}`, r: 1 }, { t: t("side.bid"), r: 1 }, { t: t("side.ask"), r: 1 },
      { t: `${t("side.ask")} ${u}`, r: 1 }], rows, { id: "book-table", empty: t("book.empty") }));
  }

  function renderTape(s) {
    setText("tape-sub", t("tape.count", { count: s.path.length }));
    const u = RM.unitName(s.unit);
    const rows = s.tape.slice().reverse().map((x) => h("tr", null,
      h("td", null, RM.clock(x.t)), h("td", null, x.buyer), h("td", null, x.seller),
      h("td", { class: "r" }, qty(x.quantity)), h("td", { class: "r" }, price(x.price)), h("td", null, RM.mech(x.mechanism))));
    show("tape", [s.tape], () => table([{ t: t("col.time") }, { t: t("col.buyer") }, { t: t("col.seller") }, { t: u, r: 1 },
      { t: t("col.price_unit", { unit: u }), r: 1 }, { t: t("col.how") }], rows, { id: "tape-table", empty: t("tape.empty") }));
  }

  function renderFeed(s) {
    setText("feed-sub", t("feed.sub", { steps: s.steps }) + (s.next_event_ms !== null ? t("feed.next", { time: RM.clock(s.next_event_ms) }) : ""));
    const el = $("feed");
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 30;
    fill("feed", s.feed.map((f) => h("div", { class: f.kind }, h("span", { class: "t" }, RM.clock(f.t_ms)), RM.notice(f, f.text))));
    if (atBottom) el.scrollTop = el.scrollHeight;
  }

  function renderBands(s) {
    $("bands-card").hidden = !s.bands;
    if (!s.bands) return;
    const b = s.bands;
    const u = RM.unitName(s.unit);
    setText("bands-sub", t("bands.sub", { width: Number(b.width_share) * 100, step: Number(b.step_share) * 100, ref: price(b.reference_ticks) }));
    const rows = b.bands.map((x) => h("tr", null, h("td", null, t("bands.band_n", { n: x.band })), h("td", { class: "r" }, price(x.rate)),
      h("td", { class: "r" }, qty(x.quantity)), h("td", { class: "r" }, String(x.firms)), h("td", { class: "r" }, money(x.amount_fen))));
    if (b.abated) rows.push(h("tr", null, h("td", null, t("bands.abated")), h("td", null, ""), h("td", { class: "r" }, qty(b.abated)), h("td", null, ""), h("td", null, "")));
    fill("bands", table([{ t: t("bands.band") }, { t: t("bands.rate", { unit: u }), r: 1 }, { t: u, r: 1 }, { t: t("bands.firms"), r: 1 },
      { t: t("bands.amount"), r: 1 }], rows, { id: "bands-table", empty: t("bands.none", { firms: b.firms }) }));
  }

  function renderReserve(s) {
    const u = RM.unitName(s.unit);
    setText("reserve-sub", t("reserve.sub", { stock: qty(s.reserve_stock), unit: u, cash: money(s.reserve_cash_fen) }));
    const rows = s.reserve.slice().reverse().map((a) => h("tr", null, h("td", null, RM.clock(a.t_ms)), h("td", null, RM.action(a.action)),
      h("td", { class: "r" }, qty(a.quantity)), h("td", { class: "r" }, a.price ? price(a.price) : ""), h("td", null, a.reason.replace(/_/g, " "))));
    fill("reserve", table([{ t: t("col.time") }, { t: t("reserve.action") }, { t: u, r: 1 }, { t: t("col.price_unit", { unit: u }), r: 1 },
      { t: t("reserve.why") }], rows, { id: "reserve-table", empty: t("reserve.none") }));
  }

  function renderLots(s) {
    $("lots-card").hidden = !s.lots.length;
    fill("lots", s.lots.map((lot) => h("div", { class: "lot" },
      h("span", { class: "badge " + (lot.state === "bidding" ? "running" : "ready") + " state" }, lotState(lot.state)),
      h("strong", null, lot.name), t("lot.trainer_terms", { period: lot.period + 1, quantity: qty(lot.quantity), unit: RM.unitName(s.unit),
                                                            start: price(lot.start), step: price(lot.increment) }),
      h("div", { class: "hint" }, t("lot.trainer_now", { price: price(lot.price), leader: lot.leader || "—", registered: lot.registered, bids: lot.bids })),
      lot.state === "bidding" && lot.round_end_ms ? h("div", { class: "hint", "data-countdown": lot.round_end_ms }, "") : null)));
  }

  function lotState(st) {
    const text = t("lot.state." + st);
    return text.startsWith("lot.") ? st : text;
  }

  function renderSeats(s) {
    const rows = s.seats.map((x) => h("tr", { class: x.player === "human" && !x.joined ? "hint" : null },
      h("td", null, String(x.seat + 1)), h("td", null, x.name), h("td", null, x.role),
      h("td", null, x.player === "human" ? t("seats.human") : x.player),
      h("td", null, x.player === "human" ? t(x.connected ? "seats.online" : x.joined ? "seats.offline" : "seats.free") : t("seats.robot")),
      h("td", { class: "r" }, qty(x.holding)), h("td", { class: "r" }, money(x.cash_fen)),
      h("td", { class: "r" }, String(x.orders)), h("td", { class: "r" }, x.bill && x.joined ? money(x.bill.total_fen) : "—"),
      h("td", { class: "r" }, money(x.profit_period_fen)), h("td", { class: "r" }, money(x.profit_total_fen))));
    setText("seats-sub", t("seats.sub", { free: s.free_seats }));
    show("seats", s.seats, () => table([{ t: "#" }, { t: t("seats.name") }, { t: t("seats.role") }, { t: t("seats.player") }, { t: "" },
      { t: RM.unitName(s.unit), r: 1 }, { t: t("seats.cash"), r: 1 }, { t: t("seats.orders"), r: 1 }, { t: t("seats.bill"), r: 1 },
      { t: t("seats.profit_period"), r: 1 }, { t: t("seats.profit_total"), r: 1 }], rows, { id: "seats-table" }));
  }

  function renderResults(s) {
    setText("results-sub", s.results_dir ? t("results.written", { path: s.results_dir }) : "");
    const u = RM.unitName(s.unit);
    const rows = s.results.map((r) => h("tr", null, h("td", null, t("history.period", { n: r.period + 1 })), h("td", { class: "r" }, String(r.trades)),
      h("td", { class: "r" }, qty(r.volume)), h("td", { class: "r" }, r.volume ? price(Math.round(r.amount_fen * 100 / r.volume)) : "—"),
      h("td", { class: "r" }, r.equilibrium ? `${price(r.equilibrium.low)}–${price(r.equilibrium.high)}` : "—"),
      h("td", { class: "r" }, money(r.gains_fen)), h("td", { class: "r" }, money(r.max_gains_fen)),
      h("td", { class: "r" }, r.efficiency === null ? "—" : (100 * r.efficiency).toFixed(1) + "%"),
      h("td", { class: "r" }, money(r.surplus_fen))));
    fill("results", table([{ t: "" }, { t: t("results.trades"), r: 1 }, { t: u, r: 1 }, { t: t("results.mean_price", { unit: u }), r: 1 },
      { t: t("results.eq_price"), r: 1 }, { t: t("results.gains"), r: 1 }, { t: t("results.max_gains"), r: 1 },
      { t: t("results.efficiency"), r: 1 }, { t: t("results.surplus"), r: 1 }], rows, { id: "results-table", empty: t("history.empty") }));
  }

  function tick() {
    if (!state) return;
    const now = RM.liveClock(state, receivedAt);
    if (state.period_open) setText("clock", RM.clock(state.period_start_ms + state.period_seconds * 1000 - now));
    else setText("clock", state.finished ? t("clock.over") : t("clock.between"));
    for (const el of document.querySelectorAll("[data-countdown]")) el.textContent = t("lot.round_ends", { time: RM.clock(Number(el.dataset.countdown) - now) });
    const eq = state.equilibrium;
    const u = RM.unitName(state.unit);
    setText("chart-sub", eq ? t("chart.sub", { low: price(eq.low), high: price(eq.high), quantity: qty(eq.quantity), unit: u, base: price(state.base_ticks) })
      : t("chart.sub_base", { base: price(state.base_ticks), unit: u }));
    RMChart.draw($("price-chart"), state, now, { axis: t("chart.axis", { unit: u }), period: t("chart.time") });
  }

  // The join link without its code (the code is shown big beside it, and typed by people who do not scan).
  function joinHint() {
    const url = joinLink ? joinLink.replace(/#.*$/, "") : location.origin + "/";
    setText("join-hint", t("trainer.join_hint", { url }));
    $("join-qr").alt = t("trainer.qr_alt");
  }

  function control(action) {
    if (action === "reset" && !confirm(t("trainer.confirm_reset"))) return;
    if (action === "finish" && !confirm(t("trainer.confirm_finish"))) return;
    conn.send({ type: "control", action });
  }

  document.addEventListener("DOMContentLoaded", () => {
    token = tokenFromHash();
    if (!token) $("auth").hidden = false;
    $("auth-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      token = $("auth-token").value.trim();
      if (conn) conn.send({ type: "trainer_hello", token });
    });
    for (const a of ["start", "pause", "step", "reset", "finish"]) $("btn-" + a).addEventListener("click", () => control(a));
    RM.startLanguage(() => {
      conn = RM.connect({ hello, onMessage, onStatus: setStatus });
      setInterval(tick, 250);
      window.addEventListener("resize", tick);
    }, () => { joinHint(); if (state) render(); });
  });
})();
