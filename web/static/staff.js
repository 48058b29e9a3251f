// Staff console: sign in, choose a window, call and serve tickets (buttons and keyboard).
// Talks to the JSON API with fetch; every write carries the session's CSRF token.
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
// The desk follows the hall's feed (the screens' WebSocket): every change there re-reads
// the desk. A slow tick moves the minutes waited on; nothing polls for changes.
const TICK_MS = 60000;
const REFRESH_DEBOUNCE_MS = 150;
const KEYS = { n: "call-next", " ": "call-next", r: "recall", x: "no-show", s: "start",
  f: "finish", t: "transfer", p: "park" };
const OUTCOMES = ["completed", "materials_missing", "rejected", "referred"];
const state = { me: null, csrf: null, hall: null, number: null, desk: null, matters: {},
  historyFor: undefined, timer: null, busy: false, feed: null, feedHall: null, windows: [],
  skew: 0, countdown: null, pending: null, confirm: false };

class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.error = error || { message: T.network_error, message_zh: T.network_error };
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204) return null;
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, json && json.error);
  return json;
}

// ---------------------------------------------------------------- messages

function showError(box, err) {
  const error = err instanceof ApiError ? err.error : { message: String(err), message_zh: String(err) };
  const [first, second] = data.lang === "zh"
    ? [error.message_zh, error.message] : [error.message, error.message_zh];
  box.replaceChildren(document.createTextNode(first || ""));
  if (second && second !== first) {
    const small = document.createElement("small");
    small.textContent = second;
    box.append(small);
  }
  box.hidden = false;
}

function toast(text, bad = false) {
  const box = $("toast");
  box.textContent = text;
  box.classList.toggle("bad", bad);
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}

function fail(err) {
  if (err instanceof ApiError && err.status === 401) return showSignIn();
  showError($("console-error"), err);
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const matterName = (code) => state.matters[code] || code;
const minutes = (n) => (n === null || n === undefined ? "—" : `${n} ${T.staff_min}`);

// ---------------------------------------------------------------- views

function showView(name) {
  for (const view of ["signin", "choose", "desk"]) $(`view-${view}`).hidden = view !== name;
  $("bar").hidden = name === "signin";
  $("console").dataset.view = name;
  $("console-error").hidden = true;
}

function showSignIn() {
  stopDesk();
  state.me = null;
  state.csrf = null;
  showView("signin");
  $("username").focus();
}

async function signedIn(me, fresh) {
  state.me = me;
  state.csrf = me.csrf_token;
  $("bar-who").textContent = `${T.staff_signed_in_as} ${me.job_number}`;
  if (fresh && data.next !== "/staff") {
    window.location.assign(data.next);
    return;
  }
  const mine = await api("GET", "/api/me/window");
  if (mine.window) await enterDesk(mine.window.hall, mine.window.number);
  else await chooseWindow();
}

async function boot() {
  try {
    await signedIn(await api("GET", "/api/session"), false);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) showSignIn();
    else fail(err);
  }
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("signin-error").hidden = true;
  $("signin-submit").disabled = true;
  try {
    const me = await api("POST", "/api/session",
      { username: $("username").value.trim(), password: $("password").value });
    $("password").value = "";
    await signedIn(me, true);
  } catch (err) {
    showError($("signin-error"), err);
  } finally {
    $("signin-submit").disabled = false;
  }
});

$("btn-signout").addEventListener("click", async () => {
  try {
    await api("DELETE", "/api/session");
  } catch {
    // Signed out already (or offline): the sign-in form is the right place either way.
  }
  showSignIn();
});

// ---------------------------------------------------------------- choosing a window

function myHalls() {
  const all = state.me.halls.includes("*");
  return data.halls.filter((h) => all || state.me.halls.includes(h.id));
}

async function chooseWindow() {
  stopDesk();
  showView("choose");
  for (const id of ["btn-pause", "btn-resume", "btn-leave"]) $(id).hidden = true;
  $("bar-window").textContent = "";
  $("bar-status").hidden = true;
  const select = $("hall-select");
  const halls = myHalls();
  select.replaceChildren(...halls.map((h) =>
    el("option", { value: h.id, textContent: data.lang === "zh" ? h.name : h.name_en })));
  if (state.hall && halls.some((h) => h.id === state.hall)) select.value = state.hall;
  await loadWindows(select.value);
}

$("hall-select").addEventListener("change", (event) => loadWindows(event.target.value).catch(fail));

