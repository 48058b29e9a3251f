"use strict";
// The supervisor's dashboard. Today's KPIs follow the hall over the screens' WebSocket
// feed (no polling): every change re-fetches them (debounced), and when waits in progress
// will push a tile across a target with nothing else happening, the API says when
// (recheck_seconds) and the page looks again then. The period loads after first paint.

(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const T = data.dash;
  const zh = data.lang === "zh";
  const hall = encodeURIComponent(data.hall);
  const V = window.DashView;
  const $ = (id) => document.getElementById(id);
  const DEBOUNCE_MS = 250;
  let debounce = null;
  let recheck = null;
  let today = null;

  async function loadToday() {
    clearTimeout(recheck);
    const response = await fetch(`/api/halls/${hall}/kpis`, { cache: "no-store" });
    if (!response.ok) return;
    today = await response.json();
    V.tiles($("tiles"), today.kpis, T, zh);
    V.hourlyCharts(today.hourly, today.kpis, T, zh);
    renderWindows();
    $("dash-asof").textContent = today.as_of.slice(11, 19);
    if (!$("p-to").value) defaultPeriod(today.to);
    if (today.recheck_seconds !== null) {
      recheck = setTimeout(loadToday, Math.min(today.recheck_seconds, 3600) * 1000);
    }
    document.body.dataset.kpisAt = today.as_of;
  }

  function soon() {
    clearTimeout(debounce);
    debounce = setTimeout(loadToday, DEBOUNCE_MS);
  }

  let board = null;
  function renderCalls() {
    const calls = (board && board.recent_calls) || [];
    const items = calls.map((c) => {
      const li = V.el("li", { "data-ticket": c.ticket });
      const where = zh ? `${c.window} 号窗口` : `window ${c.window}`;
      li.append(V.el("b", {}, c.ticket), `→ ${where} · ${V.clock(c.at, board.hall.timezone)}`);
      return li;
    });
    $("calls").replaceChildren(...(items.length ? items : [V.el("li", { class: "muted" }, T.dash_no_calls)]));
  }

  function renderWindows() {
    if (!board) return;
    const work = new Map(((today && today.windows) || []).map((w) => [w.window, w]));
    const rows = board.windows.filter((w) => w.status !== "closed" || work.has(w.number)).map((w) => {
      const done = work.get(w.number) || {};
      return [String(w.number), T[`dash_status_${w.status}`] || w.status, w.staff || "—", w.ticket || "—", String(done.served ?? 0),
        done.handling_time == null ? "—" : done.handling_time.toFixed(1),
        done.utilisation == null ? "—" : `${(done.utilisation * 100).toFixed(0)}%`];
    });
    const tbody = $("windows").querySelector("tbody");
    tbody.replaceChildren(...rows.map((r) => {
      const tr = V.el("tr", { "data-window": r[0] });
      r.forEach((cell) => tr.append(V.el("td", {}, cell)));
      return tr;
    }));
  }

  function link(on) { $("dash-link").dataset.live = on ? "1" : "0"; }

  const client = new window.ScreenClient(data.hall, {
    onState: (state, msg) => {
      board = state;
      renderCalls();
      renderWindows();
      if (msg) soon();
    },
    onLink: link,
  });

  // -- the period ----------------------------------------------------------------------
  function defaultPeriod(hallToday) {
    // The 30 days before the hall's today (by the server's clock, in the hall's zone).
    const day = (offset) => new Date(Date.parse(`${hallToday}T00:00:00Z`) - offset * 86400000).toISOString().slice(0, 10);
    $("p-to").value = day(1);
    $("p-from").value = day(30);
  }
  function range() { return `from=${$("p-from").value}&to=${$("p-to").value}`; }

  function change(now, before) {
    if (now === null || before === null || before === undefined) return "—";
    const delta = now - before;
    const sign = delta > 0 ? "+" : "";
    return Math.abs(before) > 1e-9 ? `${sign}${((delta / Math.abs(before)) * 100).toFixed(1)}%` : `${sign}${delta.toFixed(2)}`;
  }

  function renderPeriod(report) {
    const rows = Object.entries(report.kpis).map(([name, k]) => {
      const met = report.days_met[name];
      const prev = report.previous.kpis[name];
      const year = report.year_before.kpis[name];
      return [V.label(k, zh), k.value === null ? (zh ? k.reason_zh : k.reason) : V.fmt(k, k.value, T),
        k.target === null ? "—" : V.targetText(k, T).replace(`${T.dash_target} `, ""),
        met.share === null ? "—" : `${(met.share * 100).toFixed(0)}% (${met.met}/${met.days})`,
        `${V.fmt(prev, prev.value, T)} (${change(k.value, prev.value)})`,
        `${V.fmt(year, year.value, T)} (${change(k.value, year.value)})`];
    });
    const kpiTable = $("period-kpis");
    V.table(kpiTable, [...kpiTable.querySelectorAll("th")].map((th) => th.textContent), rows);
    V.seriesChart("chart-series", report.series, T, zh);
    const names = ["arrivals", "served", "appointment_wait_general", "appointment_wait_complex", "walkin_wait", "handling_time", "no_show_rate"];
    const head = ["", ...names.map((n) => V.label(report.kpis[n], zh))];
    const slice = (s) => [zh ? s.name : s.name_en, ...names.map((n) => V.fmt(s.kpis[n], s.kpis[n].value, T))];
    V.table($("t-groups"), head, report.groups.map(slice));
    V.table($("t-matters"), head, report.matters.filter((m) => m.kpis.arrivals.value).map(slice));
    const workHead = (first) => [first, T.dash_served, T.dash_handling, T.dash_utilisation, T.dash_signed_in, T.dash_matter_count];
    const work = (key) => (r) => [String(r[key]), String(r.served), r.handling_time == null ? "—" : r.handling_time.toFixed(1),
      r.utilisation == null ? "—" : `${(r.utilisation * 100).toFixed(0)}%`, String(r.signed_in_minutes), String(r.matters)];
    V.table($("t-windows"), workHead(T.dash_window), report.windows.map(work("window")));
    V.table($("t-staff"), workHead(T.dash_staff), report.staff.map(work("staff")));
  }

  async function loadPeriod() {
    $("period-status").hidden = false;
    $("period-status").textContent = T.dash_loading;
    const by = $("p-by").value;
    const base = `/api/halls/${hall}`;
    $("csv-kpis").href = `${base}/report.csv?${range()}&by=${by}&table=kpis`;
    $("csv-tickets").href = `${base}/tickets.csv?${range()}`;
    $("csv-city").href = `/api/kpis.csv?${range()}`; // every hall the supervisor works in
    $("print").href = `/halls/${hall}/report?${range()}&lang=${data.lang}`;
    document.querySelectorAll("[data-csv]").forEach((a) => { a.href = `${base}/report.csv?${range()}&by=${by}&table=${a.dataset.csv}`; });
    const response = await fetch(`${base}/report?${range()}&by=${by}`, { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) {
      $("period-status").textContent = zh ? `${T.dash_error}：${body.error.message_zh}` : `${T.dash_error}: ${body.error.message}`;
      return;
    }
    $("period-status").hidden = true;
    $("period-body").hidden = false;
    renderPeriod(body);
    document.body.dataset.periodAt = body.as_of;
  }

  async function loadLeaders() {
    const metric = $("l-metric").value;
    const response = await fetch(`/api/halls/${hall}/leaderboard?metric=${metric}`, { cache: "no-store" });
    if (!response.ok) return;
    const board = await response.json();
    const reason = zh ? board.reason_zh : board.reason;
    $("leader-def").textContent = `${zh ? board.definition_zh : board.definition} (${board.from} — ${board.to})` + (reason ? ` · ${reason}` : "");
    const rows = board.rows.map((r) => [String(r.rank), r.staff || "—", String(r.value), String(r.n)]);
    const tbody = $("leader").querySelector("tbody");
    const shown = rows.length ? rows : [[reason || T.dash_empty, "", "", ""]];
    tbody.replaceChildren(...shown.map((r) => {
      const tr = V.el("tr");
      r.forEach((cell) => tr.append(V.el("td", {}, cell)));
      return tr;
    }));
  }

  $("period-form").addEventListener("submit", (e) => { e.preventDefault(); loadPeriod(); });
  $("l-metric").addEventListener("change", loadLeaders);
  window.addEventListener("resize", () => document.querySelectorAll(".chart").forEach((n) => {
    const c = window.echarts && echarts.getInstanceByDom(n);
    if (c) c.resize();
  }));

  client.connect();
  // First paint needs nothing; today's figures come next, the period and leaderboard last.
  loadToday().finally(() => { loadPeriod(); loadLeaders(); });
})();
