// The screen's connection: snapshot first, then messages chained by seq/prev.
// A gap, a silent socket, a close or a network change makes the screen reconnect
// with ?since=<last seq>; the server replays what was missed or sends a snapshot.
"use strict";

class ScreenClient {
  constructor(hall, handlers) {
    this.hall = hall;
    this.onState = handlers.onState || (() => {});
    this.onMessage = handlers.onMessage || (() => {});
    this.onLink = handlers.onLink || (() => {});
    this.lastSeq = null;
    this.state = null;
    this.ws = null;
    this.attempt = 0;
    this.lastHeard = Date.now();
    this.silentMs = handlers.silentMs || 35000;
    this.timer = null;
    this.closed = false;
    window.addEventListener("online", () => { if (!this.closed) this.reconnect("online"); });
    this.watcher = setInterval(() => this.watch(), 1000);
  }

  // Stop for good (a console that leaves its hall).
  close() {
    this.closed = true;
    clearInterval(this.watcher);
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws) { try { ws.close(1000, "done"); } catch (e) { /* already closing */ } }
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let url = `${scheme}://${location.host}/ws/halls/${encodeURIComponent(this.hall)}/screens`;
    if (this.lastSeq !== null) url += `?since=${this.lastSeq}`;
    return url;
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    const ws = new WebSocket(this.url());
    this.ws = ws;
    this.lastHeard = Date.now();
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      this.handle(JSON.parse(event.data));
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.onLink(false);
      this.schedule();
    };
  }

  schedule() {
    if (this.timer !== null || this.closed) return;
    // 0.25, 0.5, 1, 2, 3, 3 … seconds: back within a few seconds of the network returning.
    const delay = Math.min(3000, 250 * 2 ** this.attempt) + Math.random() * 250;
    this.attempt += 1;
    this.timer = setTimeout(() => { this.timer = null; this.connect(); }, delay);
  }

  reconnect(why) {
    const ws = this.ws;
    this.ws = null;
    if (ws) { try { ws.close(4000, why); } catch (e) { /* already closing */ } }
    this.onLink(false);
    this.attempt = 0;
    this.schedule();
  }

  watch() {
    if (this.ws && Date.now() - this.lastHeard > this.silentMs) this.reconnect("silent");
  }

  handle(msg) {
    if (msg.type === "snapshot") {
      const { type, ...state } = msg;
      this.accept(msg.seq, state);
      this.onState(state, null);
      return;
    }
    if (msg.type === "heartbeat") {
      if (msg.seq !== this.lastSeq) return this.reconnect("gap");
      this.accept(msg.seq, this.state);
      this.send({ type: "heartbeat", seq: this.lastSeq });
      return;
    }
    if (msg.prev !== this.lastSeq) return this.reconnect("gap");
    const state = applyPatch(this.state, msg.patch || {});
    state.seq = msg.seq;
    this.accept(msg.seq, state);
    this.onState(state, msg);
    if (msg.type !== "board") this.onMessage(msg);
  }

  accept(seq, state) {
    this.lastSeq = seq;
    this.state = state;
    this.attempt = 0;
    this.onLink(true);
  }

  send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }
}

// The same merge as displays.messages.apply_patch: windows by number, the rest whole.
function applyPatch(board, patch) {
  const merged = { ...board };
  for (const [key, value] of Object.entries(patch)) {
    if (key !== "windows_replace") merged[key] = value;
  }
  if (patch.windows && !patch.windows_replace) {
    const changed = new Map(patch.windows.map((w) => [w.number, w]));
    merged.windows = (board.windows || []).map((w) => changed.get(w.number) || w);
  }
  return merged;
}

window.ScreenClient = ScreenClient;
