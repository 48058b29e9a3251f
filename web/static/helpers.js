// The helpers' desk (帮办台): 帮办 requests arrive over WebSocket and ring (an <audio>
// element, after the helper turned the sound on once: browsers only play after a tap);
// the first helper to accept owns the request.
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
const audio = $("hd-audio");
let soundOn = false;
let csrf = null;
let cases = [];
let retry = 500;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

async function post(path, body) {
  if (!csrf) {
    const me = await fetch("/api/session", { credentials: "same-origin" });
    csrf = (await me.json()).csrf_token;
  }
  const response = await fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (json && json.error) || {};
    throw Object.assign(new Error(data.lang === "zh" ? error.message_zh : error.message), { code: error.code });
  }
  return json;
}

function ring() {
  const alert = $("hd-alert");
  alert.hidden = false;
  clearTimeout(ring.timer);
  ring.timer = setTimeout(() => { alert.hidden = true; }, 8000);
  if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  if (soundOn) {
    audio.currentTime = 0;
    audio.play().catch(() => {});
  }
}

function waited(c) {
  return Math.max(0, Math.round((Date.now() - new Date(c.opened_at).getTime()) / 1000));
}

function card(c) {
  const where = c.window !== null ? T.helpers_where_window.replace("{n}", c.window) : T.helpers_where_hall;
  const late = c.status === "open" && (c.overdue || c.escalations > 0);
  const button = el("button", { type: "button",
    className: c.status === "open" ? "accept" : "done",
    textContent: c.status === "open" ? T.helpers_accept : T.helpers_done });
  button.dataset.case = c.id;
  button.dataset.step = c.status === "open" ? "accept" : "close";
  const meta = el("span", { className: "meta" });
  meta.dataset.opened = c.opened_at;
  const node = el("div", { className: `hd-card${late ? " late" : ""}` },
    el("span", { className: "num", textContent: c.ticket || "—" }),
    el("div", {},
      el("div", { className: "where", textContent: where }),
      el("div", { textContent: data.matters[c.matter] || c.matter || "" }),
      meta,
      c.summary ? el("div", { textContent: c.summary }) : null),
    late ? el("span", { className: "pill late", textContent: T.helpers_late }) : null,
    el("span", { className: "spacer" }),
    button);
  node.dataset.case = c.id;
  return node;
}

function tick() {
  for (const meta of document.querySelectorAll(".hd-card .meta")) {
    meta.textContent = T.helpers_waited.replace("{n}", waited({ opened_at: meta.dataset.opened }));
  }
}

function render() {
  const open = cases.filter((c) => c.status === "open");
  const mine = cases.filter((c) => c.status === "accepted");
  $("hd-open").replaceChildren(...open.map(card));
  $("hd-none").hidden = open.length > 0;
  $("hd-mine").replaceChildren(...mine.map(card));
  $("hd-mine-panel").hidden = mine.length === 0;
  tick();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/halls/${encodeURIComponent(data.hall)}/helpers`);
  socket.addEventListener("open", () => { retry = 500; $("hd-offline").hidden = true; });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== "requests") return;
    cases = message.cases;
    render();
    if (message.ring) ring();
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4401 || event.code === 4403) {
      window.location.assign(`/staff?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    $("hd-offline").hidden = false;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}

$("hd-sound").addEventListener("click", () => {
  soundOn = true;
  audio.muted = true; // a first, silent play inside the tap unlocks later plays
  audio.play().catch(() => {}).finally(() => { audio.pause(); audio.muted = false; });
  $("hd-sound").textContent = T.helpers_sound_on;
  $("hd-sound").disabled = true;
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest(".hd-card button");
  if (!button) return;
  button.disabled = true;
  $("hd-error").hidden = true;
  try {
    await post(`/api/cases/${button.dataset.case}/steps`, { step: button.dataset.step });
  } catch (err) {
    $("hd-error").textContent = err.code === "already_accepted" ? `${T.helpers_taken}：${err.message}` : err.message;
    $("hd-error").hidden = false;
    button.disabled = false;
  }
});

setInterval(tick, 1000);
connect();
document.body.dataset.ready = "1";
