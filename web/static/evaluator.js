// The window's evaluator (评价器): follows its window over WebSocket and asks for a rating
// once the clerk finishes a ticket; thanks the citizen and goes back to idle.
import { postRating, wireRatingForm } from "/static/rating_form.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
const THANKS_MS = 5000;
const STORE = `tongban-evaluator:${data.hall}:${data.window}`;
const key = data.key || localStorage.getItem(STORE) || "";
if (data.key) localStorage.setItem(STORE, data.key);

let current = null; // the ticket being rated
let skipped = null; // the ticket the citizen chose not to rate
let thanksUntil = 0;
let retry = 500;

function show(state) {
  document.body.dataset.state = state;
  for (const name of ["idle", "rate", "thanks", "unpaired"]) $(`ev-${name}`).hidden = name !== state;
}

const form = wireRatingForm($("ev-form"), {
  text: T,
  onSkip() {
    skipped = current && current.id;
    current = null;
    show("idle");
  },
  async onSubmit(body) {
    const ticket = current;
    try {
      const answer = await postRating(ticket.id, { ...body, channel: "evaluator" }, data.lang);
      thank(answer.case ? T.rate_thanks_bad : T.rate_thanks);
    } catch (err) {
      if (err.code === "already_rated") thank(T.rate_thanks);
      else if (err.code === "rating_closed") show("idle");
      else throw new Error(err.message || T.rate_error);
    }
  },
});

function thank(message) {
  $("ev-thanks-text").textContent = message;
  current = null;
  thanksUntil = Date.now() + THANKS_MS;
  show("thanks");
  setTimeout(() => { if (Date.now() >= thanksUntil && !current) show("idle"); }, THANKS_MS);
}

function onState(message) {
  const staff = $("ev-staff");
  staff.hidden = !message.staff;
  staff.querySelector("strong").textContent = message.staff || "";
  if (message.type === "rate") {
    const ticket = message.ticket;
    if (ticket.id === skipped || (current && current.id === ticket.id)) return;
    current = ticket;
    $("ev-number").textContent = ticket.number;
    $("ev-matter").textContent = data.lang === "zh" ? ticket.matter_name : ticket.matter_name_en;
    form.reset();
    show("rate");
  } else if (message.type === "idle") {
    current = null;
    if (Date.now() >= thanksUntil) show("idle");
  }
}

function connect() {
  if (!key) {
    show("unpaired");
    return;
  }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const path = `/ws/halls/${encodeURIComponent(data.hall)}/windows/${data.window}/evaluator`;
  const socket = new WebSocket(`${scheme}://${location.host}${path}?key=${encodeURIComponent(key)}`);
  socket.addEventListener("open", () => {
    retry = 500;
    $("ev-offline").hidden = true;
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== "ping") onState(message);
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4403) {
      localStorage.removeItem(STORE);
      show("unpaired");
      return;
    }
    $("ev-offline").hidden = false;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}

show(key ? "idle" : "unpaired");
connect();
document.body.dataset.ready = "1";
