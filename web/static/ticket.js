// The ticket on a phone: polls the ticket every 5 s and says clearly where to go once called.
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
const POLL_MS = 5000;
const ENDED = new Set(["finished", "no_show", "cancelled"]);
let lastStatus = data.ticket.status;

function statusText(ticket) {
  if (ticket.status === "called") return T.ticket_go_to.replace("{n}", ticket.window);
  if (ticket.status === "serving") return T.ticket_serving.replace("{n}", ticket.window);
  return T[`status_${ticket.status}`] || ticket.status;
}

function render(ticket) {
  const names = data.matters[ticket.matter];
  $("tp-number").textContent = ticket.number;
  $("tp-matter").textContent = names ? names[data.lang] : ticket.matter;
  const status = $("tp-status");
  status.textContent = statusText(ticket);
  status.className = `tp-status ${ticket.status}`;
  $("ticket").dataset.status = ticket.status;
  $("tp-facts").hidden = ticket.status !== "waiting";
  $("tp-position").textContent = ticket.position ?? "—";
  $("tp-wait").textContent = ticket.estimated_wait_minutes ?? "—";
  if (ticket.status === "called" && lastStatus !== "called") {
    document.title = `${statusText(ticket)} · ${ticket.number}`;
    if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
  }
  lastStatus = ticket.status;
  document.dispatchEvent(new CustomEvent("ticket-update", { detail: ticket }));
}

function stamp(ok) {
  const line = $("tp-updated");
  line.classList.toggle("tp-offline", !ok);
  const time = new Date().toLocaleTimeString(data.lang === "zh" ? "zh-CN" : "en-GB");
  line.textContent = ok ? `${T.ticket_updated} ${time}` : T.ticket_offline;
}

async function poll() {
  try {
    const response = await fetch(`/api/tickets/${encodeURIComponent(data.ticket.id)}`, {
      cache: "no-store",
    });
    if (!response.ok) throw new Error(String(response.status));
    render(await response.json());
    stamp(true);
  } catch {
    stamp(false);
  }
  if (!ENDED.has(lastStatus)) setTimeout(poll, POLL_MS);
}

render(data.ticket);
stamp(true);
if (!ENDED.has(lastStatus)) setTimeout(poll, POLL_MS);
document.body.dataset.ready = "1";
