// rights-market classroom: the participant page. Join, see your role and private values, trade, bid.
"use strict";

(() => {
  const { h, $, fill, render: show, setText, table, message, price, money, qty, t } = RM;
  const drafts = {};  // lot name -> bid text being typed
  const KEY = "rm-classroom-token";
  let token = sessionStorage.getItem(KEY);
  let pendingJoin = null;
  let state = null;
  let receivedAt = 0;
  let conn = null;
  let unit = "";

  function hello() {
    if (token) return { type: "rejoin", token };
    if (pendingJoin) return pendingJoin;
    return null;
  }

  function showJoin(text) {
    $("join").hidden = false;
    $("app").hidden = true;
    if (text) message("join-msg", text, "error");
  }

  function onMessage(msg) {
    if (msg.type === "welcome") {
      token = msg.token;
      sessionStorage.setItem(KEY, token);
      pendingJoin = null;
      $("join").hidden = true;
      $("app").hidden = false;
      setText("my-token", token);
      setText("me-name", msg.name);
    } else if (msg.type === "state") {
      state = msg;
      receivedAt = performance.now();
      render();
    } else if (msg.type === "ack") {
      onAck(msg);
    } else if (msg.type === "error") {
      if (!state || $("app").hidden) {
        if (msg.code === "unknown_token") { token = null; sessionStorage.removeItem(KEY); }
        showJoin(RM.notice(msg));
      } else {
        message("order-msg", RM.notice(msg), "error");
      }
    }
  }

  function onAck(msg) {
    if (msg.action === "order") {
      if (msg.ok) {
        const filled = msg.filled ? t("order.filled", { qty: qty(msg.filled), unit: RM.unitName(unit) }) : "";
        const st = t("order.status." + msg.status);
        message("order-msg", t("order.sent", { id: msg.order_id, status: st.startsWith("order.") ? msg.status : st }) + filled, "ok");
      } else {
        message("order-msg", t("order.refused", { reason: RM.reason(msg.reason) }), "error");
      }
    } else if (msg.action === "cancel") {
      message("order-msg", msg.ok ? t("order.cancelled", { id: msg.order_id }) : t("order.cancel_refused", { reason: RM.reason(msg.reason) }),
              msg.ok ? "ok" : "error");
    } else if (msg.action === "register" || msg.action === "bid") {
      const what = msg.action === "bid" ? "bid" : "register";
      message("lot-msg", msg.ok ? t(what === "bid" ? "lot.bid_ok" : "lot.registered", { lot: msg.lot })
                                : t("lot." + what + "_refused", { reason: RM.reason(msg.reason) }), msg.ok ? "ok" : "error");
    }
  }

  function setStatus(online) {
    const el = $("status");
    if (online === "offline") { el.textContent = RM.status("offline"); el.className = "badge offline"; }
  }

  // ------------------------------------------------------------------ rendering
  function render() {
    const s = state;
    const me = s.me;
    unit = s.unit;
    const u = RM.unitName(s.unit);
    setText("title", s.name);
    const st = $("status");
    st.textContent = RM.status(s.status);
    st.className = "badge " + s.status;
    $("paused-banner").hidden = s.status === "running" || s.status === "finished";
    setText("period", s.period >= 0 ? `${s.period + 1} / ${s.periods}` : `– / ${s.periods}`);
    setText("last-price", s.last_price ? price(s.last_price) : "—");
    setText("me-name", me.name);
    setText("order-units", t("order.units", { unit: u, lot: qty(s.lot), step: price(s.step_ticks) }));
    setText("order-price-label", t("order.price", { unit: u }));
    setText("order-qty-label", t("order.quantity", { unit: u }));
    const q = $("order-qty");
    q.step = s.lot; q.min = s.lot;
    if (!q.value) q.value = s.lot;
    renderRole(s, me);
    renderAccount(s, me);
    renderOrders(s, me);
    renderBook(s, me);
    renderTape(s, me);
    renderLots(s);
    renderHistory(s, me);
    tickClock();
  }

  function renderRole(s, me) {
    const r = me.role;
    const u = RM.unitName(s.unit);
    const rt = t("role.type." + r.type);
    setText("role-name", `${r.name} (${rt.startsWith("role.") ? r.type : rt})`);
    setText("role-label", RM.roleLabel(r));
    const facts = [];
    const fact = (k, v) => facts.push(h("dt", null, k), h("dd", null, v));
    if (r.type === "farm") {
      fact(t("role.rights"), `${qty(r.holding)} ${u}`);
      fact(t("role.need_water"), `${qty(r.need)} ${u}`);
      fact(t("role.use_value"), `${r.use_value} ${t("chart.axis", { unit: u })}`);
      fact(t("role.salvage"), `${r.salvage} ${t("chart.axis", { unit: u })}`);
    } else if (r.type === "firm") {
      fact(t("role.plan"), `${qty(r.plan)} ${u}`);
      fact(t("role.need"), `${qty(r.need)} ${u}`);
      fact(t("role.abatement"), `${r.abatement} ${t("chart.axis", { unit: u })}`);
      fact(t("role.short"), r.charge === "surcharge" ? t("role.surcharge")
        : r.charge === "penalty" ? t("role.penalty", { penalty: r.penalty, unit: u }) : t("role.must_abate"));
    } else {
      fact(t("role.start_units"), `${qty(r.start_units)} ${u}`);
    }
    fill("role-facts", facts);
    show("schedule", [r, s.lot], () => scheduleTable(s, r));
    setText("role-hint", t("role.hint"));
  }

  function scheduleTable(s, r) {
    const u = RM.unitName(s.unit);
    const rows = r.schedule.map((run) => h("tr", null,
      h("td", null, run.from === run.to ? t("schedule.lot", { n: run.from }) : t("schedule.lots_range", { a: run.from, b: run.to })),
      h("td", { class: "r" }, run.from * s.lot > r.start_units ? t("schedule.to_buy") : t("schedule.held")),
      h("td", { class: "r" }, `${run.yuan} ${t("chart.axis", { unit: u })}`)));
    return table([{ t: t("schedule.lots", { lot: qty(s.lot), unit: u }) }, { t: t("schedule.at_start"), r: 1 },
      { t: t("schedule.value"), r: 1 }], rows, { empty: t("schedule.empty") });
  }

  function renderAccount(s, me) {
    const u = RM.unitName(s.unit), yuan = " " + t("yuan"), per = " " + t("chart.axis", { unit: u });
    setText("holding", `${qty(me.holding)} ${u}`);
    setText("cash", money(me.cash_fen) + yuan);
    setText("free-cash", money(me.available_cash_fen) + yuan);
    setText("next-value", me.next_lot_value ? price(Math.floor(me.next_lot_value / s.lot)) + per : t("account.nothing"));
    setText("last-value", me.holding ? price(Math.ceil(me.last_lot_value / s.lot)) + per : "—");
    setText("bill", me.bill ? money(me.bill.total_fen) + yuan : "—");
    setText("profit", money(me.profit_period_fen) + yuan);
    setText("profit-total", money(me.profit_total_fen) + yuan);
  }

  function renderOrders(s, me) {
    show("my-orders", me.orders, () => ordersTable(s, me));
  }

  function ordersTable(s, me) {
    const rows = me.orders.map((o) => h("tr", { class: o.side },
      h("td", null, String(o.id)), h("td", { class: "side" }, t("side." + o.side)),
      h("td", { class: "r" }, price(o.price)), h("td", { class: "r" }, qty(o.remaining)),
      h("td", null, h("button", { class: "small", type: "button", "data-order": o.id,
        onclick: () => conn.send({ type: "cancel", order_id: o.id }) }, t("order.cancel")))));
    const u = RM.unitName(s.unit);
    return table([{ t: t("col.id") }, { t: t("col.side") }, { t: t("col.price_unit", { unit: u }), r: 1 },
      { t: t("col.open") + ` (${u})`, r: 1 }, { t: "" }], rows, { id: "orders-table", empty: t("order.none") });
  }

  function renderBook(s) {
    setText("book-sub", t("book.base", { price: price(s.base_ticks), unit: RM.unitName(s.unit) }) +
      (s.floor_ticks > 100 ? t("book.floor", { price: price(s.floor_ticks) }) : ""));
    show("book", [s.depth, s.unit], () => bookTable(s));
  }

  function bookTable(s) {
    const all = s.depth.bids.concat(s.depth.asks).map((x) => x[1]);
    const most = Math.max(1, ...all);
    const asks = s.depth.asks.slice().reverse().map(([p, q]) => h("tr", { class: "ask", style: `--w:${(100 * q / most).toFixed(0)}%` },
      h("td", { class: "side" }, t("side.ask")), h("td", { class: "r" }, price(p)), h("td", { class: "r bar" }, qty(q))));
    const bids = s.depth.bids.map(([p, q]) => h("tr", { class: "bid", style: `--w:${(100 * q / most).toFixed(0)}%` },
      h("td", { class: "side" }, t("side.bid")), h("td", { class: "r" }, price(p)), h("td", { class: "r bar" }, qty(q))));
    const mid = h("tr", { class: "spread" }, h("td", { colspan: 3 },
      s.depth.bids.length && s.depth.asks.length ? t("book.spread", { price: price(s.depth.asks[0][0] - s.depth.bids[0][0]) }) : "—"));
    const u = RM.unitName(s.unit);
    return table([{ t: "" }, { t: t("col.price_unit", { unit: u }), r: 1 }, { t: t("col.quantity", { unit: u }), r: 1 }], [...asks, mid, ...bids], { id: "book-table" });
  }

  function renderTape(s, me) {
    show("tape", [s.tape, me.trades.length], () => tapeTable(s, me));
  }

  function tapeTable(s, me) {
    const mine = new Set(me.trades.map((t) => t.t + ":" + t.price + ":" + t.quantity));
    const rows = s.tape.slice().reverse().map((t) => h("tr", { class: mine.has(t.t + ":" + t.price + ":" + t.quantity) ? "mine" : null },
      h("td", null, RM.clock(t.t)), h("td", { class: "r" }, price(t.price)), h("td", { class: "r" }, qty(t.quantity)),
      h("td", null, RM.mech(t.mechanism))));
    const u = RM.unitName(s.unit);
    return table([{ t: RM.t("col.time") }, { t: RM.t("col.price_unit", { unit: u }), r: 1 }, { t: u, r: 1 }, { t: RM.t("col.how") }], rows,
      { id: "tape-table", empty: RM.t("tape.empty") });
  }

  function renderLots(s) {
    $("lots-card").hidden = !s.lots.length;
    const active = document.activeElement;
    const typing = active && active.dataset ? active.dataset.bid : undefined;
    const rebuilt = show("lots", [s.lots, s.unit], () => lotCards(s));
    if (rebuilt && typing) {
      const el = document.querySelector(`input[data-bid="${CSS.escape(typing)}"]`);
      if (el) { el.focus(); el.setSelectionRange(el.value.length, el.value.length); }
    }
  }

  function lotCards(s) {
    return s.lots.map((lot) => {
      const parts = [h("span", { class: "badge " + (lot.state === "bidding" ? "running" : "ready") + " state" }, lotState(lot.state)),
        h("strong", null, lot.name), t("lot.terms", { quantity: qty(lot.quantity), unit: RM.unitName(s.unit), start: price(lot.start), step: price(lot.increment) }),
        h("div", { class: "hint" }, t("lot.now", { price: price(lot.price), registered: lot.registered, bids: lot.bids }) +
          (lot.you_lead ? t("lot.you_lead") : "") + (lot.you_registered && !lot.you_lead ? t("lot.you_registered") : ""))];
      if (lot.state === "listing" && !lot.you_registered) {
        parts.push(h("button", { type: "button", class: "primary small", "data-lot": lot.name,
          onclick: () => conn.send({ type: "register", lot: lot.name }) }, t("lot.register")));
      }
      if (lot.state === "bidding" && lot.you_registered && !lot.you_lead) {
        const input = h("input", { size: 8, value: drafts[lot.name] ?? price(lot.min_bid).replace(/,/g, ""), "data-bid": lot.name,
          oninput: (ev) => { drafts[lot.name] = ev.target.value; } });
        parts.push(h("div", null, t("lot.bid") + " ", input, " " + t("lot.yuan") + " ",
          h("button", { type: "button", class: "primary small", "data-bid-button": lot.name, onclick: () => {
            const p = RM.yuanText(input.value);
            if (!p) { message("lot-msg", t("lot.bad_price"), "error"); return; }
            delete drafts[lot.name];
            conn.send({ type: "bid", lot: lot.name, price: p });
          } }, t("lot.bid")), h("span", { class: "hint" }, t("lot.at_least", { price: price(lot.min_bid) }))));
      }
      if (lot.round_end_ms && lot.state === "bidding") {
        parts.push(h("div", { class: "hint", "data-countdown": lot.round_end_ms }, ""));
      }
      return h("div", { class: "lot" }, parts);
    });
  }

  function lotState(st) {
    const text = t("lot.state." + st);
    return text.startsWith("lot.") ? st : text;
  }

  function renderHistory(s, me) {
    show("history", me.history, () => historyTable(me));
  }

  function historyTable(me) {
    const rows = me.history.map((r) => h("tr", null, h("td", null, t("history.period", { n: r.period + 1 })),
      h("td", { class: "r" }, money(r.trade_cash_fen)), h("td", { class: "r" }, money(r.bill_fen)),
      h("td", { class: "r" }, money(r.surplus_fen))));
    return table([{ t: "" }, { t: t("history.trade_money"), r: 1 }, { t: t("history.charges"), r: 1 }, { t: t("history.profit"), r: 1 }], rows,
      { empty: t("history.empty") });
  }

  function tickClock() {
    if (!state) return;
    const now = RM.liveClock(state, receivedAt);
    if (state.period_open) {
      setText("clock", RM.clock(state.period_start_ms + state.period_seconds * 1000 - now));
    } else {
      setText("clock", state.finished ? t("clock.over") : t("clock.between"));
    }
    for (const el of document.querySelectorAll("[data-countdown]")) {
      el.textContent = t("lot.round_ends", { time: RM.clock(Number(el.dataset.countdown) - now) });
    }
  }

  // ------------------------------------------------------------------ actions
  function sendOrder(ev) {
    ev.preventDefault();
    const p = RM.yuanText($("order-price").value);
    const n = Number($("order-qty").value);
    if (!p) { message("order-msg", t("order.bad_price"), "error"); return; }
    if (!Number.isInteger(n) || n <= 0) { message("order-msg", t("order.bad_qty"), "error"); return; }
    const ref = conn.send({ type: "order", side: $("order-side").value, price: p, quantity: n });
    message("order-msg", ref ? t("order.sending") : t("order.not_connected"), ref ? "" : "error");
  }

  function join(ev) {
    ev.preventDefault();
    pendingJoin = { type: "join", name: $("join-name").value, code: $("join-code").value };
    if (!conn.send(pendingJoin)) message("join-msg", t("join.not_connected"), "error");
  }

  function rejoin() {
    const t = $("rejoin-token").value.trim();
    if (!t) return;
    token = t;
    conn.send({ type: "rejoin", token: t });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("order-form").addEventListener("submit", sendOrder);
    $("join-form").addEventListener("submit", join);
    $("rejoin-btn").addEventListener("click", rejoin);
    const m = /code=([^&]+)/.exec(location.hash || "");  // the join link of the trainer's QR code
    if (m) {
      $("join-code").value = decodeURIComponent(m[1]);
      history.replaceState(null, "", location.pathname + location.search);
    }
    RM.startLanguage(() => {
      if (!token) showJoin();
      conn = RM.connect({ hello, onMessage, onStatus: setStatus });
      setInterval(tickClock, 250);
    }, () => { if (state) render(); });
  });
})();
