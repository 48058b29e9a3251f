// The rating form of the window's evaluator and of the phone page (templates/_rating_form.html):
// big buttons for the five levels, reasons for a rating of 1–2, optional aspects and a comment.
const BAD_MAX = 2;

export function wireRatingForm(form, { text, onSubmit, onSkip }) {
  const $$ = (selector) => [...form.querySelectorAll(selector)];
  const state = { score: null, reasons: new Set(), aspects: {} };
  const error = form.querySelector(".rf-error");
  const reasonsBox = form.querySelector(".rf-reasons");

  function press(button, on) { button.setAttribute("aria-pressed", on ? "true" : "false"); }

  function showError(message) {
    error.textContent = message || "";
    error.hidden = !message;
  }

  function render() {
    for (const b of $$(".rf-score")) press(b, Number(b.dataset.score) === state.score);
    reasonsBox.hidden = state.score === null || state.score > BAD_MAX;
    for (const b of $$(".rf-reason")) press(b, state.reasons.has(b.dataset.reason));
    for (const row of $$(".rf-aspect")) {
      for (const b of row.querySelectorAll(".rf-aspect-score")) {
        press(b, state.aspects[row.dataset.aspect] === Number(b.dataset.value));
      }
    }
    form.dataset.score = state.score ?? "";
  }

  form.addEventListener("click", (event) => {
    const score = event.target.closest(".rf-score");
    const reason = event.target.closest(".rf-reason");
    const aspect = event.target.closest(".rf-aspect-score");
    if (score) {
      state.score = Number(score.dataset.score);
      showError("");
    } else if (reason) {
      const code = reason.dataset.reason;
      if (state.reasons.has(code)) state.reasons.delete(code);
      else state.reasons.add(code);
    } else if (aspect) {
      const name = aspect.closest(".rf-aspect").dataset.aspect;
      const value = Number(aspect.dataset.value);
      state.aspects[name] = state.aspects[name] === value ? undefined : value;
    } else if (event.target.closest(".rf-skip")) {
      if (onSkip) onSkip();
      return;
    } else {
      return;
    }
    render();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (state.score === null) {
      showError(text.rate_pick_score);
      return;
    }
    const body = { score: state.score };
    const aspects = Object.fromEntries(Object.entries(state.aspects).filter(([, v]) => v));
    if (Object.keys(aspects).length) body.aspects = aspects;
    if (state.score <= BAD_MAX && state.reasons.size) body.reasons = [...state.reasons];
    const comment = form.querySelector("textarea").value.trim();
    if (comment) body.comment = comment;
    const submit = form.querySelector(".rf-submit");
    submit.disabled = true;
    try {
      await onSubmit(body);
    } catch (err) {
      showError(err.message || text.rate_error);
    } finally {
      submit.disabled = false;
    }
  });

  return {
    reset() {
      state.score = null;
      state.reasons.clear();
      state.aspects = {};
      form.querySelector("textarea").value = "";
      form.querySelector(".rf-aspects").open = false;
      showError("");
      render();
    },
  };
}

// POST a rating; resolves with the answer, or rejects with an Error in the page's language.
export async function postRating(ticketId, body, lang) {
  let response;
  try {
    response = await fetch(`/api/tickets/${encodeURIComponent(ticketId)}/rating`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "omit", // a citizen's rating never carries a staff session
      body: JSON.stringify(body),
    });
  } catch {
    throw Object.assign(new Error(""), { code: "network" });
  }
  const json = await response.json().catch(() => null);
  if (response.ok) return json;
  const error = (json && json.error) || {};
  throw Object.assign(new Error(lang === "zh" ? error.message_zh : error.message), {
    code: error.code, status: response.status,
  });
}
