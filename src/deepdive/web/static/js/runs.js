// Sends a run to the server and follows its progress (queued → running → result) as it streams.
import { csrfToken } from "./csrf.js";

/**
 * Run the learner's code. `onEvent` receives {event: "queued", position} and {event: "started"};
 * the promise resolves with the run result, or rejects with an Error carrying a readable message.
 */
export async function startRun(payload, { onEvent, signal } = {}) {
  const response = await fetch("/api/runs", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/x-ndjson",
      "X-CSRF-Token": csrfToken(),
    },
    body: JSON.stringify(payload),
    credentials: "same-origin",
    signal,
  });
  if (!response.ok) {
    let message = `The server answered ${response.status}.`;
    try {
      const data = await response.json();
      message = data.message || message;
    } catch (e) {
      /* keep the generic message */
    }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      const event = JSON.parse(line);
      if (event.event === "result") return event;
      if (event.event === "error") throw new Error(event.message);
      if (onEvent) onEvent(event);
    }
    if (done) break;
  }
  throw new Error("The connection closed before the run finished. Try again.");
}