async function loadWindows(hall) {
  state.hall = hall;
  showOverviewLink(hall);
  const windows = await api("GET", `/api/halls/${encodeURIComponent(hall)}/windows`);
  $("windows").replaceChildren(...windows.map((w) => {
    const free = w.status === "closed";
    const label = free ? T.staff_window_free : T[`staff_window_${w.status}`];
    const tile = el("button", { type: "button", className: "window-tile", disabled: !free },
      el("strong", { textContent: T.staff_window_n.replace("{n}", w.number) }),
      el("span", { textContent: data.lang === "zh" ? w.name : w.name_en }),
      el("span", { className: `badge ${w.status}`, textContent: label }));
    tile.dataset.window = w.number;
    return tile;
  }));
}

$("windows").addEventListener("click", async (event) => {
  const tile = event.target.closest("[data-window]");
  if (!tile || tile.disabled) return;
  const number = Number(tile.dataset.window);
  try {
    await api("POST", `/api/halls/${encodeURIComponent(state.hall)}/windows/${number}/sign-in`);
    await enterDesk(state.hall, number);
  } catch (err) {
    fail(err);
    await loadWindows(state.hall).catch(fail);
  }
});

function showOverviewLink(hall) {
  const link = $("bar-overview");
  link.hidden = !state.me || state.me.role === "clerk";
  link.href = `/halls/${encodeURIComponent(hall)}/overview`;
  $("bar-cases").hidden = !state.me;
  $("bar-cases").href = `/halls/${encodeURIComponent(hall)}/cases`;
}

// ---------------------------------------------------------------- at the window

const base = () => `/api/halls/${encodeURIComponent(state.hall)}/windows/${state.number}`;

async function enterDesk(hall, number) {
  state.hall = hall;
  state.number = number;
  state.historyFor = undefined;
  showOverviewLink(hall);
  const [matters, windows] = await Promise.all([
    api("GET", `/api/halls/${encodeURIComponent(hall)}/matters`),
    api("GET", `/api/halls/${encodeURIComponent(hall)}/windows`),
  ]);
  state.matters = Object.fromEntries(matters.map((m) =>
    [m.code, data.lang === "zh" ? m.name : m.name_en]));
  state.windows = windows;
  fillTransferMatters(matters);
  $("cannot-matter").replaceChildren(el("option", { value: "", textContent: "—" }),
    ...matters.map((m) => el("option", { value: m.code, textContent: data.lang === "zh" ? m.name : m.name_en })));
  showView("desk");
  await refresh();
  follow(hall);
  state.timer = setInterval(() => refresh().catch(fail), TICK_MS);
  state.countdown = setInterval(() => { if (state.desk) enableActions(state.desk); }, 1000);
}

function stopDesk() {
  clearInterval(state.timer);
  clearInterval(state.countdown);
  state.timer = state.countdown = null;
  state.desk = null;
  if (state.feed) state.feed.close();
  state.feed = state.feedHall = null;
  $("bar-live").hidden = true;
}

// Follow the hall's feed: any message means something changed in the hall.
function follow(hall) {
  if (state.feedHall === hall && state.feed) return;
  if (state.feed) state.feed.close();
  state.feedHall = hall;
  state.feed = new window.ScreenClient(hall, {
    onState: () => scheduleRefresh(),
    onLink: (up) => {
      const dot = $("bar-live");
      dot.hidden = false;
      dot.dataset.live = up ? "1" : "0";
      dot.textContent = up ? T.staff_live : T.staff_offline;
    },
  });
  state.feed.connect();
}

function scheduleRefresh() {
  clearTimeout(state.pending);
  state.pending = setTimeout(() => refresh().catch(fail), REFRESH_DEBOUNCE_MS);
}

function fillTransferMatters(matters) {
  $("transfer-matter").replaceChildren(el("option", { value: "", textContent: "—" }),
    ...matters.map((m) => el("option", { value: m.code,
      textContent: `${data.lang === "zh" ? m.name : m.name_en} (${m.code})` })));
}

// The matters only the special windows take (a "*" window skips them), as the server rules.
function reserved() {
  return new Set(state.windows.filter((w) => ["pickup", "could_not_get_it_done"].includes(w.kind))
    .flatMap((w) => w.skills.filter((s) => s !== "*")));
}

function takes(w, matter, skip) {
  return w.skills.includes(matter) || (w.skills.includes("*") && !skip.has(matter));
}

