import { closeSentence, describeClose, explainError, formatTime, preview, roomTarget } from "/static/js/widgets/chat/frames.js";

export default [
  { name: "a known close code is named", run: () => describeClose(1008), expected: "1008 (policy violation)" },
  { name: "an application code", run: () => describeClose(4000, "asked to"), expected: "4000 (the app's own code): “asked to”" },
  { name: "an unknown code stays bare", run: () => describeClose(3001), expected: "3001" },
  { name: "a close after accepting", run: () => closeSentence(1000, "", true), expected: "Closed with 1000 (normal closure)." },
  { name: "a close before accepting is a refused handshake", run: () => closeSentence(1008, "", false).includes("HTTP 403"), expected: true },
  { name: "a binary frame read as text", run: () => explainError("KeyError('text')").startsWith("Your app called receive_text()"), expected: true },
  { name: "reading before accept", run: () => explainError('RuntimeError(\'WebSocket is not connected. Need to call "accept" first.\')').includes("accepted first"), expected: true },
  { name: "sending before accept", run: () => explainError("RuntimeError('Expected ASGI message \"websocket.accept\", \"websocket.close\" or \"websocket.http.response.start\", but got \\'websocket.send\\'')").includes("accepted first"), expected: true },
  { name: "sending after close", run: () => explainError("WebSocketDisconnected('Cannot call \"send\" once a close message has been sent.')").includes("already closed"), expected: true },
  { name: "anything else has no explanation", run: () => explainError("ValueError('x')"), expected: "" },
  { name: "milliseconds", run: () => formatTime(12.345), expected: "12.3 ms" },
  { name: "seconds past ten", run: () => formatTime(12345), expected: "12.35 s" },
  { name: "no time", run: () => formatTime(undefined), expected: "" },
  { name: "a short frame as it is", run: () => preview("hello"), expected: "hello" },
  { name: "a long frame says its length", run: () => preview("x".repeat(2000), 3), expected: "xxx… (2,000 characters)" },
  { name: "the room route", run: () => roomTarget("/rooms/{room}", "lobby", "name", "ada", { token: "t" }), expected: { path: "/rooms/lobby", query: { name: "ada", token: "t" } } },
];
