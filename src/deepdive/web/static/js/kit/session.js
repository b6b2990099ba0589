// A session run from the page: the learner's app stays alive in a sandbox and talks WebSocket
// through the course's own socket (/api/sessions). Events arrive as they happen.
import { csrfToken } from "../csrf.js";

/**
 * Start the app `code` of widget `widgetId` in a session (in `room`, if given: the learner's other
 * tabs that start the same room with the same code join this session). `onEvent(event)` hears every event
 * ({event: "queued" | "started" | "session" | "refused" | "result" | "error", ...}); `onClose(code)`
 * when the socket closes. Returns {send(command), end(), close()}; commands are SessionCommand
 * objects ({op: "connect", connection, path}, {op: "send", connection, text}, ...); `send` returns
 * the command's number, which a "refused" event names as its `frame`.
 */
export function openSession({ widgetId, code, room, onEvent, onClose }) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/sessions`);
  const waiting = [];
  let open = false;
  let sent = 0;
  socket.addEventListener("open", () => {
    open = true;
    const start = { op: "start", widget: widgetId, code, csrf: csrfToken() };
    if (room) start.room = room;
    socket.send(JSON.stringify(start));
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
    else return 0;
    sent += 1;
    return sent;
  };
  return {
    send,
    end: () => send({ op: "end" }),
    close: () => socket.close(1000),
  };
}
