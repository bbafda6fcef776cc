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
    const body = rows.length ? rows : [h("tr", null, h("td", { colspan: headers.length, class: "hint" }, o.empty || "—"))];
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

  // ---------------------------------------------------------------- words (GET /labels.json)
  // The pages' words come from the label catalogue of the report (data/labels/<lang>.yaml), served by the
  // server; the page starts in the server's language (<html lang>) or the one the toggle chose last.
  let L = {};
  let lang = "en";
  const LANG_KEY = "rm-classroom-lang";

  // t("order.units", {unit: "m³"}) -> the text of classroom.order.units with its {fields} filled in.
  function t(key, fields) {
    let text = L["classroom." + key];
    if (text === undefined) return key;
    if (fields) text = text.replace(/\{(\w+)\}/g, (m, k) => (k in fields ? String(fields[k]) : m));
    return text;
  }
  function unitName(u) { return L["unit." + u] || u; }
  function mech(m) { return L["mech." + m] || m; }
  function action(a) { return L["action." + a] || a; }
  function reason(r) { return reasonIn(L, r); }
  function reasonIn(labels, r) { return labels["classroom.reason." + r] || labels["reason." + r] || r; }

  // The text of a server message in a language (pure: labels in, text out). code and params are what the
  // server sent (classroom.notices): the label classroom.msg.<code> with its {fields} filled from params (a
  // "reason" param is itself a reason code, said through the labels too); for a code without a label, the
  // English text the message also carries (fallback).
  function noticeIn(labels, code, params, fallback) {
    const text = code ? labels["classroom.msg." + code] : undefined;
    if (text === undefined) return fallback === undefined || fallback === null ? (code || "") : String(fallback);
    const p = params || {};
    return text.replace(/\{(\w+)\}/g, (m, k) => (k in p ? String(k === "reason" ? reasonIn(labels, p[k]) : p[k]) : m));
  }
  // An error, ack or feed item of the server in the page's language.
  function notice(msg, fallback) {
    return noticeIn(L, msg.code, msg.params, fallback !== undefined ? fallback : msg.error);
  }
  // A role's label in the page's language (labels: {lang: text} from the server), else its label.
  function roleLabel(role) { return (role.labels && role.labels[lang]) || role.label; }
  function status(st) { return t("status." + st); }

  function applyStatic() {
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.documentElement.dataset.labels = lang;
    for (const k of Object.keys(shown)) delete shown[k];
  }

  async function loadLabels(want) {
    const r = await fetch("/labels.json?lang=" + encodeURIComponent(want));
    const j = await r.json();
    if (!j.labels) throw new Error(j.error || "no labels");
    L = j.labels;
    lang = j.lang;
    applyStatic();
  }

  // Load the words of the page's language, then call ready(); the toggle button (#lang-btn) switches
  // language, remembers it in this browser and calls redraw().
  function startLanguage(ready, redraw) {
    let want = document.documentElement.lang.startsWith("zh") ? "zh" : "en";
    try { want = localStorage.getItem(LANG_KEY) || want; } catch (e) { /* storage off: the server's language */ }
    const btn = $("lang-btn");
    if (btn) btn.addEventListener("click", () => {
      const next = lang === "zh" ? "en" : "zh";
      try { localStorage.setItem(LANG_KEY, next); } catch (e) { /* not remembered */ }
      loadLabels(next).then(redraw);
    });
    // A device without Chinese fonts fetches the bundled one; text laid out before it arrived is set again.
    if (document.fonts) document.fonts.addEventListener("loadingdone", () => { applyStatic(); redraw(); });
    loadLabels(want).catch(() => loadLabels("en")).finally(ready);
  }

  return { price, money, qty, clock, yuanText, h, $, fill, render, setText, table, message, connect, liveClock, reason,
           t, unitName, mech, action, status, startLanguage, lang: () => lang, notice, noticeIn, reasonIn, roleLabel };
})();
