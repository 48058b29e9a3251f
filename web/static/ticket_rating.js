// The ticket's phone page, part two: "需要帮办" while the ticket is in the hall, and the
// rating form once it is finished (or the rating given, with one change within 24 h).
import { postRating, wireRatingForm } from "/static/rating_form.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const $ = (id) => document.getElementById(id);
const ticketId = data.ticket.id;
const IN_HALL = new Set(["waiting", "called", "serving", "parked", "expected"]);
const HELP_POLL_MS = 5000;
let changing = false;
let shownFor = null;
let helpTimer = null;

const form = wireRatingForm($("tr-form"), {
  text: T,
  async onSubmit(body) {
    if (changing) body.change = true;
    try {
      const answer = await postRating(ticketId, { ...body, channel: "phone" }, data.lang);
      changing = false;
      showRating({ rating: answer.rating, can_change: !answer.rating.changed && !!answer.rating.change_until });
      $("tr-thanks").textContent = answer.case ? T.rate_thanks_bad : T.rate_thanks;
    } catch (err) {
      throw new Error(err.message || T.rate_error);
    }
  },
});

function showRating(state) {
  const rating = state.rating;
  $("tr-rating").hidden = false;
  $("tr-form-box").hidden = true;
  $("tr-done").hidden = false;
  $("tr-stars").textContent = "★".repeat(rating.score);
  $("tr-level").textContent = rating.default ? T.rate_default : T[`level_${rating.score}`];
  $("tr-change").hidden = !state.can_change;
  $("tr-until").hidden = true;
}

async function loadRating() {
  const response = await fetch(`/api/tickets/${encodeURIComponent(ticketId)}/rating`, { cache: "no-store" });
  if (!response.ok) return;
  const state = await response.json();
  $("tr-rating").hidden = false;
  if (state.rating) {
    showRating(state);
  } else if (state.can_rate) {
    $("tr-form-box").hidden = false;
    form.reset();
    const until = $("tr-until");
    until.hidden = !state.closes_at;
    if (state.closes_at) {
      until.querySelector("span").textContent = new Date(state.closes_at).toLocaleString(
        data.lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: "short" });
    }
  } else {
    $("tr-closed").hidden = false;
  }
}

$("tr-change").addEventListener("click", () => {
  changing = true;
  form.reset();
  $("tr-done").hidden = true;
  $("tr-form-box").hidden = false;
});

function helpText(request) {
  if (!request) return "";
  if (request.status === "closed") return T.help_closed;
  if (request.helper) return T.help_accepted.replace("{job}", request.helper);
  return T.help_sent;
}

function showHelp(request) {
  const status = $("tr-help-status");
  status.textContent = helpText(request);
  status.hidden = !request;
  $("tr-help-btn").hidden = !!request && request.status !== "closed";
  $("tr-help-note").hidden = $("tr-help-btn").hidden;
  clearTimeout(helpTimer);
  if (request && request.status !== "closed") helpTimer = setTimeout(pollHelp, HELP_POLL_MS);
}

async function pollHelp() {
  try {
    const response = await fetch(`/api/tickets/${encodeURIComponent(ticketId)}/help`, { cache: "no-store" });
    if (response.ok) showHelp((await response.json()).case);
  } catch {
    helpTimer = setTimeout(pollHelp, HELP_POLL_MS);
  }
}

$("tr-help-btn").addEventListener("click", async () => {
  $("tr-help-btn").disabled = true;
  try {
    const response = await fetch(`/api/tickets/${encodeURIComponent(ticketId)}/help`, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ note: $("tr-help-note").value.trim() }),
    });
    const json = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (json && json.error) || {};
      throw new Error(data.lang === "zh" ? error.message_zh : error.message);
    }
    showHelp(json.case);
  } catch (err) {
    const status = $("tr-help-status");
    status.textContent = err.message || T.network_error;
    status.hidden = false;
  } finally {
    $("tr-help-btn").disabled = false;
  }
});

function follow(ticket) {
  $("tr-help").hidden = !IN_HALL.has(ticket.status);
  if (ticket.status === "finished" && shownFor !== ticket.id) {
    shownFor = ticket.id;
    loadRating();
  }
}

document.addEventListener("ticket-update", (event) => follow(event.detail));
follow(data.ticket);
pollHelp();
