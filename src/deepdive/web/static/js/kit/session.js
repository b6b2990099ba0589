// A session run from the page: the learner's app stays alive in a sandbox and talks WebSocket
// through the course's own socket (/api/sessions). Events arrive as they happen.
import { csrfToken } from "../csrf.js";

/**
 * Start the app `code` of widget `widgetId` in a session. `onEvent(event)` hears every event
 * ({event: "queued" | "started" | "session" | "refused" | "result" | "error", ...}); `onClose(code)`
 * when the socket closes. Returns {send(command), end(), close()}; commands are SessionCommand
 * objects ({op: "connect", connection, path}, {op: "send", connection, text}, ...).
 */
export function openSession({ widgetId, code, onEvent, onClose }) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/sessions`);
  const waiting = [];
  let open = false;
  socket.addEventListener("open", () => {
    open = true;
    socket.send(JSON.stringify({ op: "start", widget: widgetId, code, csrf: csrfToken() }));
    for (const text of waiting.splice(0)) socket.send(text);
  });
  socket.addEventListener("message", (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch (e) {
      return;
    }
    if (onEvent) onEvent(event);
  });
  socket.addEventListener("close", (closed) => {
    open = false;
    if (onClose) onClose(closed.code);
  });
  const send = (command) => {
    const text = JSON.stringify(command);
    if (open) socket.send(text);
    else if (socket.readyState === WebSocket.CONNECTING) waiting.push(text);
  };
  return {
    send,
    end: () => send({ op: "end" }),
    close: () => socket.close(1000),
  };
}
