// Booking pages: the details form, moving, and the booking's own page (look up, cancel).
// The steps before the details are plain links rendered by the server.
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
const PHONES = "tongban.phones"; // code → phone, this tab only, so the booking's page reloads
const CODE = /^[2-9A-HJ-NP-Z]{8}$/;

function rememberPhone(code, phone) {
  try {
    const known = JSON.parse(sessionStorage.getItem(PHONES) || "{}");
    known[code] = phone;
    sessionStorage.setItem(PHONES, JSON.stringify(known));
  } catch {
    // No storage: the citizen types the phone again on the next page.
  }
}

function knownPhone(code) {
  try {
    return JSON.parse(sessionStorage.getItem(PHONES) || "{}")[code] || "";
  } catch {
    return "";
  }
}

let shown = { code: "", phone: "" }; // the booking on the page and the phone it was found by

// ------------------------------------------------------------ large type
function setupLargeToggle() {
  const button = $("large-toggle");
  const root = document.documentElement;
  button.setAttribute("aria-pressed", String(root.classList.contains("large")));
  button.addEventListener("click", () => {
    const on = root.classList.toggle("large");
    button.setAttribute("aria-pressed", String(on));
    try {
      localStorage.setItem("tongban.large", on ? "1" : "0");
    } catch {
      // Remembered for this page only.
    }
  });
}

// ------------------------------------------------------------ talking to the API
async function api(method, url, payload) {
  try {
    const response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      cache: "no-store",
    });
    const body = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body,
      retryAfter: response.headers.get("Retry-After") };
  } catch {
    return { ok: false, status: 0, body: null, retryAfter: null };
  }
}

