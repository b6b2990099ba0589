// The chat widget: the learner's WebSocket app runs in a sandbox session; two clients on the
// page (and those of the learner's other tabs in the same room) connect, send and disconnect,
// and every frame out and in is listed with the time the sandbox measured.
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { openSession } from "../../kit/session.js";
import { taskList } from "../../kit/task-list.js";
import { closeSentence, explainError, formatTime, preview, roomTarget } from "./frames.js";

const NO_ACCEPT_MS = 1500;
const NO_REPLY_MS = 2000;
const FLOOD = 60;
const HUGE = 10 * 1024 * 1024;
const tabId = Math.random().toString(36).slice(2, 8);

function clientView(section, index) {
  const q = (selector) => section.querySelector(selector);
  return {
    index,
    connection: `${tabId}-${index}`,
    section,
    name: () => q("[data-client-name]").value.trim() || `client${index + 1}`,
    frames: q("[data-frames]"),
    state: q("[data-client-state]"),
    connect: q("[data-connect]"),
    disconnect: q("[data-disconnect]"),
    form: q("[data-send-form]"),
    message: q("[data-message]"),
    buttons: [q("[data-send]"), q("[data-flood]"), q("[data-huge]"), q("[data-binary]")],
    flood: q("[data-flood]"),
    huge: q("[data-huge]"),
    binary: q("[data-binary]"),
    status: "closed", // closed | connecting | open
    accepted: false,
    pending: [], // rows of frames sent, waiting for "delivered"
    timers: [],
  };
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const status = panel.querySelector("[data-run-status]");
  const notes = panel.querySelector("[data-notes]");
  const startButton = panel.querySelector("[data-start]");
  const endButton = panel.querySelector("[data-end]");
  const roomInput = panel.querySelector("[data-room]");
  const query = JSON.parse(panel.dataset.query || "{}");
  const clients = [...panel.querySelectorAll("[data-client]")].map((section, i) => clientView(section, i));
  const byConnection = new Map(clients.map((client) => [client.connection, client]));
  let session = null;
  let ready = false;
  const sentRows = new Map(); // command number -> [client, row] for frames sent, until delivered

  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => start(),
    onChange: () => {
      if (!session) return;
      stop();
      say("You changed the code, so the running app was stopped. Press “Start the app” to run the new version.");
    },
  });
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => say(text) });
  reveal.unlock(Number(panel.dataset.attempts || 0));

  const say = (text) => (status.textContent = text);
  function note(text, kind = "warning") {
    notes.prepend(notice(text, kind));
    while (notes.children.length > 6) notes.lastChild.remove();
  }

  function row(client, direction, text, { time, kind = "" } = {}) {
    const item = element(
      "li",
      { class: `frame frame-${direction}${kind ? ` frame-${kind}` : ""}`, "data-direction": direction },
      element("span", { class: "frame-dir", text: direction === "out" ? "→" : direction === "in" ? "←" : "•", "aria-label": direction === "out" ? "sent" : direction === "in" ? "received" : "event" }),
      element("span", { class: "frame-time", text: time === undefined ? "…" : formatTime(time) }),
      element("span", { class: "frame-text", text }),
    );
    client.frames.append(item);
    client.frames.scrollTop = client.frames.scrollHeight;
    return item;
  }

  function setState(client, state, label) {
    client.status = state;
    client.state.textContent = label;
    client.section.dataset.state = state;
    const open = state === "open";
    client.connect.disabled = !ready || state !== "closed";
    client.disconnect.disabled = state === "closed";
    for (const button of client.buttons) button.disabled = !open;
  }

  function clearTimers(client) {
    client.timers.splice(0).forEach(clearTimeout);
  }

  function target(client) {
    const route = panel.querySelector("[data-route]:checked").value;
    if (route === "echo") return { path: panel.dataset.echoPath, query: {} };
    return roomTarget(panel.dataset.roomPath, roomName(), panel.dataset.nameParam, client.name(), query);
  }

  function roomName() {
    const value = roomInput.value.trim().toLowerCase();
    return /^[a-z0-9][a-z0-9-]{0,39}$/.test(value) ? value : "lobby";
  }

  function connect(client) {
    if (!session || !ready) return;
    const { path, query: params } = target(client);
    client.accepted = false;
    client.pending = [];
    const shown = Object.keys(params).length ? `${path}?${new URLSearchParams(params)}` : path;
    row(client, "event", `connecting to ${shown}`);
    setState(client, "connecting", "connecting…");
    session.send({ op: "connect", connection: client.connection, path, query: params });
    client.timers.push(
      setTimeout(() => {
        if (client.status === "connecting") {
          note(`${client.name()}: no answer to the handshake after ${NO_ACCEPT_MS / 1000} s. Your handler has not called await websocket.accept(), so the client cannot send anything yet.`);
        }
      }, NO_ACCEPT_MS),
    );
  }

  function send(client, text, { binary = false } = {}) {
    if (!session || client.status !== "open") return;
    const command = { op: "send", connection: client.connection };
    if (binary) command.data_base64 = btoa(text);
    else command.text = text;
    const item = row(client, "out", binary ? `binary frame, ${text.length} bytes` : preview(text));
    client.pending.push(item);
    sentRows.set(session.send(command), [client, item]);
    const before = client.frames.querySelectorAll(".frame-in").length;
    client.timers.push(
      setTimeout(() => {
        const after = client.frames.querySelectorAll(".frame-in").length;
        if (client.status === "open" && after === before) {
          note(`${client.name()}: nothing came back ${NO_REPLY_MS / 1000} s after “${preview(text, 30)}”. Is your handler reading with await websocket.receive_text() in a loop, and sending something back?`, "info");
        }
      }, NO_REPLY_MS),
    );
  }

  function onSession(data) {
    const client = byConnection.get(data.connection);
    if (data.kind === "ready") {
      ready = true;
      say(`Your app is running in the sandbox (room “${roomName()}”). Connect a client.`);
      panel.dataset.session = "ready";
      clients.forEach((c) => setState(c, "closed", "not connected"));
      return;
    }
    if (data.kind === "idle") {
      note(`The session ended after ${data.seconds} s without a message. Press “Start the app” to run it again.`, "info");
      return;
    }
    if (data.kind === "error" && !client) {
      if (!/ is not open$/.test(data.message || "")) note(data.message);
      return;
    }
    if (!client) return; // another tab's connection: what it sends reaches ours through the app
    if (data.kind === "accepted") {
      client.accepted = true;
      row(client, "event", data.subprotocol ? `accepted (subprotocol ${data.subprotocol})` : "accepted", { time: data.t_ms });
      setState(client, "open", "open");
    } else if (data.kind === "delivered") {
      const item = client.pending.shift();
      if (item) item.querySelector(".frame-time").textContent = formatTime(data.t_ms);
      for (const [number, [owner, sentRow]] of sentRows) if (owner === client && sentRow === item) sentRows.delete(number);
    } else if (data.kind === "message") {
      // A frame too large to travel whole arrives cut short, with its whole size.
      const size = data.size ?? atob(data.data_base64 || "").length;
      let text = data.text !== undefined ? preview(data.text) : `binary frame (${size} bytes)`;
      if (data.truncated && data.text !== undefined) text += ` (a text frame of ${size} bytes, cut short)`;
      row(client, "in", text, { time: data.t_ms });
    } else if (data.kind === "closed") {
      clearTimers(client);
      row(client, "event", closeSentence(data.code, data.reason || "", client.accepted), { time: data.t_ms, kind: "closed" });
      client.section.dataset.closeCode = String(data.code);
      setState(client, "closed", `closed (${data.code})`);
    } else if (data.kind === "error") {
      const why = explainError(data.message || "");
      note(`${client.name()}: your app raised ${data.message}.${why ? ` ${why}` : ""}`, "error");
    }
  }

  function onEvent(event) {
    if (event.event === "queued") say(event.position > 0 ? `Waiting for a free sandbox: ${event.position} ahead of yours…` : "Starting the sandbox…");
    else if (event.event === "started") say("Starting your app…");
    else if (event.event === "joined") {
      ready = true;
      panel.dataset.session = "ready";
      say(`Joined room “${event.room}”: ${event.members} tabs share the app started in another tab. Connect a client.`);
      clients.forEach((c) => setState(c, "closed", "not connected"));
    } else if (event.event === "session") onSession(event.data);
    else if (event.event === "refused") {
      const [client, item] = sentRows.get(event.frame) || [];
      if (client) {
        client.pending = client.pending.filter((pending) => pending !== item);
        item.classList.add("frame-refused");
        item.querySelector(".frame-time").textContent = "not sent";
        item.title = event.message;
      }
      if (!client || !/faster than/.test(event.message) || !notes.querySelector("[data-throttled]")) {
        note(event.message);
        if (/faster than/.test(event.message)) notes.firstChild.dataset.throttled = "true";
      }
    }
    else if (event.event === "error") say(event.message);
    else if (event.event === "result") {
      const result = event.result;
      reveal.unlock(event.attempts || 1);
      const output = (result.stdout || "").trim();
      if (result.outcome !== "ok" && result.message) note(result.message, "error");
      if (output) notes.prepend(element("pre", { class: "chat-output", text: `What your app printed:\n${output}` }));
    }
  }

  function ended() {
    session = null;
    ready = false;
    panel.dataset.session = "ended";
    startButton.textContent = "Start the app";
    endButton.hidden = true;
    clients.forEach((client) => {
      clearTimers(client);
      setState(client, "closed", client.status === "closed" ? client.state.textContent : "session ended");
    });
    if (!/stopped|changed the code/.test(status.textContent)) say("The session is over. Press “Start the app” to run your code again.");
  }

  function start() {
    stop();
    notes.replaceChildren();
    clients.forEach((client) => client.frames.replaceChildren());
    say("Connecting to the sandbox…");
    panel.dataset.session = "starting";
    startButton.textContent = "Restart the app";
    endButton.hidden = false;
    const opened = openSession({ widgetId, code: editor.getCode(), room: roomName(), onEvent, onClose: () => opened === session && ended() });
    session = opened;
  }

  function stop() {
    if (!session) return;
    const old = session;
    session = null;
    old.close();
    ended();
  }

  startButton.addEventListener("click", start);
  endButton.addEventListener("click", () => {
    stop();
    say("Stopped: your app's session was ended.");
  });
  for (const client of clients) {
    client.connect.addEventListener("click", () => connect(client));
    client.disconnect.addEventListener("click", () => {
      if (!session) return;
      session.send({ op: "close", connection: client.connection, code: 1000 });
    });
    client.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = client.message.value;
      if (!text) return;
      send(client, text);
      client.message.value = "";
    });
    client.flood.addEventListener("click", () => {
      for (let n = 1; n <= FLOOD; n += 1) send(client, `flood ${n}`);
    });
    client.huge.addEventListener("click", () => send(client, "x".repeat(HUGE)));
    client.binary.addEventListener("click", () => send(client, "\u0000\u0001\u0002\u0003", { binary: true }));
    setState(client, "closed", "not connected");
  }
  panel.querySelector("[data-reset]").addEventListener("click", () => editor.reset());
  window.addEventListener("pagehide", () => session && session.close());

  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="chat"]').forEach(mount);
