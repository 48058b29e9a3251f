"use strict";
// The dashboard's what-if panel: pick windows to open or close and from when, then ask
// POST /api/halls/{hall}/whatif and show the rest of today as it is and with the changes.

(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const W = data.whatif;
  const zh = data.lang === "zh";
  const hall = encodeURIComponent(data.hall);
  const V = window.DashView;
  const $ = (id) => document.getElementById(id);
  const SHOWN = ["walkin_wait", "appointment_wait_general", "appointment_wait_complex", "green_wait", "handling_time", "overtime"];
  let windows = [];
  const wanted = new Map();
  let csrf = null;

  async function loadWindows() {
    const response = await fetch(`/api/halls/${hall}/windows`, { cache: "no-store" });
    if (!response.ok) return;
    windows = await response.json();
    for (const w of windows) if (!wanted.has(w.number)) wanted.set(w.number, w.status === "open");
    renderWindows();
  }

  function renderWindows() {
    const chips = windows.map((w) => {
      const open = w.status === "open";
      const want = wanted.get(w.number);
      const chip = V.el("button", {
        type: "button", class: "wi-chip", "data-window": String(w.number), "aria-pressed": want ? "true" : "false",
        "data-state": open ? "open" : "closed", title: `${w.number} · ${open ? W.wi_open : W.wi_closed}`,
      }, String(w.number));
      if (want !== open) chip.dataset.change = want ? "open" : "close";
      chip.addEventListener("click", () => { wanted.set(w.number, !wanted.get(w.number)); renderWindows(); });
      return chip;
    });
    $("wi-windows").replaceChildren(...chips);
  }

  function changes() {
    const at = $("wi-at").value;
    const pick = (test) => windows.filter(test).map((w) => w.number);
    const found = [];
    const opens = pick((w) => wanted.get(w.number) && w.status !== "open");
    const closes = pick((w) => !wanted.get(w.number) && w.status === "open");
    if (opens.length) found.push(at ? { open: opens, at } : { open: opens });
    if (closes.length) found.push(at ? { close: closes, at } : { close: closes });
    const demand = Number($("wi-demand").value);
    if (demand !== 1) found.push({ demand });
    return found;
  }

  async function token() {
    if (csrf) return csrf;
    const response = await fetch("/api/session", { cache: "no-store" });
    if (response.ok) csrf = (await response.json()).csrf_token;
    return csrf;
  }

  const pct = (p) => (p === null || p === undefined ? "—" : `${Math.round(p * 100)}%`);
  const grade = (p) => (p === null || p === undefined ? "none" : p >= 0.8 ? "good" : p >= 0.5 ? "fair" : "poor");
  const minutes = (k) => (k.mean === null ? "—" : k.ci ? `${k.mean.toFixed(1)} [${k.ci[0].toFixed(1)}, ${k.ci[1].toFixed(1)}]` : k.mean.toFixed(1));
  let today = "";
  // A time of today as HH:MM; a later day (the queue lasting past midnight) says so.
  const hhmm = (iso) => (!iso ? "—" : iso.slice(0, 10) === today ? iso.slice(11, 16) : `${iso.slice(11, 16)} ${W.wi_next_day}`);

  function kpiRows(answer) {
    const rows = SHOWN.map((name) => {
      const a = answer.baseline.kpis[name];
      const b = answer.scenario.kpis[name];
      const tr = V.el("tr", { "data-kpi": name });
      tr.append(V.el("td", {}, zh ? a.label_zh : a.label));
      tr.append(V.el("td", {}, a.target === null ? "—" : `≤ ${a.target} ${W.wi_min}`));
      for (const k of [a, b]) {
        tr.append(V.el("td", { class: "num" }, minutes(k)));
        tr.append(V.el("td", { class: "num wi-p", "data-grade": grade(k.p_met), "data-side": k === a ? "before" : "after" }, pct(k.p_met)));
      }
      return tr;
    });
    const clear = V.el("tr", { "data-kpi": "clear_at" });
    clear.append(V.el("td", {}, W.wi_clear), V.el("td", {}, "—"),
      V.el("td", { class: "num", "data-side": "before" }, `${hhmm(answer.baseline.clear_at)} (${hhmm(answer.baseline.clear_range[0])}–${hhmm(answer.baseline.clear_range[1])})`), V.el("td"),
      V.el("td", { class: "num", "data-side": "after" }, `${hhmm(answer.scenario.clear_at)} (${hhmm(answer.scenario.clear_range[0])}–${hhmm(answer.scenario.clear_range[1])})`), V.el("td"));
    $("wi-kpis").querySelector("tbody").replaceChildren(clear, ...rows);
  }

  function queueChart(answer) {
    const c = V.chart("wi-chart");
    if (!c) return;
    const hours = answer.baseline.hourly.map((r) => r.hour);
    c.setOption({
      animation: false, grid: { left: 36, right: 12, top: 28, bottom: 22 }, tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { fontSize: 11 } }, xAxis: { type: "category", data: hours }, yAxis: { type: "value" },
      series: [
        { name: W.wi_before, type: "line", data: answer.baseline.hourly.map((r) => r.queue), itemStyle: { color: "#b3202a" } },
        { name: W.wi_after, type: "line", data: answer.scenario.hourly.map((r) => r.queue), itemStyle: { color: "#1a7f37" } },
      ],
    }, true);
  }

  function ticketRows(answer) {
    const after = new Map(answer.scenario.tickets.map((t) => [t.ticket, t]));
    const rows = answer.baseline.tickets.slice(0, 8).map((t) => {
      const tr = V.el("tr", { "data-ticket": t.number });
      const b = after.get(t.ticket) || {};
      tr.append(V.el("td", {}, t.number), V.el("td", { class: "num" }, hhmm(t.expected_call)), V.el("td", { class: "num" }, hhmm(b.expected_call)));
      return tr;
    });
    $("wi-tickets").querySelector("tbody").replaceChildren(...rows);
  }

  async function run(event) {
    event.preventDefault();
    $("wi-run").disabled = true;
    $("wi-status").textContent = W.wi_running;
    const started = performance.now();
    try {
      const response = await fetch(`/api/halls/${hall}/whatif`, {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": await token() },
        body: JSON.stringify({ changes: changes(), replications: 50 }),
      });
      const body = await response.json();
      today = response.ok ? body.as_of.slice(0, 10) : today;
      if (!response.ok) {
        $("wi-status").textContent = zh ? `${W.wi_failed}：${body.error.message_zh}` : `${W.wi_failed}: ${body.error.message}`;
        return;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      $("wi-status").textContent = W.wi_done.replace("{n}", body.replications).replace("{s}", seconds)
        + (body.changes.length ? "" : ` ${W.wi_no_changes}`);
      $("wi-result").hidden = false;
      kpiRows(body);
      queueChart(body);
      ticketRows(body);
      $("wi-source").textContent = zh ? `${W.wi_source}：${body.profile.source_zh}` : `${W.wi_source}: ${body.profile.source}`;
      document.body.dataset.whatifAt = body.as_of;
    } finally {
      $("wi-run").disabled = false;
    }
  }

  $("wi-form").addEventListener("submit", run);
  loadWindows();
})();
