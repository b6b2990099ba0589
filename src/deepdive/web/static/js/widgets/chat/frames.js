// What the chat widget says about frames and closes: pure functions, no DOM.

const CLOSE_CODES = {
  1000: "normal closure",
  1001: "going away",
  1003: "unsupported data",
  1006: "dropped without a close frame",
  1008: "policy violation",
  1009: "message too big",
  1011: "the server hit an error",
  1012: "service restart",
};

/** "1008 (policy violation)", or the bare code for an application code (4000–4999). */
export function describeClose(code, reason = "") {
  const meaning = CLOSE_CODES[code] || (code >= 4000 && code < 5000 ? "the app's own code" : "");
  const text = meaning ? `${code} (${meaning})` : `${code}`;
  return reason ? `${text}: “${reason}”` : text;
}

/** The sentence for a close, knowing whether the connection had been accepted first. */
export function closeSentence(code, reason, accepted) {
  const close = describeClose(code, reason);
  if (accepted) return `Closed with ${close}.`;
  return `Closed with ${close} before the app accepted the connection: a browser sees the handshake refused (Uvicorn answers it with HTTP 403), and only a test client reads the code.`;
}

/** A learner-facing explanation of an exception the app raised on a connection, or "". */
export function explainError(message) {
  if (/KeyError\('text'\)/.test(message)) {
    return "Your app called receive_text() and the client sent a binary frame. Use await websocket.receive() and look at its \"text\" or \"bytes\", or receive_bytes() for binary data.";
  }
  if (/KeyError\('bytes'\)/.test(message)) {
    return "Your app called receive_bytes() and the client sent a text frame.";
  }
  if (/Need to call "accept" first|Expected ASGI message "websocket\.accept"/.test(message)) {
    return "Your app read or sent before await websocket.accept(): a connection must be accepted first.";
  }
  if (/close message has been sent|Expected ASGI message "websocket\.send" or "websocket\.close"/.test(message)) {
    return "Your app sent to a connection that was already closed: remove a connection from the room before broadcasting to it again.";
  }
  return "";
}

/** The time of an event, as the sandbox measured it since the app started. */
export function formatTime(ms) {
  if (typeof ms !== "number") return "";
  return ms < 10_000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Shorten a long frame for the log, saying how long it was. */
export function preview(text, limit = 120) {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… (${text.length.toLocaleString("en")} characters)`;
}

/** The room route for a client: `{room}` filled in, the name and further query parameters. */
export function roomTarget(pathTemplate, room, nameParam, name, query = {}) {
  return { path: pathTemplate.replaceAll("{room}", room), query: { [nameParam]: name, ...query } };
}