function clearErrors() {
  for (const node of document.querySelectorAll(".field-error[id^=err-]")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  $("form-error").hidden = true;
}

function fieldError(field, message) {
  const slot = $(`err-${field}`);
  if (!slot) return false;
  slot.textContent = message;
  slot.hidden = false;
  const input = slot.previousElementSibling;
  if (input && input.matches("input, select")) input.setAttribute("aria-invalid", "true");
  return true;
}

// Shows an API failure: a sentence on top (in the page's language), hints at the fields.
function showFailure(result, again) {
  const error = result.body && result.body.error;
  const box = $("form-error");
  let message = T.network_error;
  if (error) message = data.lang === "zh" ? error.message_zh : error.message;
  if (result.status === 429 && result.retryAfter) {
    message += ` ${T.bk_wait_seconds.replace("{n}", result.retryAfter)}`;
  }
  box.replaceChildren(`${T.bk_error}${data.lang === "zh" ? "：" : ": "}${message}`);
  box.dataset.code = error ? error.code : "network";
  for (const field of Object.keys((error && error.fields) || {})) {
    fieldError(field, T[`bk_err_${field}`] || message);
  }
  if (again && error && ["slot_full", "not_on_sale"].includes(error.code)) {
    const link = document.createElement("a");
    link.href = again;
    link.textContent = T.bk_pick_again;
    link.id = "pick-again";
    box.append(" ", link);
  }
  box.hidden = false;
  box.scrollIntoView({ block: "center" });
}

// Quick checks before sending (the server checks everything again, and more).
function residentIdOk(value) {
  const id = value.normalize("NFKC").replace(/\s/g, "").toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((total, w, i) => total + w * Number(id[i]), 0);
  return "10X98765432"[sum % 11] === id[17];
}

function cleanPhone(value) {
  return value.normalize("NFKC").replace(/[\s\-()]/g, "");
}

function phoneOk(value) {
  return /^(\+?86)?1[3-9]\d{9}$/.test(cleanPhone(value));
}

function checkPerson(prefix, name, kind, number) {
  let ok = true;
  if (!name.trim()) { fieldError(`${prefix}name`, T.bk_err_name); ok = false; }
  const idOk = kind === "resident_id" ? residentIdOk(number) : number.trim().length >= 5;
  if (!idOk) { fieldError(`${prefix}id_number`, T.bk_err_id_number); ok = false; }
  return ok;
}

function slotsLink(start) {
  const query = new URLSearchParams(location.search);
  query.delete("start");
  query.set("date", start.slice(0, 10));
  return `${location.pathname}?${query}#slots`;
}

function busy(button, on, label) {
  button.disabled = on;
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = label;
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
}

// ------------------------------------------------------------ booking form
function setupBookForm(form) {
  const proxy = $("f-proxy");
  proxy.addEventListener("change", () => { $("proxy-fields").hidden = !proxy.checked; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const value = (id) => $(id).value;
    let ok = checkPerson("", value("f-name"), value("f-id-kind"), value("f-id-number"));
    if (!phoneOk(value("f-phone"))) { fieldError("phone", T.bk_err_phone); ok = false; }
    if (proxy.checked) {
      ok = checkPerson("proxy_", value("f-proxy-name"), value("f-proxy-id-kind"),
        value("f-proxy-id-number")) && ok;
    }
    if (!ok) return;
    const payload = {
      hall: data.hall,
      matter: data.matter,
      start: form.dataset.start,
      name: value("f-name").trim(),
      id_kind: value("f-id-kind"),
      id_number: value("f-id-number").trim(),
      phone: cleanPhone(value("f-phone")),
    };
    if (proxy.checked) {
      payload.proxy = { name: value("f-proxy-name").trim(), id_kind: value("f-proxy-id-kind"),
        id_number: value("f-proxy-id-number").trim() };
    }
    const button = $("book-submit");
    busy(button, true, T.bk_submitting);
    const result = await api("POST", "/api/appointments", payload);
    if (result.ok) {
      rememberPhone(result.body.code, payload.phone);
      location.assign(`/my-bookings?code=${result.body.code}&done=booked`);
      return;
    }
    busy(button, false);
    showFailure(result, slotsLink(form.dataset.start));
  });
}

function setupMoveForm(form) {
  const code = form.dataset.code;
  $("move-phone").value = knownPhone(code);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const phone = cleanPhone($("move-phone").value);
    if (!phoneOk(phone)) {
      fieldError("phone", T.bk_err_phone);
      return;
    }
    const button = $("move-submit");
    busy(button, true, T.bk_submitting);
    const result = await api("POST", `/api/appointments/${code}/move`,
      { phone, start: form.dataset.start });
    if (result.ok) {
      rememberPhone(code, phone);
      location.assign(`/my-bookings?code=${code}&done=moved`);
      return;
    }
    busy(button, false);
    showFailure(result, slotsLink(form.dataset.start));
  });
}

