// Kiosk: choose a matter group, then a matter; the ticket is shown and can be printed.
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
const fill = (template, n) => template.replace("{n}", String(n));
const RESET_SECONDS = 30;
const IDLE_MS = 60000;
let countdown = null;
let idle = null;

function stopTimers() {
  clearInterval(countdown);
  clearTimeout(idle);
}

function show(step) {
  stopTimers();
  for (const section of document.querySelectorAll(".kiosk-step")) section.hidden = section !== step;
  $("kiosk-error").hidden = true;
  window.scrollTo(0, 0);
}

function home() {
  show($("step-groups"));
}

function openGroup(code) {
  show($(`group-${code}`));
  idle = setTimeout(home, IDLE_MS);
}

function errorText(body) {
  const error = body && body.error;
  if (!error) return T.network_error;
  return data.lang === "zh" ? error.message_zh : error.message;
}

function showError(message) {
  const box = $("kiosk-error");
  box.textContent = `${T.kiosk_error}: ${message}`;
  box.hidden = false;
}

function waitText(ticket) {
  const minutes = ticket.estimated_wait_minutes;
  if (minutes === null || minutes === undefined) return T.kiosk_no_window;
  if (minutes < 1) return T.kiosk_soon;
  return `${T.kiosk_about} ${minutes} ${T.kiosk_minutes}`.trim();
}

function aheadText(ticket) {
  if (ticket.position === null || ticket.position === undefined) return "—";
  return `${ticket.position - 1} ${T.kiosk_people}`.trim();
}

function fillSlip(ticket, matter) {
  $("slip-number").textContent = ticket.number;
  $("slip-matter").textContent = matter.name;
  $("slip-ahead").textContent = aheadText(ticket);
  $("slip-wait").textContent = waitText(ticket);
  $("slip-time").textContent = new Date(ticket.issued_at).toLocaleString(
    data.lang === "zh" ? "zh-CN" : "en-GB",
    { dateStyle: "short", timeStyle: "short", timeZone: data.timezone });
  const list = $("slip-material-list");
  list.replaceChildren(...(matter.materials || []).map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  $("slip-materials").hidden = !(matter.materials || []).length;
}

function showTicket(ticket) {
  const matter = data.matters[ticket.matter] || { name: ticket.matter, materials: [] };
  $("tk-number").textContent = ticket.number;
  $("tk-matter").textContent = matter.name;
  $("tk-ahead").textContent = aheadText(ticket);
  $("tk-wait").textContent = waitText(ticket);
  const qr = `/t/${encodeURIComponent(ticket.id)}/qr.svg`;
  $("tk-qr").src = qr;
  $("slip-qr").src = qr;
  $("ticket-card").dataset.ticket = ticket.id;
  fillSlip(ticket, matter);
  show($("step-ticket"));
  startCountdown();
  if (document.body.classList.contains("autoprint")) {
    $("slip-qr").decode().catch(() => null).then(() => window.print());
  }
}

function startCountdown() {
  let left = RESET_SECONDS;
  $("tk-countdown").textContent = fill(T.kiosk_returning, left);
  countdown = setInterval(() => {
    left -= 1;
    if (left <= 0) home();
    else $("tk-countdown").textContent = fill(T.kiosk_returning, left);
  }, 1000);
}

async function take(code) {
  const buttons = document.querySelectorAll(".matter-btn");
  buttons.forEach((b) => { b.disabled = true; });
  $("kiosk-busy").hidden = false;
  try {
    const response = await fetch(`/api/halls/${encodeURIComponent(data.hall)}/tickets`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ matter: code }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) showError(errorText(body));
    else showTicket(body);
  } catch {
    showError(T.network_error);
  } finally {
    $("kiosk-busy").hidden = true;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function refreshWaiting() {
  try {
    const response = await fetch(`/api/halls/${encodeURIComponent(data.hall)}/groups`);
    if (!response.ok) return;
    for (const group of await response.json()) {
      const badge = document.querySelector(`[data-waiting-for="${CSS.escape(group.code)}"]`);
      if (badge) badge.textContent = fill(T.kiosk_waiting_n, group.waiting);
    }
  } catch {
    // The counts are a courtesy; the next refresh tries again.
  }
}

function tickClock() {
  const locale = data.lang === "zh" ? "zh-CN" : "en-GB";
  $("kiosk-clock").textContent = new Date().toLocaleString(locale, {
    month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit",
    timeZone: data.timezone,
  });
}

document.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.dataset.group) openGroup(target.dataset.group);
  else if (target.dataset.matter) take(target.dataset.matter);
  else if ("back" in target.dataset || target.id === "tk-done") home();
  else if (target.id === "tk-print") window.print();
});

tickClock();
setInterval(tickClock, 10000);
setInterval(refreshWaiting, 20000);
document.body.dataset.ready = "1";
