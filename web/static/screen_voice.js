// Spoken calls: one queue per screen. Each item keeps the announcement it was queued
// with, so a call is never spoken with another call's number; items are spoken one
// after the other (chime, then the text `repeat` times) and nothing is ever cancelled.
"use strict";

class Announcer {
  // `audio`: the page's <audio> element for the chime (one element, so that a click that
  // unlocks sound unlocks it for good).
  constructor(audio) {
    this.audio = audio;
    this.onBlocked = () => {};
    this.queue = [];
    this.busy = false;
    this.spoken = new Set();
    this.keep = [];  // Chromium drops onend for utterances that were garbage-collected
    this.onStart = () => {};
    this.onEnd = () => {};
  }

  enqueue(seq, announcement) {
    if (!announcement || this.spoken.has(seq)) return;
    this.spoken.add(seq);
    if (this.spoken.size > 500) this.spoken = new Set([...this.spoken].slice(-250));
    this.queue.push({ seq, announcement: JSON.parse(JSON.stringify(announcement)) });
    if (this.queue.length > 30) this.queue.shift();  // an hour-long backlog helps nobody
    if (!this.busy) this.drain();
  }

  async drain() {
    this.busy = true;
    try {
      while (this.queue.length) {
        const item = this.queue.shift();
        this.onStart(item);
        await this.say(item.announcement);
        this.onEnd(item);
        await pause(500);
      }
    } finally {
      this.busy = false;
    }
  }

  async say(a) {
    if (a.chime) await this.chime();
    for (let round = 0; round < (a.repeat || 1); round++) {
      for (const part of a.speech || []) await this.speak(part.text, part.lang);
      await pause(600);
    }
  }

  chime() {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => { if (!done) { done = true; resolve(); } };
      const audio = this.audio;
      try {
        audio.onended = finish;
        audio.onerror = finish;
        audio.currentTime = 0;
        const played = audio.play();
        if (played && played.then) {
          played.then(() => { audio.dataset.played = String(Number(audio.dataset.played || 0) + 1); })
            .catch((err) => {
              if (err && err.name === "NotAllowedError") this.onBlocked();
              finish();
            });
        }
      } catch (e) { finish(); }
      setTimeout(finish, 2500);
    });
  }

  // Whether the browser lets this page play sound now: a silent try (volume 0, not muted,
  // so the autoplay policy applies to it as to the chime).
  async canPlay() {
    const audio = this.audio;
    const volume = audio.volume;
    audio.volume = 0;
    try {
      await audio.play();
      audio.pause();
      audio.currentTime = 0;
      return true;
    } catch (err) {
      return !(err && err.name === "NotAllowedError");
    } finally {
      audio.volume = volume;
    }
  }

  speak(text, lang) {
    const synth = window.speechSynthesis;
    if (!synth || typeof SpeechSynthesisUtterance === "undefined") return pause(1500);
    return new Promise((resolve) => {
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      u.rate = 0.9;
      this.keep.push(u);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.keep = this.keep.filter((x) => x !== u);
        resolve();
      };
      u.onend = finish;
      u.onerror = finish;
      // A safety net if the engine never reports the end; the engine queues what is
      // spoken next behind this utterance, so even then nothing is cut off.
      setTimeout(finish, 3000 + text.length * 400);
      synth.speak(u);
    });
  }
}

function pause(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

window.Announcer = Announcer;
