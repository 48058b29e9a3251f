// Guide desk (导办台): a member of staff issues tickets on citizens' behalf, green-channel
// ones with the reason; the queue by group follows the hall's feed (the screens' socket).
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
const hall = encodeURIComponent(data.hall);
let csrf = null;

function message(error) {
  if (!error) return T.network_error;
  return data.lang === "zh" ? error.message_zh : error.message;
}

async function session() {
  const response = await fetch("/api/session", { credentials: "same-origin" });
  if (response.status === 401) {
    window.location.assign(`/staff?next=${encodeURIComponent(window.location.pathname)}`);
    return;
  }
  csrf = (await response.json()).csrf_token;
}

function selected(name) {
  const input = document.querySelector(`input[name="${name}"]:checked`);
  return input ? input.value : null;
}

function showTicket(ticket) {
  $("guide-result").hidden = false;
  $("guide-number").textContent = ticket.number;
  $("guide-matter-name").textContent = data.matters[ticket.matter] || ticket.matter;
  $("guide-green").hidden = !ticket.green;
  const facts = [];
  if (ticket.position) facts.push(T.guide_ahead.replace("{n}", ticket.position - 1));
  const minutes = ticket.estimated_wait_minutes;
  facts.push(minutes === null || minutes === undefined
    ? T.guide_no_window : T.guide_wait.replace("{n}", minutes));
  $("guide-facts").textContent = facts.join(" · ");
  $("guide-result").dataset.ticket = ticket.id;
}

async function issue(matter) {
  $("guide-error").hidden = true;
  const green = selected("kind") === "green";
  const body = { matter, on_behalf: true };
  if (green) Object.assign(body, { green: true, reason: selected("reason") });
  for (const b of document.querySelectorAll(".guide-matter")) b.disabled = true;
  try {
    const response = await fetch(`/api/halls/${hall}/tickets`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
        "X-CSRF-Token": csrf || "" },
      body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => null);
    if (!response.ok) throw new Error(message(json && json.error));
    showTicket(json);
  } catch (err) {
    const box = $("guide-error");
    box.textContent = T.guide_error.replace("{m}", err.message);
    box.hidden = false;
  } finally {
    for (const b of document.querySelectorAll(".guide-matter")) b.disabled = false;
    refreshIssuing();
  }
}

function renderQueue(board) {
  const rows = (board.waiting || []).map((line) => {
    const tr = document.createElement("tr");
    tr.dataset.group = line.line;
    const wait = line.estimated_wait_minutes;
    for (const text of [data.groups[line.line] || line.name, String(line.waiting),
      wait === null || wait === undefined ? "—" : T.guide_minutes.replace("{n}", wait)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  $("guide-queue").querySelector("tbody").replaceChildren(...rows);
}

async function refreshIssuing() {
  try {
    const response = await fetch(`/api/halls/${hall}/issuing`);
    if (!response.ok) return;
    const status = await response.json();
    const banner = $("guide-closed");
    banner.hidden = status.open;
    banner.textContent = status.open ? "" : (data.lang === "zh" ? status.message_zh : status.message);
    for (const [code, state] of Object.entries(status.matters)) {
      const note = document.querySelector(`[data-note-for="${CSS.escape(code)}"]`);
      if (!note) continue;
      const parts = [];
      if (!state.issuing) parts.push(T.guide_not_now);
      if (state.remaining !== null) parts.push(T.guide_left.replace("{n}", state.remaining));
      note.textContent = parts.join(" · ");
      note.closest("button").classList.toggle("not-now", !state.issuing);
    }
  } catch {
    // A courtesy; the next change in the hall tries again.
  }
}

$("kind-green").closest("fieldset").addEventListener("change", () => {
  $("guide-reasons").disabled = selected("kind") !== "green";
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-matter]");
  if (button && !button.disabled) issue(button.dataset.matter);
});
$("guide-print").addEventListener("click", () => window.print());

const feed = new window.ScreenClient(data.hall, {
  onState: (board, msg) => { renderQueue(board); if (msg) refreshIssuing(); },
  onLink: (up) => {
    const dot = $("guide-live");
    dot.dataset.live = up ? "1" : "0";
    dot.textContent = up ? T.guide_live : T.guide_offline;
  },
});
session().then(() => {
  feed.connect();
  refreshIssuing();
}).finally(() => { document.body.dataset.ready = "1"; });