// Each window with its state now; those that cannot take the ticket's matter are disabled.
function fillTransferWindows() {
  const matter = state.desk && state.desk.current ? state.desk.current.matter : null;
  const skip = reserved();
  $("transfer-window").replaceChildren(el("option", { value: "", textContent: "—" }),
    ...state.windows.filter((w) => w.number !== state.number).map((w) => {
      const able = matter === null || takes(w, matter, skip);
      const label = able ? T[`staff_window_${w.status}`] : T.staff_window_lacks;
      const option = el("option", { value: String(w.number), disabled: !able,
        textContent: `${T.staff_window_n.replace("{n}", w.number)} · ${
          data.lang === "zh" ? w.name : w.name_en} · ${label}` });
      option.dataset.status = w.status;
      return option;
    }));
}

async function openTransfer() {
  state.confirm = false;
  $("transfer-note").hidden = true;
  $("transfer-ok").textContent = T.staff_confirm;
  try {
    state.windows = await api("GET", `/api/halls/${encodeURIComponent(state.hall)}/windows`);
  } catch (err) {
    fail(err);
  }
  fillTransferWindows();
  openDialog("dlg-transfer");
}

function askToConfirm(text) {
  state.confirm = true;
  const note = $("transfer-note");
  note.textContent = text;
  note.hidden = false;
  $("transfer-ok").textContent = T.staff_transfer_anyway;
}

// Where would the ticket wait with nobody serving? (null: somebody serves there now)
function nobodyThere(matter, win) {
  if (win) {
    const w = state.windows.find((x) => x.number === Number(win));
    if (w && w.status !== "open") return T.staff_window_n.replace("{n}", w.number);
    return null;
  }
  const skip = reserved();
  const open = state.windows.some((w) => w.status === "open" && takes(w, matter, skip));
  return open ? null : `“${matterName(matter)}”（${T.staff_transfer_no_window}）`;
}

async function refresh() {
  if (state.number === null) return;
  const hall = encodeURIComponent(state.hall);
  const [desk, today] = await Promise.all([
    api("GET", `${base()}/queue`),
    api("GET", `/api/halls/${hall}/me/today`),
  ]);
  if (desk.window.status === "closed" || desk.window.staff !== state.me.job_number) {
    state.number = null;
    await chooseWindow();
    return;
  }
  state.desk = desk;
  if (desk.at) state.skew = Date.parse(desk.at) - Date.now();
  renderDesk(desk);
  renderToday(today);
  const currentId = desk.current ? desk.current.id : null;
  if (currentId !== state.historyFor) await loadHistory(currentId);
}

function renderToday(today) {
  $("today-called").textContent = today.called;
  $("today-finished").textContent = today.finished;
  $("today-no-show").textContent = today.no_show;
}

function renderDesk(desk) {
  const w = desk.window;
  $("bar-window").textContent = `${T.staff_window_n.replace("{n}", w.number)} · ${
    data.lang === "zh" ? w.name : w.name_en}`;
  const badge = $("bar-status");
  badge.hidden = false;
  badge.className = `badge ${w.status}`;
  badge.textContent = T[`staff_window_${w.status}`];
  $("btn-pause").hidden = w.status !== "open";
  $("btn-resume").hidden = w.status !== "paused";
  $("btn-leave").hidden = false;
  renderCurrent(desk.current);
  enableActions(desk);
  renderQueue(desk.queue);
  renderParked(desk.parked);
}

function renderCurrent(ticket) {
  const box = $("current");
  box.dataset.ticket = ticket ? ticket.id : "";
  box.dataset.status = ticket ? ticket.status : "";
  if (!ticket) {
    box.replaceChildren(el("span", { className: "none", textContent: T.staff_none }));
    return;
  }
  box.replaceChildren(
    el("span", { className: "num", textContent: ticket.number }),
    el("span", { className: "meta" },
      el("strong", { textContent: matterName(ticket.matter) }), " · ",
      el("span", { className: `badge ${ticket.status === "serving" ? "open" : "paused"}`,
        textContent: T[`status_${ticket.status}`] }), " ",
      ticket.green ? el("span", { className: "badge green", textContent: T.staff_green }) : null,
      " ", el("span", { textContent: minutes(ticket.minutes) })));
}

// The no-show rule's countdown: recalls still needed, then the grace after the last call.
function noShowWait(current) {
  if (!current || current.status !== "called") return null;
  if (current.recalls_needed > 0) return T.staff_no_show_recalls.replace("{n}", current.recalls_needed);
  if (!current.no_show_from) return null;
  const left = Math.ceil((Date.parse(current.no_show_from) - (Date.now() + state.skew)) / 1000);
  if (left <= 0) return null;
  const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  return T.staff_no_show_in.replace("{s}", text);
}

