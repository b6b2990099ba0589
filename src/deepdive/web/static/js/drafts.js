// Saves what the learner types, a moment after they stop typing, so a reload loses nothing.
import { csrfToken } from "./csrf.js";

const DELAY_MS = 600;

// `part` names one editor of a widget that has several (saved as "<widget>:<part>").
export function draftSaver(widgetId, { onStatus, part } = {}) {
  const url = `/api/drafts/${widgetId}` + (part ? `?part=${encodeURIComponent(part)}` : "");
  let timer = null;
  let pending = null;

  async function flush() {
    if (pending === null) return;
    const code = pending;
    pending = null;
    try {
      const response = await fetch(url, {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify({ code }),
        keepalive: code.length < 60000,
      });
      if (onStatus) onStatus(response.ok ? "Saved" : "Not saved: the server refused the draft");
    } catch (e) {
      if (onStatus) onStatus("Not saved: the server cannot be reached");
    }
  }

  window.addEventListener("pagehide", flush);
  return {
    save(code) {
      pending = code;
      clearTimeout(timer);
      timer = setTimeout(flush, DELAY_MS);
    },
    flush,
  };
}
