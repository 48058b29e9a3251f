"use strict";
// Rendering for the dashboard and the printable report: tiles, tables and ECharts charts.
// Every KPI's name, unit, label and definition comes from the API (the one vocabulary).

const DashView = (() => {
  const ORDER_WAITS = ["appointment_wait_general", "appointment_wait_complex", "walkin_wait", "green_wait"];
  const COLOURS = ["#b3202a", "#1f6feb", "#c77700", "#1a7f37"];

  function el(tag, attrs = {}, text = null) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== null) node.textContent = text;
    return node;
  }

  function label(k, zh) { return zh ? k.label_zh : k.label; }

  function fmt(k, value, T) {
    if (value === null || value === undefined) return "—";
    if (k.unit === "fraction") return `${(value * 100).toFixed(1)}%`;
    if (k.unit === "minutes") return `${value.toFixed(1)} ${T.dash_min}`;
    return String(Math.round(value * 100) / 100);
  }

  function targetText(k, T) {
    if (k.target === null) return T.dash_no_target;
    const sign = k.direction === "at least" ? "≥" : "≤";
    return `${T.dash_target} ${sign} ${fmt(k, k.target, T)}`;
  }

  function tile(name, k, T, zh) {
    const box = el("div", { class: "tile", "data-kpi": name, "data-status": k.status || "none" });
    const reason = k.value === null ? (zh ? k.reason_zh : k.reason) : null;
    box.title = `${label(k, zh)}\n${zh ? k.definition_zh : k.definition}` + (reason ? `\n${reason}` : "");
    if (k.status) box.append(el("span", { class: "verdict" }, T[`dash_${k.status}`]));
    box.append(el("div", { class: "name" }, label(k, zh)));
    const value = el("div", { class: "value" }, k.value === null ? "—" : fmt(k, k.value, T).split(" ")[0]);
    if (k.value !== null && k.unit === "minutes") value.append(el("small", {}, T.dash_min));
    box.append(value);
    const count = k.unit === "count";
    let sub = k.value === null ? reason : (count ? "" : targetText(k, T));
    if (k.value !== null && k.p90 !== undefined && k.p90 !== null) sub += ` · P90 ${k.p90.toFixed(1)} · max ${k.max.toFixed(1)}`;
    if (k.in_progress) sub += ` · ${T.dash_running} ${k.in_progress}`;
    box.append(el("div", { class: "sub" }, count ? sub : `${sub} · ${T.dash_n} ${k.n}`));
    return box;
  }

  function tiles(container, kpis, T, zh) {
    container.replaceChildren(...Object.entries(kpis).map(([name, k]) => tile(name, k, T, zh)));
  }

  function chart(id) {
    const node = document.getElementById(id);
    if (!node || !window.echarts) return null;
    return echarts.getInstanceByDom(node) || echarts.init(node, null, { renderer: "canvas" });
  }

  const GRID = { left: 36, right: 12, top: 28, bottom: 22 };

  function hourlyCharts(rows, kpis, T, zh) {
    const hours = rows.map((r) => `${r.hour}:00`);
    const a = chart("chart-hourly");
    if (a) a.setOption({
      animation: false, grid: GRID, tooltip: { trigger: "axis" }, legend: { top: 0, textStyle: { fontSize: 11 } },
      xAxis: { type: "category", data: hours }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: T.dash_arrivals, type: "bar", data: rows.map((r) => r.arrivals), itemStyle: { color: "#1f6feb" } },
        { name: T.dash_served, type: "bar", data: rows.map((r) => r.served), itemStyle: { color: "#1a7f37" } },
        { name: T.dash_queue, type: "line", data: rows.map((r) => r.queue), itemStyle: { color: "#b3202a" } },
      ],
    }, true);
    const w = chart("chart-waits");
    if (w) w.setOption({
      animation: false, grid: { ...GRID, top: 46, right: 22 }, tooltip: { trigger: "axis" }, legend: { top: 0, textStyle: { fontSize: 11 } },
      // Room for the 10-minute line always; the 30-minute one shows once waits near it.
      xAxis: { type: "category", data: hours }, yAxis: { type: "value", max: (v) => Math.ceil(Math.max(v.max, 10) * 1.15) },
      series: ORDER_WAITS.map((name, i) => ({
        name: label(kpis[name], zh), type: "line", connectNulls: true, itemStyle: { color: COLOURS[i] },
        data: rows.map((r) => r.waits[name]),
        markLine: kpis[name].target === null ? undefined : {
          symbol: "none", silent: true, lineStyle: { type: "dashed", color: COLOURS[i] },
          label: { formatter: `${kpis[name].target}`, fontSize: 10 }, data: [{ yAxis: kpis[name].target }],
        },
      })),
    }, true);
    const o = chart("chart-windows");
    if (o) o.setOption({
      animation: false, grid: GRID, tooltip: { trigger: "axis" }, legend: { top: 0, textStyle: { fontSize: 11 } },
      xAxis: { type: "category", data: hours }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: T.dash_open, type: "bar", data: rows.map((r) => r.windows_open), itemStyle: { color: "#1f6feb" } },
        { name: T.dash_needed, type: "line", step: "middle", data: rows.map((r) => r.windows_needed), itemStyle: { color: "#b3202a" } },
      ],
    }, true);
  }

  function seriesChart(id, series, T, zh) {
    const c = chart(id);
    if (!c || !series.length) return;
    const first = series[0].kpis;
    const line = (name, i, axis) => ({
      name: label(first[name], zh), type: "line", yAxisIndex: axis, connectNulls: true, itemStyle: { color: COLOURS[i] },
      data: series.map((s) => s.kpis[name].value),
    });
    c.setOption({
      animation: false, grid: { ...GRID, right: 40 }, tooltip: { trigger: "axis" }, legend: { top: 0, textStyle: { fontSize: 11 } },
      xAxis: { type: "category", data: series.map((s) => s.key.slice(5)) },
      yAxis: [{ type: "value", name: T.dash_min }, { type: "value", name: T.dash_arrivals, splitLine: { show: false } }],
      series: [
        { name: label(first.arrivals, zh), type: "bar", yAxisIndex: 1, data: series.map((s) => s.kpis.arrivals.value), itemStyle: { color: "#c9d1d9" } },
        line("appointment_wait_general", 0, 0), line("appointment_wait_complex", 1, 0),
        line("walkin_wait", 2, 0), line("handling_time", 3, 0),
      ],
    }, true);
  }

  function table(node, head, rows) {
    const thead = el("thead");
    const tr = el("tr");
    head.forEach((h) => tr.append(el("th", {}, h)));
    thead.append(tr);
    const tbody = el("tbody");
    for (const row of rows) {
      const line = el("tr");
      row.forEach((cell) => line.append(el("td", cell === "—" ? { class: "null" } : {}, cell)));
      tbody.append(line);
    }
    node.replaceChildren(thead, tbody);
  }

  function clock(iso, zone) {
    return new Date(iso).toLocaleTimeString("zh-CN", { timeZone: zone, hour12: false });
  }

  return { el, fmt, label, targetText, tiles, hourlyCharts, seriesChart, table, chart, clock };
})();

window.DashView = DashView;
