// Renders the main, window and waiting screens from the board; numbers only, never names.
"use strict";

(function () {
  const body = document.body;
  const kind = body.dataset.screen;
  const windowNo = Number(body.dataset.window || 0);
  const zone = body.dataset.timezone || "Asia/Shanghai";
  const STATUS = { open: "服务中", paused: "暂停服务", closed: "未开放" };
  const STATUS_EN = { open: "Open", paused: "Paused", closed: "Closed" };
  let clockOffset = 0;

  const bind = (name) => document.querySelectorAll(`[data-bind="${name}"]`);
  const set = (name, text) => bind(name).forEach((el) => {
    if (el.textContent !== String(text)) el.textContent = text;
  });
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const minutes = (m) => (m === null || m === undefined ? "—" : `${Math.round(m)} 分钟`);

  function tickClock() {
    const now = new Date(Date.now() + clockOffset);
    const date = new Intl.DateTimeFormat("zh-CN", {
      timeZone: zone, year: "numeric", month: "long", day: "numeric", weekday: "long",
    }).format(now);
    const time = new Intl.DateTimeFormat("zh-CN", {
      timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    }).format(now);
    set("date", date);
    set("time", time);
  }

  function renderCommon(state) {
    set("hall-name", state.hall.name);
    set("hall-name-en", state.hall.name_en);
    set("notice", state.hall.notice || "");
    set("avg-wait", minutes(state.average_wait_minutes));
    if (state.as_of) clockOffset = Date.parse(state.as_of) - Date.now();
  }

  function renderMain(state, msg) {
    const calls = state.recent_calls || [];
    const latest = calls[0];
    set("current-ticket", latest ? latest.ticket : "——");
    set("current-text", latest ? `请到 ${latest.window} 号窗口办理 · Window ${latest.window}`
      : "请留意叫号 · Please wait for your number");
    if (msg && (msg.type === "called" || msg.type === "recalled")) flash(document.getElementById("current"));
    const recent = document.getElementById("recent");
    recent.replaceChildren(...calls.slice(1, 7).map((c) => {
      const li = el("li", c.recall ? "recall" : "");
      li.append(el("span", "t", c.ticket), el("span", "w", `${c.window} 号窗口`));
      return li;
    }));
    const grid = document.getElementById("windows");
    grid.replaceChildren(...state.windows.map((w) => {
      const tile = el("div", `tile ${w.status}`);
      tile.dataset.window = w.number;
      tile.append(el("div", "no", `${w.number}`), el("div", "name", w.name));
      const shown = w.status === "open" ? (w.ticket || "空闲") : STATUS[w.status];
      tile.append(el("div", "num", shown));
      return tile;
    }));
    renderLines(state);
  }

  function renderLines(state) {
    const lines = document.getElementById("lines");
    lines.replaceChildren(...state.waiting.map((l) => {
      const li = el("li");
      li.dataset.line = l.line;
      li.append(el("span", "name", l.name), el("span", "count", `${l.waiting}`),
        el("span", "eta", `约 ${minutes(l.estimated_wait_minutes)}`));
      return li;
    }));
  }

  function renderWindow(state) {
    const w = state.windows.find((x) => x.number === windowNo);
    const box = document.getElementById("win-body");
    if (!w) { box.dataset.state = "closed"; set("win-ticket", "——"); return; }
    box.dataset.state = w.status;
    set("window-name", w.name);
    set("staff", w.staff ? `工号 Staff No. ${w.staff}` : "");
    if (w.status === "paused") {
      set("win-ticket", "暂停服务");
      set("win-status", "Service paused");
    } else if (w.status === "closed") {
      set("win-ticket", "暂停服务");
      set("win-status", "Window closed");
    } else {
      set("win-ticket", w.ticket || "——");
      set("win-status", w.ticket_status === "called" ? "请到本窗口办理 · Please come to this window"
        : (w.ticket ? "" : "请稍候 · Please wait"));
    }
  }

  function renderWaiting(state) {
    const rows = document.getElementById("wait-rows");
    rows.replaceChildren(...state.waiting.map((l) => {
      const tr = el("tr");
      tr.dataset.line = l.line;
      const name = el("td", "name", l.name);
      name.append(el("small", "", l.name_en));
      tr.append(name, el("td", "count", `${l.waiting}`), el("td", "eta", minutes(l.estimated_wait_minutes)));
      return tr;
    }));
    set("total-waiting", state.waiting.reduce((n, l) => n + l.waiting, 0));
  }

  function flash(node) {
    if (!node) return;
    node.classList.remove("flash");
    void node.offsetWidth;  // restart the animation
    node.classList.add("flash");
  }

  function render(state, msg) {
    renderCommon(state);
    if (kind === "main") renderMain(state, msg);
    else if (kind === "window") renderWindow(state, msg);
    else renderWaiting(state);
    body.dataset.seq = state.seq;
  }

  // Only the main screen speaks unless told otherwise (?voice=1): one voice per hall.
  const voiceParam = new URLSearchParams(location.search).get("voice");
  const voiceOn = voiceParam === null ? kind === "main" : voiceParam === "1";
  const announcer = new Announcer(document.getElementById("chime"));
  const overlay = document.getElementById("sound-overlay");
  // A call is never silent-only: every announcement is also shown as a caption.
  let captionTimer = null;
  announcer.onStart = (item) => {
    const texts = item.announcement.texts || { zh: item.announcement.text };
    document.getElementById("caption-zh").textContent = texts.zh || item.announcement.text || "";
    document.getElementById("caption-en").textContent = texts.en || "";
    const caption = document.getElementById("caption");
    caption.hidden = false;
    caption.dataset.seq = item.seq;
    clearTimeout(captionTimer);
  };
  announcer.onEnd = () => {
    clearTimeout(captionTimer);
    captionTimer = setTimeout(() => { document.getElementById("caption").hidden = true; }, 15000);
  };
  // Under the browser's autoplay policy the chime is blocked until someone clicks once.
  announcer.onBlocked = () => { if (voiceOn) overlay.hidden = false; };
  function enableSound() {
    overlay.hidden = true;
    document.removeEventListener("click", enableSound, true);
    const audio = document.getElementById("chime");
    audio.currentTime = 0;
    audio.play().then(() => {
      audio.dataset.played = String(Number(audio.dataset.played || 0) + 1);
      body.dataset.sound = "on";
    }).catch(() => { overlay.hidden = false; document.addEventListener("click", enableSound, true); });
    // Speech needs the same user activation in Chromium: say nothing, once, to unlock it.
    if (window.speechSynthesis && typeof SpeechSynthesisUtterance !== "undefined") {
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    }
  }
  if (voiceOn) {
    document.addEventListener("click", enableSound, true);
    announcer.canPlay().then((ok) => {
      body.dataset.sound = ok ? "on" : "blocked";
      if (ok) document.removeEventListener("click", enableSound, true);
      else overlay.hidden = false;
    });
  }
  const client = new ScreenClient(body.dataset.hall, {
    onState: render,
    onMessage: (msg) => {
      const mine = kind !== "window" || msg.window === windowNo;
      if ((msg.type === "called" || msg.type === "recalled") && mine && voiceOn) {
        announcer.enqueue(msg.seq, msg.announcement);
      }
    },
    onLink: (up) => { document.getElementById("offline").hidden = up; },
  });
  window.tongbanScreen = { client, announcer };
  tickClock();
  setInterval(tickClock, 1000);
  client.connect();
})();
