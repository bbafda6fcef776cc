// rights-market classroom: the trainer page. Controls, book, tape, price path, reserve, bands, seats.
"use strict";

(() => {
  const { h, $, fill, render: show, setText, table, message, price, money, qty } = RM;
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
    } else if (msg.type === "state") {
      state = msg;
      receivedAt = performance.now();
      render();
    } else if (msg.type === "ack") {
      message("control-msg", `${msg.action}: ${msg.note}`, "ok");
    } else if (msg.type === "results") {
      message("control-msg", `results written to ${msg.path}`, "ok");
    } else if (msg.type === "error") {
      if (/trainer token/.test(msg.error)) {
        $("auth").hidden = false;
        $("app").hidden = true;
        message("auth-msg", msg.error, "error");
        token = null;
      } else {
        message("control-msg", msg.error, "error");
      }
    }
  }

  function setStatus(online) {
    if (online === "offline") { const el = $("status"); el.textContent = "offline — reconnecting"; el.className = "badge offline"; }
  }

  function render() {
    const s = state;
    setText("title", s.name);
    setText("join-code", s.join_code);
    setText("join-url", location.origin + "/");
    const st = $("status");
    st.textContent = s.status;
    st.className = "badge " + s.status;
    setText("period", s.period >= 0 ? `${s.period + 1} / ${s.periods}` : `– / ${s.periods}`);
    const humans = s.seats.filter((x) => x.player === "human");
    const locked = s.join_locked_seconds > 0 ? ` · joining locked ${s.join_locked_seconds} s` : "";
    setText("people", `${humans.filter((x) => x.joined).length} of ${humans.length} seats, ${humans.filter((x) => x.connected).length} online${locked}`);
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
    setText("book-sub", `last ${price(s.last_price)} · base ${price(s.base_ticks)}` + (s.floor_ticks > 100 ? ` · floor ${price(s.floor_ticks)}` : ""));
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
    show("book", [s.depth, s.unit], () => table([{ t: `bid ${s.unit}`, r: 1 }, { t: "bid", r: 1 }, { t: "ask", r: 1 }, { t: `ask ${s.unit}`, r: 1 }], rows,
      { id: "book-table", empty: "the book is empty" }));
  }

  function renderTape(s) {
    setText("tape-sub", `${s.path.length} trades`);
    const rows = s.tape.slice().reverse().map((t) => h("tr", null,
      h("td", null, RM.clock(t.t)), h("td", null, t.buyer), h("td", null, t.seller),
      h("td", { class: "r" }, qty(t.quantity)), h("td", { class: "r" }, price(t.price)), h("td", null, t.mechanism)));
    show("tape", [s.tape], () => table([{ t: "time" }, { t: "buyer" }, { t: "seller" }, { t: s.unit, r: 1 }, { t: "price", r: 1 }, { t: "how" }], rows,
      { id: "tape-table", empty: "no trade yet" }));
  }

  function renderFeed(s) {
    setText("feed-sub", `${s.steps} queue steps` + (s.next_event_ms !== null ? ` · next event at ${RM.clock(s.next_event_ms)}` : ""));
    const el = $("feed");
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 30;
    fill("feed", s.feed.map((f) => h("div", { class: f.kind }, h("span", { class: "t" }, RM.clock(f.t_ms)), f.text)));
    if (atBottom) el.scrollTop = el.scrollHeight;
  }

  function renderBands(s) {
    $("bands-card").hidden = !s.bands;
    if (!s.bands) return;
    const b = s.bands;
    setText("bands-sub", `width ${Number(b.width_share) * 100}% of the rights held · +${Number(b.step_share) * 100}% of ${price(b.reference_ticks)} per band`);
    const rows = b.bands.map((x) => h("tr", null, h("td", null, `band ${x.band}`), h("td", { class: "r" }, price(x.rate)),
      h("td", { class: "r" }, qty(x.quantity)), h("td", { class: "r" }, String(x.firms)), h("td", { class: "r" }, money(x.amount_fen))));
    if (b.abated) rows.push(h("tr", null, h("td", null, "abated instead"), h("td", null, ""), h("td", { class: "r" }, qty(b.abated)), h("td", null, ""), h("td", null, "")));
    fill("bands", table([{ t: "band" }, { t: "yuan per unit", r: 1 }, { t: s.unit, r: 1 }, { t: "firms", r: 1 }, { t: "yuan", r: 1 }], rows,
      { id: "bands-table", empty: `no firm is over its rights (${b.firms} firms)` }));
  }

  function renderReserve(s) {
    setText("reserve-sub", `stock ${qty(s.reserve_stock)} ${s.unit} · cash ${money(s.reserve_cash_fen)} yuan`);
    const rows = s.reserve.slice().reverse().map((a) => h("tr", null, h("td", null, RM.clock(a.t_ms)), h("td", null, a.action),
      h("td", { class: "r" }, qty(a.quantity)), h("td", { class: "r" }, a.price ? price(a.price) : ""), h("td", null, a.reason.replace(/_/g, " "))));
    fill("reserve", table([{ t: "time" }, { t: "action" }, { t: s.unit, r: 1 }, { t: "price", r: 1 }, { t: "why" }], rows,
      { id: "reserve-table", empty: "the reserve has not acted" }));
  }

  function renderLots(s) {
    $("lots-card").hidden = !s.lots.length;
    fill("lots", s.lots.map((lot) => h("div", { class: "lot" },
      h("span", { class: "badge " + (lot.state === "bidding" ? "running" : "ready") + " state" }, lot.state),
      h("strong", null, lot.name), ` — period ${lot.period + 1}, ${qty(lot.quantity)} ${s.unit}, start ${price(lot.start)}, increment ${price(lot.increment)}`,
      h("div", { class: "hint" }, `price ${price(lot.price)} · leader ${lot.leader || "—"} · ${lot.registered} registered · ${lot.bids} bids`),
      lot.state === "bidding" && lot.round_end_ms ? h("div", { class: "hint", "data-countdown": lot.round_end_ms }, "") : null)));
  }

  function renderSeats(s) {
    const rows = s.seats.map((x) => h("tr", { class: x.player === "human" && !x.joined ? "hint" : null },
      h("td", null, String(x.seat + 1)), h("td", null, x.name), h("td", null, x.role), h("td", null, x.player),
      h("td", null, x.player === "human" ? (x.connected ? "online" : x.joined ? "offline" : "free") : "robot"),
      h("td", { class: "r" }, qty(x.holding)), h("td", { class: "r" }, money(x.cash_fen)),
      h("td", { class: "r" }, String(x.orders)), h("td", { class: "r" }, x.bill && x.joined ? money(x.bill.total_fen) : "—"),
      h("td", { class: "r" }, money(x.profit_period_fen)), h("td", { class: "r" }, money(x.profit_total_fen))));
    setText("seats-sub", `${s.free_seats} free seats for people`);
    show("seats", s.seats, () => table([{ t: "#" }, { t: "name" }, { t: "role" }, { t: "player" }, { t: "" }, { t: s.unit, r: 1 }, { t: "cash", r: 1 },
      { t: "orders", r: 1 }, { t: "bill now", r: 1 }, { t: "profit (period)", r: 1 }, { t: "profit (total)", r: 1 }], rows, { id: "seats-table" }));
  }

  function renderResults(s) {
    setText("results-sub", s.results_dir ? `written to ${s.results_dir}` : "");
    const rows = s.results.map((r) => h("tr", null, h("td", null, `period ${r.period + 1}`), h("td", { class: "r" }, String(r.trades)),
      h("td", { class: "r" }, qty(r.volume)), h("td", { class: "r" }, r.volume ? price(Math.round(r.amount_fen * 100 / r.volume)) : "—"),
      h("td", { class: "r" }, r.equilibrium ? `${price(r.equilibrium.low)}–${price(r.equilibrium.high)}` : "—"),
      h("td", { class: "r" }, money(r.gains_fen)), h("td", { class: "r" }, money(r.max_gains_fen)),
      h("td", { class: "r" }, r.efficiency === null ? "—" : (100 * r.efficiency).toFixed(1) + "%"),
      h("td", { class: "r" }, money(r.surplus_fen))));
    fill("results", table([{ t: "" }, { t: "trades", r: 1 }, { t: s.unit, r: 1 }, { t: "mean price", r: 1 }, { t: "equilibrium price", r: 1 },
      { t: "gains from trade", r: 1 }, { t: "maximum gains", r: 1 }, { t: "efficiency", r: 1 }, { t: "total surplus", r: 1 }], rows,
      { id: "results-table", empty: "no period closed yet" }));
  }

  function tick() {
    if (!state) return;
    const now = RM.liveClock(state, receivedAt);
    if (state.period_open) setText("clock", RM.clock(state.period_start_ms + state.period_seconds * 1000 - now));
    else setText("clock", state.finished ? "over" : "between periods");
    for (const el of document.querySelectorAll("[data-countdown]")) el.textContent = "round ends in " + RM.clock(Number(el.dataset.countdown) - now);
    const eq = state.equilibrium;
    setText("chart-sub", eq ? `equilibrium ${price(eq.low)}–${price(eq.high)} for ${qty(eq.quantity)} ${state.unit} a period · base ${price(state.base_ticks)}`
      : `base ${price(state.base_ticks)}`);
    RMChart.draw($("price-chart"), state, now);
  }

  function control(action) {
    if (action === "reset" && !confirm("Reset the market? Holdings, orders and trades start again; people keep their seats.")) return;
    if (action === "finish" && !confirm("Finish the session now and write the results?")) return;
    conn.send({ type: "control", action });
  }

  document.addEventListener("DOMContentLoaded", () => {
    token = tokenFromHash();
    if (!token) $("auth").hidden = false;
    $("auth-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      token = $("auth-token").value.trim();
      conn.send({ type: "trainer_hello", token });
    });
    for (const a of ["start", "pause", "step", "reset", "finish"]) $("btn-" + a).addEventListener("click", () => control(a));
    conn = RM.connect({ hello, onMessage, onStatus: setStatus });
    setInterval(tick, 250);
    window.addEventListener("resize", tick);
  });
})();
