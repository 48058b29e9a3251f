// Kiosk: choose a matter group, then a matter; the ticket is shown and can be printed.
// Appointment holders check in with their booking code (typed, or by a QR scanner that
// types it into the focused field) or their ID card number, and get the same ticket view.
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
  document.documentElement.classList.remove("large"); // the next citizen starts as usual
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
  box.textContent = T.kiosk_error.replace("{m}", message);
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

function showTicket(ticket, note) {
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
  const message = $("tk-message");
  message.hidden = !note;
  message.textContent = note ? note.text : "";
  message.classList.toggle("late", Boolean(note && note.late));
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
    if (!response.ok) {
      showError(errorText(body));
      refreshIssuing();
    } else showTicket(body);
  } catch {
    showError(T.network_error);
  } finally {
    $("kiosk-busy").hidden = true;
    buttons.forEach((b) => { b.disabled = false; });
  }
}

function openCheckin() {
  show($("step-checkin"));
  $("checkin-error").hidden = true;
  $("checkin-input").value = "";
  $("checkin-input").focus();
  idle = setTimeout(home, IDLE_MS);
}

function checkinFailed(message) {
  const box = $("checkin-error");
  box.textContent = T.kiosk_checkin_error.replace("{m}", message);
  box.hidden = false;
  $("checkin-input").select();
}

async function checkIn() {
  const value = $("checkin-input").value.replace(/\s/g, "").toUpperCase();
  if (!value) {
    checkinFailed(T.kiosk_checkin_empty);
    return;
  }
  // An 18-character resident ID (an ID card reader types it); anything else is a code.
  const payload = /^\d{17}[\dX]$/.test(value) ? { id_number: value } : { code: value };
  clearTimeout(idle);
  $("checkin-submit").disabled = true;
  $("kiosk-busy").hidden = false;
  try {
    const response = await fetch(`/api/halls/${encodeURIComponent(data.hall)}/check-ins`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      checkinFailed(errorText(body));
      idle = setTimeout(home, IDLE_MS);
    } else {
      const text = data.lang === "zh" ? body.message_zh : body.message;
      showTicket(body.ticket, { text, late: body.late });
    }
  } catch {
    checkinFailed(T.network_error);
  } finally {
    $("kiosk-busy").hidden = true;
    $("checkin-submit").disabled = false;
  }
}

function pressKey(key) {
  const input = $("checkin-input");
  if (key === "back") input.value = input.value.slice(0, -1);
  else if (key === "clear") input.value = "";
  else input.value += key;
  input.focus();
  clearTimeout(idle);
  idle = setTimeout(home, IDLE_MS);
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

// The hall's issuing now (GET /api/halls/{hall}/issuing): a closed hall says when it opens
// next; a matter not served now, or whose daily tickets are gone, cannot be chosen.
let skew = 0; // the server's clock minus this kiosk's

function when(iso) {
  const options = { weekday: "short", month: "numeric", day: "numeric", hour: "2-digit",
    minute: "2-digit", hour12: false, timeZone: data.timezone };
  if (data.lang !== "zh") return new Date(iso).toLocaleString("en-GB", options);
  const p = Object.fromEntries(new Intl.DateTimeFormat("zh-CN", options)
    .formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${p.month}月${p.day}日（${p.weekday}）${p.hour}:${p.minute}`;
}

function markMatter(code, state) {
  const button = document.querySelector(`.matter-btn[data-matter="${CSS.escape(code)}"]`);
  if (!button) return;
  const note = button.querySelector(".matter-note");
  let text = "";
  if (!state.issuing) text = T.kiosk_not_now.replace("{t}", state.next_open ? when(state.next_open) : "—");
  else if (state.remaining === 0) text = T.kiosk_sold_out;
  else if (state.warning) text = T.kiosk_left.replace("{n}", state.remaining);
  note.textContent = text;
  note.hidden = !text;
  note.classList.toggle("warn", state.issuing && state.remaining !== null);
  button.dataset.closed = state.issuing && state.remaining !== 0 ? "0" : "1";
}

async function refreshIssuing() {
  try {
    const response = await fetch(`/api/halls/${encodeURIComponent(data.hall)}/issuing`);
    if (!response.ok) return;
    const status = await response.json();
    skew = Date.parse(status.at) - Date.now();
    const banner = $("kiosk-closed");
    banner.hidden = status.open;
    $("kiosk-closed-text").textContent = data.lang === "zh" ? status.message_zh : status.message;
    for (const [code, state] of Object.entries(status.matters)) markMatter(code, state);
    tickClock();
  } catch {
    // The server decides anyway when a ticket is taken; the next refresh tries again.
  }
}

function tickClock() {
  const locale = data.lang === "zh" ? "zh-CN" : "en-GB";
  $("kiosk-clock").textContent = new Date(Date.now() + skew).toLocaleString(locale, {
    month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit",
    timeZone: data.timezone,
  });
}

document.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.dataset.group) openGroup(target.dataset.group);
  else if ("checkin" in target.dataset) openCheckin();
  else if (target.dataset.key) pressKey(target.dataset.key);
  else if (target.dataset.matter) take(target.dataset.matter);
  else if ("back" in target.dataset || target.id === "tk-done") home();
  else if (target.id === "tk-print") window.print();
  else if (target.id === "kiosk-large") document.documentElement.classList.toggle("large");
});

$("checkin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  checkIn();
});

// Set-up by an admin: /halls/{hall}/kiosk#kiosk-token=... hands the device token to the
// server once, which keeps it in this kiosk's cookie; the token leaves the address bar.
async function setUpDevice() {
  const match = /(?:^#|&)kiosk-token=([^&]+)/.exec(location.hash);
  if (!match) return;
  history.replaceState(null, "", location.pathname + location.search);
  const response = await fetch(`/api/halls/${encodeURIComponent(data.hall)}/kiosk-device`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify({ token: decodeURIComponent(match[1]) }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const error = body && body.error;
    $("kiosk-error").textContent = error ? (data.lang === "zh" ? error.message_zh : error.message)
      : String(response.status);
    $("kiosk-error").hidden = false;
  }
}

setUpDevice();
tickClock();
setInterval(tickClock, 10000);
setInterval(refreshWaiting, 20000);
refreshIssuing();
setInterval(refreshIssuing, 30000);
document.body.dataset.ready = "1";
