// rights-market policy lab: the page. Talks to the lab's JSON API (server.py); no external assets.
"use strict";
(function () {
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v; else if (k.startsWith("data-") || k === "class" || k === "for" || k === "href" || k === "id" || k === "type" || k === "download" || k === "title") e.setAttribute(k, v); else e[k] = v;
    }
    for (const kid of kids) if (kid != null) e.append(kid);
    return e;
  };
  const hashToken = new URLSearchParams(location.hash.slice(1)).get("token");
  const metaToken = document.querySelector('meta[name="lab-token"]').content;
  const token = hashToken || (metaToken.startsWith("{{") ? "" : metaToken);
  const state = { lang: document.documentElement.lang.startsWith("zh") ? "zh" : "en", L: {}, scenario: null,
    fields: [], changes: {}, variants: [], job: null, checkTimer: null, pollTimer: null };

  const L = (key, args) => {
    let text = state.L[key] || key;
    for (const [k, v] of Object.entries(args || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  };
  async function api(path, opts) {
    opts = opts || {};
    const headers = Object.assign({ "X-Lab-Token": token }, opts.headers || {});
    const r = await fetch(path, Object.assign({}, opts, { headers }));
    if (r.status === 403) $("#token-note").hidden = false;
    return r;
  }
  async function postJSON(path, body) {
    return api(path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  }

  // ----------------------------------------------------------------------------------------- language
  async function loadLabels() {
    const r = await fetch("/api/labels?lang=" + state.lang);
    state.L = (await r.json()).labels;
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-l]").forEach((n) => { n.textContent = L(n.dataset.l); });
    $("#lang-switch").textContent = L("lab.lang_switch");
    document.title = L("lab.title") + " — rights-market";
  }
  $("#lang-switch").addEventListener("click", async () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    await loadLabels();
    if (state.scenario) await loadFields(true);
    renderVariants();
    if (state.job) renderJob(state.job);
  });

  // ----------------------------------------------------------------------------------------- scenarios
  async function loadScenarios(select) {
    const r = await fetch("/api/scenarios");
    const data = await r.json();
    const sel = $("#scenario");
    sel.innerHTML = "";
    for (const key of [...data.shipped, ...data.uploaded]) {
      sel.append(el("option", { value: key, text: key.startsWith("upload:") ? key.split(":")[1] : key }));
    }
    const want = select || (data.shipped.includes("dawukou_water.yaml") ? "dawukou_water.yaml" : data.shipped[0]);
    sel.value = want;
    state.scenario = sel.value;
  }
  $("#scenario").addEventListener("change", async (e) => {
    state.scenario = e.target.value;
    state.changes = {}; state.variants = [];
    renderVariants();
    await loadFields(false);
  });
  $("#upload").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const r = await api("/api/upload?name=" + encodeURIComponent(file.name), { method: "POST", body: file });
    const data = await r.json();
    const msg = $("#upload-msg");
    if (!r.ok) { msg.className = "error"; msg.textContent = data.error; return; }
    msg.className = "hint"; msg.textContent = L("lab.uploaded", { name: file.name });
    await loadScenarios(data.scenario);
    state.changes = {}; state.variants = []; renderVariants();
    await loadFields(false);
  });

  // ----------------------------------------------------------------------------------------- the form
  const inputId = (path) => "f-" + path.replace(/[^A-Za-z0-9_-]/g, "_");
  async function loadFields(keep) {
    const r = await api("/api/fields?scenario=" + encodeURIComponent(state.scenario) + "&lang=" + state.lang);
    const data = await r.json();
    state.fields = data.fields || [];
    if (!keep) state.changes = {};
    renderFields();
    if (keep && Object.keys(state.changes).length) scheduleCheck(0);
  }
  function renderFields() {
    const box = $("#fields");
    box.innerHTML = "";
    if (!state.fields.length) { box.append(el("p", { class: "hint", text: L("lab.no_fields") })); return; }
    let fs = null, group = null;
    for (const f of state.fields) {
      if (f.group !== group) {
        group = f.group;
        fs = el("fieldset", { "data-group": group }, el("legend", { text: L("lab.group." + group) }));
        box.append(fs);
      }
      const input = el("input", { id: inputId(f.path), "data-path": f.path, type: "text", inputMode: f.kind === "string" ? "text" : "decimal",
        autocomplete: "off", value: f.path in state.changes ? state.changes[f.path] : f.plan });
      if (f.description) input.title = f.description;
      const unit = f.unit_label != null ? f.unit_label : ("unit." + f.unit) in state.L ? state.L["unit." + f.unit] : f.unit;
      const row = el("div", { class: "field", "data-field": f.path },
        el("label", { class: "name", for: inputId(f.path), text: f.label }, el("span", { class: "path", text: f.path })),
        input,
        el("span", { class: "plan" }, L("lab.plan_value", { value: f.plan }) + (unit ? " " + unit : "")),
        el("span", { class: "cite", text: f.citation }),
        el("div", { class: "err", role: "alert" }));
      input.addEventListener("input", () => onEdit(f, input));
      fs.append(row);
      markChanged(f.path);
    }
    updateCount();
  }
  function onEdit(f, input) {
    const text = input.value.trim();
    if (text === f.plan || text === "") delete state.changes[f.path]; else state.changes[f.path] = text;
    markChanged(f.path);
    updateCount();
    scheduleCheck(400);
  }
  function markChanged(path) {
    const row = document.querySelector('[data-field="' + CSS.escape(path) + '"]');
    if (row) row.classList.toggle("changed", path in state.changes);
  }
  function updateCount() {
    const n = Object.keys(state.changes).length;
    $("#changed-count").textContent = n ? L("lab.changed", { count: n }) : "";
  }
  function scheduleCheck(ms) {
    clearTimeout(state.checkTimer);
    state.checkTimer = setTimeout(runCheck, ms);
  }
  async function runCheck() {
    const r = await postJSON("/api/check", { scenario: state.scenario, changes: state.changes });
    const data = await r.json();
    document.querySelectorAll(".field").forEach((row) => {
      const msgs = (data.by_field || {})[row.dataset.field] || [];
      row.classList.toggle("bad", msgs.length > 0);
      row.querySelector(".err").textContent = msgs.join("; ");
    });
    const gen = $("#general-errors");
    gen.innerHTML = "";
    for (const g of data.general || []) gen.append(el("li", { text: g }));
    const n = Object.values(data.by_field || {}).reduce((a, m) => a + m.length, 0) + (data.general || []).length;
    const msg = $("#check-msg");
    msg.className = n ? "error" : "ok";
    msg.textContent = n ? L("lab.check_problems", { count: n }) : L("lab.check_ok");
    return n === 0;
  }
  $("#check").addEventListener("click", () => runCheck());
  $("#reset").addEventListener("click", () => { state.changes = {}; renderFields(); runCheck(); });
  $("#export").addEventListener("click", async () => {
    const r = await postJSON("/api/export", { scenario: state.scenario, changes: state.changes, lang: state.lang });
    if (!r.ok) return;
    const blob = await r.blob();
    const a = el("a", { href: URL.createObjectURL(blob), download: "lab-" + state.scenario.replace(/[^A-Za-z0-9_-]+/g, "_") + ".xlsx" });
    document.body.append(a); a.click(); a.remove();
  });
  $("#import").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    const r = await api("/api/import?scenario=" + encodeURIComponent(state.scenario) + "&lang=" + state.lang,
      { method: "POST", body: file });
    const data = await r.json();
    const gen = $("#general-errors");
    gen.innerHTML = "";
    const msg = $("#check-msg");
    if (!r.ok || (data.errors && data.errors.length)) {
      msg.className = "error";
      msg.textContent = L("lab.check_problems", { count: (data.errors || [data.error]).length });
      for (const g of data.errors || [data.error]) gen.append(el("li", { text: g }));
      return;
    }
    for (const f of state.fields) {
      if (f.path in data.changes) {
        if (data.changes[f.path] === f.plan) delete state.changes[f.path]; else state.changes[f.path] = data.changes[f.path];
      }
    }
    renderFields();
    await runCheck();
    msg.className = "ok";
    msg.textContent = L("lab.imported", { count: Object.keys(data.changes).length });
  });

  // ----------------------------------------------------------------------------------------- variants
  function renderVariants() {
    const ul = $("#variants");
    ul.innerHTML = "";
    $("#variants-box").hidden = state.variants.length === 0;
    state.variants.forEach((v, i) => {
      const rm = el("button", { type: "button", text: L("lab.remove") });
      rm.addEventListener("click", () => { state.variants.splice(i, 1); renderVariants(); });
      ul.append(el("li", {}, el("strong", { text: v.name }),
        el("span", { class: "hint", text: Object.entries(v.changes).map(([p, t]) => p + " = " + t).join("; ") }), rm));
    });
  }
  $("#add-variant").addEventListener("click", async () => {
    if (!Object.keys(state.changes).length) { showRunError(L("lab.nothing_changed")); return; }
    if (!(await runCheck())) return;
    state.variants.push({ name: $("#variant-name").value.trim(), changes: Object.assign({}, state.changes) });
    state.changes = {};
    $("#variant-name").value = "variant" + (state.variants.length + 1);
    renderFields(); renderVariants();
  });

  // ----------------------------------------------------------------------------------------- running
  function showRunError(text) { const p = $("#run-error"); p.hidden = !text; p.textContent = text || ""; }
  $("#run").addEventListener("click", async () => {
    showRunError("");
    const variants = state.variants.slice();
    if (Object.keys(state.changes).length) variants.push({ name: $("#variant-name").value.trim(), changes: Object.assign({}, state.changes) });
    if (!variants.length) { showRunError(L("lab.nothing_changed")); return; }
    const r = await postJSON("/api/run", { scenario: state.scenario, variants, lang: state.lang,
      replications: parseInt($("#replications").value, 10), quick: $("#quick").checked });
    const data = await r.json();
    if (!r.ok) { showRunError(data.error); return; }
    state.job = data;
    $("#answers-card").hidden = true;
    renderJob(data);
    poll();
  });
  $("#cancel").addEventListener("click", async () => {
    if (!state.job) return;
    const r = await api("/api/jobs/" + state.job.id + "/cancel", { method: "POST", headers: { "Content-Type": "application/json" } });
    renderJob(await r.json());
  });
  async function poll() {
    clearTimeout(state.pollTimer);
    if (!state.job) return;
    const r = await api("/api/jobs/" + state.job.id);
    const data = await r.json();
    state.job = data;
    renderJob(data);
    if (["queued", "running", "building"].includes(data.status)) state.pollTimer = setTimeout(poll, 700);
  }
  function renderJob(job) {
    const busy = ["queued", "running", "building"].includes(job.status);
    $("#run").disabled = busy;
    $("#cancel").disabled = !busy;
    const bar = $("#progress");
    bar.hidden = false; bar.max = job.total; bar.value = job.done;
    let text = L("lab.status." + job.status, { error: job.error });
    if (job.status === "running") text += " " + L("lab.progress", { done: job.done, total: job.total });
    $("#status").textContent = text;
    $("#status").dataset.status = job.status;
    if (job.status === "done" && job.answers) renderAnswers(job);
  }

  // ----------------------------------------------------------------------------------------- answers
  const fmt = (x, digits) => x == null || Number.isNaN(x) ? "—" :
    Number(x).toLocaleString(state.lang === "zh" ? "zh-CN" : "en", { maximumFractionDigits: digits == null ? (Math.abs(x) < 100 ? 3 : 0) : digits });
  const band = (b) => b.median == null ? "—" : fmt(b.median) + (b.n > 1 ? " (" + fmt(b.low) + "–" + fmt(b.high) + ")" : "");
  const table = (heads, rows) => el("div", { class: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { text: h })))), el("tbody", {}, ...rows)));
  const dl = (name, label) => el("a", { href: "/api/jobs/" + state.job.id + "/files/" + encodeURIComponent(name) + "?token=" + encodeURIComponent(token),
    "data-download": name, text: label });
  const dlNew = (name, label) => { const a = dl(name, label); a.target = "_blank"; a.rel = "noopener"; return a; };

  function renderAnswers(job) {
    const box = $("#answers");
    box.innerHTML = "";
    $("#answers-card").hidden = false;
    $("#results-in").textContent = L("lab.results_in", { path: job.out });
    const links = el("div", { class: "downloads" }, dlNew("report.html", L("lab.dl.report")), dl("compare.xlsx", L("lab.dl.workbook")));
    for (const v of job.answers.variants) links.append(dl("variant-" + v.name + ".yaml", L("lab.dl.variant", { name: v.name })));
    box.append(links);
    for (const v of job.answers.variants) {
      const sec = el("section", { "data-variant": v.name }, el("h3", { text: L("lab.answers.vs", { variant: v.name }) }));
      const verdicts = el("ul", { class: "verdicts" });
      for (const m of v.metrics.filter((m) => ["over_plan", "surcharge_revenue", "use"].includes(m.metric))) {
        const c = m.change;
        const key = c == null || Math.abs(c) < 1e-9 ? "lab.verdict.same" : c < 0 ? "lab.verdict.fell" : "lab.verdict.rose";
        verdicts.append(el("li", { "data-verdict": m.metric, "data-change": c == null ? "" : String(c),
          text: L(key, { metric: m.label, change: c == null ? "" : (Math.abs(c) * 100).toFixed(1) + " %" }) }));
      }
      sec.append(verdicts, el("h3", { text: L("lab.answers.headline") }));
      sec.append(table([L("lab.col.metric"), L("lab.col.unit"), L("lab.col.plan_run"), v.name, L("lab.col.diff_spread")],
        v.metrics.map((m) => el("tr", { "data-metric": m.metric, "data-baseline": String(m.baseline.median), "data-variant": String(m.variant.median),
          "data-diff": String(m.diff.median) },
          el("td", { text: m.label }), el("td", { text: m.unit_label }), el("td", { text: band(m.baseline) }),
          el("td", { text: band(m.variant) }),
          el("td", { class: m.diff.median < 0 ? "down" : m.diff.median > 0 ? "up" : "", text: band(m.diff) })))));
      sec.append(el("h3", { text: L("lab.answers.paired") }));
      const picked = v.metrics.filter((m) => ["over_plan", "over_plan_industry", "surcharge_revenue", "use"].includes(m.metric) ||
        m.metric.startsWith("emissions_over_cap_") || ["mean_rent", "mean_sale_price", "reserve_area"].includes(m.metric));
      const rows = [];
      for (const m of picked) for (const p of m.paired) {
        rows.push(el("tr", { "data-metric": m.metric, "data-seed": String(p.seed), "data-baseline": String(p.baseline), "data-variant": String(p.variant) },
          el("td", { text: m.label }), el("td", { text: String(p.seed) }), el("td", { text: fmt(p.baseline) }),
          el("td", { text: fmt(p.variant) }), el("td", { class: p.diff < 0 ? "down" : p.diff > 0 ? "up" : "", text: fmt(p.diff) })));
      }
      sec.append(table([L("lab.col.metric"), L("lab.col.seed"), L("lab.col.plan_run"), v.name, L("lab.col.diff")], rows));
      if (v.water === false) { box.append(sec); continue; }  // the tables below are of the water market
      sec.append(el("h3", { text: L("lab.answers.payments") }));
      sec.append(table([L("lab.col.group"), L("lab.col.charges") + " · " + L("lab.col.plan_run"), L("lab.col.charges") + " · " + v.name,
        L("lab.col.surcharge") + " · " + L("lab.col.plan_run"), L("lab.col.surcharge") + " · " + v.name,
        L("lab.col.trade_net") + " · " + L("lab.col.plan_run"), L("lab.col.trade_net") + " · " + v.name],
        v.payments.map((p) => el("tr", { "data-group": p.group }, el("td", { text: p.label }),
          ...["charges", "surcharge", "trade_net"].flatMap((c) => [el("td", { text: fmt(p["baseline_" + c], 0) }), el("td", { text: fmt(p["variant_" + c], 0) })])))));
      sec.append(el("h3", { text: L("lab.answers.reserve") }));
      sec.append(table(["", L("lab.col.plan_run"), v.name], v.reserve.map((r) => el("tr", { "data-key": r.key },
        el("td", { text: L("lab.reserve." + r.key.replace("_fen", "_yuan")) }), el("td", { text: fmt(r.baseline, 0) }), el("td", { text: fmt(r.variant, 0) })))));
      sec.append(el("h3", { text: L("lab.answers.prices") }));
      sec.append(table(["", L("lab.col.plan_run"), v.name], v.prices.map((r) => el("tr", { "data-key": r.key },
        el("td", { text: L("lab.prices." + r.key) }), el("td", { text: fmt(r.baseline, 4) }), el("td", { text: fmt(r.variant, 4) })))));
      box.append(sec);
    }
  }

  // ----------------------------------------------------------------------------------------- start
  (async function start() {
    await loadLabels();
    await loadScenarios();
    await loadFields(false);
  })();
})();
