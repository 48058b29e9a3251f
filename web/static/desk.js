// The case desk: records a new case and takes steps on a case through the JSON API (with
// the session's CSRF token), then reloads the page, which the server renders.
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
let csrf = null;

async function token() {
  if (csrf) return csrf;
  const response = await fetch("/api/session", { credentials: "same-origin" });
  if (!response.ok) throw new Error(T.network_error);
  csrf = (await response.json()).csrf_token;
  return csrf;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": await token() },
    body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (json && json.error) || {};
    throw new Error((data.lang === "zh" ? error.message_zh : error.message) || T.network_error);
  }
  return json;
}

function fields(form) {
  const body = {};
  for (const input of form.querySelectorAll("input, select, textarea")) {
    if (!input.name) continue;
    if (input.type === "checkbox") body[input.name] = input.checked;
    else if (input.type === "number") body[input.name] = Number(input.value);
    else if (input.dataset.type === "bool") body[input.name] = input.value === "true";
    else if (input.value.trim()) body[input.name] = input.value.trim();
  }
  return body;
}

function fail(box, err) {
  box.textContent = err.message;
  box.hidden = false;
}

const newCase = document.getElementById("new-case");
if (newCase) {
  newCase.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await post(`/api/halls/${encodeURIComponent(data.hall)}/cases`, fields(newCase));
      window.location.assign(`/halls/${encodeURIComponent(data.hall)}/cases/${answer.case.id}`);
    } catch (err) {
      fail(document.getElementById("new-case-error"), err);
    }
  });
}

for (const form of document.querySelectorAll("form[data-step]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const body = { step: form.dataset.step, ...fields(form) };
      if (body.step === "revisit" && !body.reached) delete body.satisfied;
      await post(`/api/cases/${data.case}/steps`, body);
      window.location.reload();
    } catch (err) {
      fail(document.getElementById("step-error"), err);
      button.disabled = false;
    }
  });
}
document.body.dataset.ready = "1";
