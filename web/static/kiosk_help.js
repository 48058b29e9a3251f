// The kiosk's "需要帮办" button on the ticket just taken: asks for a helper for that ticket.
const data = JSON.parse(document.getElementById("page-data").textContent);
const T = data.text;
const card = document.getElementById("ticket-card");
const button = document.getElementById("tk-help");
const status = document.getElementById("tk-help-status");

function reset() {
  status.hidden = true;
  button.disabled = false;
}

new MutationObserver(reset).observe(card, { attributes: true, attributeFilter: ["data-ticket"] });

button.addEventListener("click", async () => {
  const ticket = card.dataset.ticket;
  if (!ticket) return;
  button.disabled = true;
  try {
    const response = await fetch(`/api/tickets/${encodeURIComponent(ticket)}/help`, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ note: T.help_at_kiosk }),
    });
    const json = await response.json().catch(() => null);
    if (!response.ok) throw new Error((json && json.error && (data.lang === "zh" ? json.error.message_zh : json.error.message)) || T.network_error);
    status.textContent = T.help_sent;
  } catch (err) {
    status.textContent = err.message;
    button.disabled = false;
  }
  status.hidden = false;
});
