// Supervisor overview: re-reads this page every few seconds and swaps in the live part,
// so the server renders it one way only (the JSON twin is GET /api/halls/{hall}/overview).
const REFRESH_MS = 5000;

async function refresh() {
  try {
    const response = await fetch(window.location.href, { cache: "no-store", redirect: "error" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("live");
    if (fresh) document.getElementById("live").replaceWith(fresh);
  } catch {
    // Offline or signed out: keep the last picture; the next round tries again.
  }
}

setInterval(refresh, REFRESH_MS);
document.body.dataset.ready = "1";
