// Supervisor overview: follows the hall's feed (the screens' WebSocket) and, on every
// change there, re-reads this page and swaps in the live part, so the server renders it
// one way only (the JSON twin is GET /api/halls/{hall}/overview). A slow tick moves the
// minutes waited on; nothing polls for changes.
const data = JSON.parse(document.getElementById("page-data").textContent);
const TICK_MS = 60000;
const DEBOUNCE_MS = 200;
let pending = null;

async function refresh() {
  try {
    const response = await fetch(window.location.href, { cache: "no-store", redirect: "error" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("live");
    if (fresh) document.getElementById("live").replaceWith(fresh);
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  } catch {
    // Offline or signed out: keep the last picture; the feed's next message tries again.
  }
}

function soon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, DEBOUNCE_MS);
}

const feed = new window.ScreenClient(data.hall, {
  onState: (state, message) => { if (message) soon(); },
  onLink: (up) => { document.body.dataset.live = up ? "1" : "0"; },
});
feed.connect();
setInterval(refresh, TICK_MS);
document.body.dataset.ready = "1";