// ------------------------------------------------------------ the booking's page
function clock(hhmm, plusMinutes) {
  const [h, m] = hhmm.split(":").map(Number);
  const total = (((h * 60 + m + plusMinutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

function whenText(booking) {
  const day = booking.start.slice(0, 10);
  const [y, m, d] = day.split("-").map(Number);
  const weekday = T[`weekday_${(new Date(y, m - 1, d).getDay() + 6) % 7}`];
  const times = `${booking.start.slice(11, 16)}–${booking.end.slice(11, 16)}`;
  return data.lang === "zh" ? `${m}月${d}日 ${weekday} ${times}` : `${weekday} ${day} ${times}`;
}

function showBooking(booking, phone, banner) {
  const hall = data.halls[booking.hall] || { name: booking.hall_name, matters: {}, early: 5, late: 15 };
  const matter = hall.matters[booking.matter] || { name: booking.matter_name, materials: [] };
  const box = $("booking");
  box.dataset.code = booking.code;
  box.dataset.status = booking.status;
  $("bk-code").textContent = booking.code;
  $("bk-status").textContent = T[`bk_status_${booking.status}`] || booking.status;
  $("bk-status").className = `bk-status ${booking.status}`;
  $("bk-qr").src = `/book/qr/${booking.code}.svg`;
  $("bk-when").textContent = whenText(booking);
  $("bk-where").textContent = hall.name;
  $("bk-matter").textContent = matter.name;
  $("bk-who").textContent = `${booking.name} · ${booking.phone}`;
  for (const node of document.querySelectorAll(".bk-proxy")) node.hidden = !booking.proxy;
  $("bk-proxy").textContent = booking.proxy || "";
  const start = booking.start.slice(11, 16);
  $("bk-window").textContent = T.bk_checkin_window
    .replace("{from}", clock(start, -hall.early)).replace("{to}", clock(start, hall.late));
  const materials = matter.materials.length ? matter.materials : booking.materials;
  $("bk-materials").replaceChildren(...materials.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  // The calendar file is fetched with the phone in a POST body (never in an address).
  $("bk-calendar").href = "#";
  shown = { code: booking.code, phone };
  // The move page opens on the booking's own day (its start is in the hall's local time).
  const moveQuery = new URLSearchParams({ move: booking.code, date: booking.start.slice(0, 10) });
  $("bk-move").href = `/halls/${booking.hall}/book/${booking.matter}?${moveQuery}`;
  const active = booking.status === "booked";
  for (const id of ["bk-calendar", "bk-move", "bk-cancel", "bk-qr", "bk-qr-note", "bk-window"]) {
    $(id).hidden = !active;
  }
  $("bk-ticket").hidden = !booking.ticket;
  if (booking.ticket) $("bk-ticket").href = `/t/${booking.ticket}`;
  $("bk-banner").hidden = !banner;
  $("bk-banner").textContent = banner || "";
  $("bk-banner").className = `book-banner ${booking.status === "cancelled" ? "" : "ok"}`;
  box.hidden = false;
  $("lookup").hidden = true;
}

async function lookUp(code, phone, banner) {
  const button = $("lookup-submit");
  busy(button, true, T.bk_submitting);
  const result = await api("POST", `/api/appointments/${code}/lookup`, { phone });
  busy(button, false);
  if (!result.ok) {
    $("lookup").hidden = false;
    showFailure(result);
    return;
  }
  rememberPhone(code, phone);
  showBooking(result.body, phone, banner);
}

async function downloadCalendar(code, phone) {
  let response;
  try {
    response = await fetch(`/api/appointments/${code}/calendar`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ phone }),
      cache: "no-store",
    });
  } catch {
    showFailure({ ok: false, status: 0, body: null, retryAfter: null });
    return;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    showFailure({ ok: false, status: response.status, body,
      retryAfter: response.headers.get("Retry-After") });
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `${code}.ics`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function setupMyBookings() {
  const done = new URLSearchParams(location.search).get("done");
  const banners = { booked: T.bk_done, moved: T.bk_moved };
  $("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const code = $("l-code").value.trim().toUpperCase();
    const phone = cleanPhone($("l-phone").value);
    let ok = true;
    if (!CODE.test(code)) { fieldError("code", T.bk_err_code); ok = false; }
    if (!phoneOk(phone)) { fieldError("phone", T.bk_err_phone); ok = false; }
    if (ok) lookUp(code, phone, null);
  });
  $("bk-cancel").addEventListener("click", async () => {
    const code = $("booking").dataset.code;
    if (!window.confirm(T.bk_cancel_confirm.replace("{code}", code))) return;
    const phone = knownPhone(code);
    const result = await api("POST", `/api/appointments/${code}/cancel`, { phone });
    if (result.ok) showBooking(result.body, phone, T.bk_cancelled);
    else showFailure(result);
  });
  $("bk-calendar").addEventListener("click", (event) => {
    event.preventDefault();
    downloadCalendar(shown.code, shown.phone);
  });
  const code = $("lookup").dataset.code;
  const phone = code ? knownPhone(code) : "";
  if (phone) {
    $("l-phone").value = phone;
    lookUp(code, phone, banners[done] || null);
  }
}

setupLargeToggle();
if ($("book-form")) setupBookForm($("book-form"));
if ($("move-form")) setupMoveForm($("move-form"));
if ($("lookup-form")) setupMyBookings();
document.body.dataset.ready = "1";