function enableActions(desk) {
  const status = desk.current ? desk.current.status : null;
  const wait = noShowWait(desk.current);
  const noShow = document.querySelector('#actions [data-action="no-show"]');
  const hint = noShow.querySelector(".wait") || noShow.appendChild(el("small", { className: "wait" }));
  hint.textContent = wait || "";
  hint.hidden = !wait;
  const allowed = {
    "call-next": !status && desk.window.status === "open",
    recall: status === "called",
    "no-show": status === "called" && !wait,
    start: status === "called",
    finish: status === "serving",
    transfer: status !== null,
    park: status !== null,
  };
  for (const button of document.querySelectorAll("#actions [data-action]")) {
    button.disabled = state.busy || !allowed[button.dataset.action];
  }
  $("btn-help").disabled = status === null;
}

function renderQueue(queue) {
  $("queue-count").textContent = queue.length;
  $("queue-empty").hidden = queue.length > 0;
  $("queue").querySelector("tbody").replaceChildren(...queue.map((item) => {
    const tags = [];
    if (item.green) tags.push(el("span", { className: "badge green", textContent: T.staff_green }));
    if (item.source === "appointment") {
      tags.push(el("span", { className: "badge appointment", textContent: T.staff_appointment }));
    }
    if (item.assigned_window === state.number) {
      tags.push(el("span", { className: "badge", textContent: T.staff_for_you }));
    }
    const row = el("tr", {},
      el("td", { textContent: item.position }),
      el("td", { className: "num", textContent: item.number }),
      el("td", {}, matterName(item.matter), " ", ...tags),
      el("td", { textContent: minutes(item.waited_minutes) }),
      el("td", { textContent: minutes(item.estimated_wait_minutes) }));
    row.dataset.ticket = item.id;
    return row;
  }));
}

function renderParked(parked) {
  $("parked-panel").hidden = parked.length === 0;
  $("parked").querySelector("tbody").replaceChildren(...parked.map((item) => {
    const button = el("button", { type: "button", className: "btn ghost",
      textContent: T.staff_resume_ticket });
    button.dataset.resume = item.id;
    return el("tr", {},
      el("td", { className: "num", textContent: item.number }),
      el("td", { textContent: matterName(item.matter) }),
      el("td", { textContent: item.reason || "" }),
      el("td", { textContent: minutes(item.parked_minutes) }),
      el("td", {}, button));
  }));
}

async function loadHistory(ticketId) {
  state.historyFor = ticketId;
  const list = $("history");
  if (!ticketId) {
    list.replaceChildren();
    return;
  }
  const body = await api("GET", `/api/tickets/${encodeURIComponent(ticketId)}/events`);
  const locale = data.lang === "zh" ? "zh-CN" : "en-GB";
  list.replaceChildren(...body.events.map((e) => {
    const details = [];
    if (e.window !== undefined) details.push(T.staff_window_n.replace("{n}", e.window));
    if (e.outcome) details.push(T[`outcome_${e.outcome}`] || e.outcome);
    if (e.to_window) details.push(`→ ${T.staff_window_n.replace("{n}", e.to_window)}`);
    if (e.to_matter && e.to_matter !== e.from_matter) details.push(`→ ${matterName(e.to_matter)}`);
    if (e.reason) details.push(e.reason);
    const item = el("li", {},
      el("time", { textContent: new Date(e.at).toLocaleTimeString(locale) }),
      el("span", { textContent: T[`event_${e.kind}`] || e.kind }),
      el("span", { className: "sub", textContent: details.join(" · ") }),
      el("span", { className: "actor", textContent: e.actor }));
    item.dataset.kind = e.kind;
    return item;
  }));
}

// ---------------------------------------------------------------- actions

async function act(action, body) {
  if (state.busy) return;
  state.busy = true;
  $("console-error").hidden = true;
  try {
    const result = await api("POST", `${base()}/${action}`, body);
    if (action === "call-next") {
      toast(result.ticket ? T.staff_called_msg.replace("{n}", result.ticket.number) : T.staff_nobody);
    } else {
      toast(T.staff_done_msg);
    }
  } catch (err) {
    fail(err);
  } finally {
    state.busy = false;
  }
  state.historyFor = undefined; // the current ticket's history has grown
  await refresh().catch(fail);
}

function openDialog(id) {
  const dialog = $(id);
  if (!dialog.open) dialog.showModal();
}

function requestAction(action) {
  if (action === "finish") openDialog("dlg-finish");
  else if (action === "transfer") openTransfer();
  else if (action === "park") {
    $("park-reason").value = "";
    openDialog("dlg-park");
  } else act(action);
}

$("actions").addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button || button.disabled) return;
  button.blur(); // so that Space means "call next", not "press the last button again"
  requestAction(button.dataset.action);
});

