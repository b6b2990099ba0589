// Sends a run to the server and follows its progress as it streams: queued → started → (case)* →
// result. Pure transport: what to say about each step is the run controller's business.
import { csrfToken } from "../csrf.js";

/** A failure with a sentence for the learner; `status` is the HTTP status (0 when unreachable). */
export class RunError extends Error {
  constructor(message, { status = 0, retryAfter = null } = {}) {
    super(message);
    this.name = "RunError";
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function refusal(response) {
  let message = `The server answered ${response.status} ${response.statusText}.`.replace(" .", ".");
  try {
    const data = await response.json();
    message = data.message || (typeof data.detail === "string" ? data.detail : message);
  } catch (e) {
    /* keep the generic message */
  }
  const retry = Number(response.headers.get("Retry-After"));
  return new RunError(message, { status: response.status, retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null });
}

/**
 * Run the learner's code (`payload` as POST /api/runs takes it). `onEvent` receives every event
 * before the result: {event: "queued", position}, {event: "started"}, {event: "case", case}.
 * Resolves with {result, attempts}; rejects with a RunError, or an AbortError when `signal` fires.
 */
export async function startRun(payload, { onEvent, signal } = {}) {
  let response;
  try {
    response = await fetch("/api/runs", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/x-ndjson", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(payload),
      credentials: "same-origin",
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new RunError("The course server cannot be reached. Is it still running? Start it again with `make run`, then reload the page.");
  }
  if (!response.ok) throw await refusal(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new RunError("The connection to the server broke during the run. Try again.");
    }
    if (chunk.value) buffer += decoder.decode(chunk.value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      const event = JSON.parse(line);
      if (event.event === "result") return event;
      if (event.event === "error") throw new RunError(event.message, { status: 503 });
      if (onEvent) onEvent(event);
    }
    if (chunk.done) break;
  }
  throw new RunError("The connection closed before the run finished. Try again.");
}