function finishWith(outcome) {
  $("dlg-finish").close();
  if (outcome === "rejected") { // 否定答复: the reason is asked for and reported
    $("refusal-reason").value = "";
    openDialog("dlg-refusal");
    return;
  }
  act("finish", { outcome });
}

$("refusal-form").addEventListener("submit", (event) => {
  const reason = $("refusal-reason").value.trim();
  if (!reason) {
    event.preventDefault();
    return;
  }
  act("finish", { outcome: "rejected", reason });
});

// 帮办 and 办不成事 from the window, and the clerk's own cases.
$("btn-help").addEventListener("click", async () => {
  const current = state.desk && state.desk.current;
  if (!current) return;
  try {
    await api("POST", `/api/tickets/${encodeURIComponent(current.id)}/help`, { note: "" });
    toast(T.console_help_sent);
  } catch (err) {
    fail(err);
  }
});

$("btn-cannot").addEventListener("click", () => {
  $("cannot-summary").value = "";
  openDialog("dlg-cannot");
});

$("cannot-form").addEventListener("submit", async (event) => {
  const summary = $("cannot-summary").value.trim();
  if (!summary) {
    event.preventDefault();
    return;
  }
  const current = state.desk && state.desk.current;
  const body = { kind: "cannot_handle", summary };
  if (current) body.ticket = current.id;
  if ($("cannot-matter").value) body.matter = $("cannot-matter").value;
  try {
    await api("POST", `/api/halls/${encodeURIComponent(state.hall)}/cases`, body);
    toast(T.console_cannot_sent);
  } catch (err) {
    fail(err);
  }
});

$("dlg-finish").addEventListener("click", (event) => {
  const choice = event.target.closest("[data-outcome]");
  if (choice) finishWith(choice.dataset.outcome);
});

$("dlg-finish").addEventListener("keydown", (event) => {
  const index = ["1", "2", "3", "4"].indexOf(event.key);
  if (index < 0) return;
  event.preventDefault();
  finishWith(OUTCOMES[index]);
});

$("transfer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const matter = $("transfer-matter").value;
  const win = $("transfer-window").value;
  if (!matter && !win) return;
  const body = {};
  if (matter) body.matter = matter;
  if (win) body.window = Number(win);
  const where = nobodyThere(matter, win);
  if (where && !state.confirm) {
    askToConfirm(T.staff_transfer_nobody.replace("{where}", where));
    return;
  }
  if (state.confirm) body.confirm = true;
  try {
    await api("POST", `${base()}/transfer`, body);
  } catch (err) {
    if (err instanceof ApiError && err.error.code === "nobody_serves_there") {
      askToConfirm(data.lang === "zh" ? err.error.message_zh : err.error.message);
    } else {
      showError($("transfer-note"), err);
    }
    return;
  }
  $("dlg-transfer").close();
  $("transfer-matter").value = "";
  $("transfer-window").value = "";
  toast(T.staff_done_msg);
  state.historyFor = undefined;
  await refresh().catch(fail);
});

for (const id of ["transfer-matter", "transfer-window"]) {
  $(id).addEventListener("change", () => {
    state.confirm = false;
    $("transfer-note").hidden = true;
    $("transfer-ok").textContent = T.staff_confirm;
  });
}

$("park-form").addEventListener("submit", () => {
  act("park", { reason: $("park-reason").value.trim() });
});

for (const close of document.querySelectorAll("dialog [data-close]")) {
  close.addEventListener("click", () => close.closest("dialog").close());
}

$("parked").addEventListener("click", (event) => {
  const button = event.target.closest("[data-resume]");
  if (button) act("resume-ticket", { ticket: button.dataset.resume });
});

$("btn-pause").addEventListener("click", () => act("pause", {}));
$("btn-resume").addEventListener("click", () => act("resume"));
$("btn-leave").addEventListener("click", async () => {
  try {
    await api("POST", `${base()}/sign-out`);
    state.number = null;
    await chooseWindow();
  } catch (err) {
    fail(err);
  }
});

document.addEventListener("keydown", (event) => {
  if ($("view-desk").hidden || event.ctrlKey || event.altKey || event.metaKey) return;
  if (document.querySelector("dialog[open]")) return;
  if (event.target.closest("input, select, textarea, button[data-resume]")) return;
  const action = KEYS[event.key.toLowerCase()];
  if (!action) return;
  event.preventDefault();
  const button = document.querySelector(`#actions [data-action="${action}"]`);
  if (button && !button.disabled) requestAction(action);
});

boot().finally(() => { document.body.dataset.ready = "1"; });
