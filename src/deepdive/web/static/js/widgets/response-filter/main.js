// Response filtering: run one endpoint under different response models and compare, side by side,
// the value the endpoint returned (recorded in the sandbox) with the response that left the server,
// plus what the app's own OpenAPI document promises for that route.
import { codeEditor } from "../../kit/code-editor.js";
import { notice } from "../../kit/dom.js";
import { presetBar } from "../../kit/preset-bar.js";
import { requestBuilder } from "../../kit/request-builder.js";
import { errorMarkers, renderOutput } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { statusControl } from "./status-code.js";
import { requestsOf, variantCodes, variantDrafts } from "./variants.js";
import { docsNodes, returnedNodes, sentNodes, setupSentence } from "./views.js";

/** Error markers of a run, plus one on the endpoint whose value broke the response model. */
function markers(result, entry) {
  const found = errorMarkers(result);
  const call = entry && entry.calls[entry.calls.length - 1];
  if (call && call.response_errors && call.response_errors.length && call.file === "app.py" && call.line) {
    found.push({ line: call.line, message: `ResponseValidationError: ${call.endpoint}() returned a value that does not fit the response model` });
  }
  return found;
}

function mount(panel) {
  const config = JSON.parse(panel.querySelector("[data-config]").textContent);
  const variants = config.groups.flatMap((group) => group.variants);
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const select = panel.querySelector("[data-variant]");
  const status = panel.querySelector("[data-run-status]");
  const setupNote = panel.querySelector("[data-setup-note]");
  const outputBox = panel.querySelector("[data-output-box]");
  const revealButton = panel.querySelector("[data-reveal]");
  const pane = (name) => panel.querySelector(`[data-${name}]`);
  const { sources, codes, current: opened } = variantCodes(panel, variants);
  const drafts = variantDrafts(widgetId, panel.querySelector("[data-save-status]"));
  let current = opened;
  let selected = null;
  let statusTimer = null;
  let sendTimer = null;

  // Arrow keys on a focused <select> change it once per press: run only when the choice settles.
  function sendSoon() {
    clearTimeout(sendTimer);
    sendTimer = setTimeout(() => selected && send(selected), 350);
  }

  const host = panel.querySelector("[data-editor]");
  host.textContent = codes[current];
  const editor = codeEditor(host, {
    widgetId,
    drafts: false,
    starter: sources[current],
    onChange: (code) => {
      codes[current] = code;
      drafts.edited(code, current);
      clearTimeout(statusTimer);
      statusTimer = setTimeout(() => statusCode.sync(), 250);
    },
    onRun: () => selected && send(selected),
  });
  const statusCode = statusControl(panel, editor, { selected: () => selected, onEdited: sendSoon });
  const reveal = revealSolution(revealButton, widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });
  const bar = presetBar(panel.querySelector("[data-request-bar]"), [], {
    onChoose: (request) => {
      selected = request;
      statusCode.sync();
      send(request);
    },
  });

  function showVariant(id) {
    current = id;
    select.value = id;
    for (const note of panel.querySelectorAll("[data-note-for]")) note.hidden = note.dataset.noteFor !== id;
    const file = panel.querySelector(`template[data-variant-source="${id}"]`).dataset.file;
    if (revealButton) revealButton.hidden = file !== panel.dataset.starterFile;
    const requests = requestsOf(variants.find((v) => v.id === id), config.presets);
    bar.replace(requests);
    selected = requests[0] || null;
    statusCode.sync();
  }

  select.addEventListener("change", () => {
    drafts.now();
    const previous = current;
    current = select.value;
    if (codes[current] !== codes[previous]) editor.setCode(codes[current]);
    else drafts.edited(codes[current], current);
    editor.clearErrors();
    showVariant(current);
    if (selected) sendSoon();
  });

  async function send(request) {
    clearTimeout(sendTimer);
    const { main, setup } = request;
    editor.clearErrors();
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: [...setup, main], instruments },
      { label: `${main.method || "GET"} ${main.path}`, onFailure: (message) => pane("sent").replaceChildren(notice(message)) },
    );
    if (!outcome) return;
    const { result } = outcome;
    const responses = result.responses || [];
    const response = responses.length > setup.length ? responses[responses.length - 1] : null;
    const returns = (result.instrumentation || {}).returned_values || {};
    const entry = (returns.requests || []).find((e) => e.request === setup.length) || null;
    const sentence = setupSentence(result, setup.length);
    setupNote.textContent = sentence;
    setupNote.hidden = !sentence;
    pane("returned").replaceChildren(
      ...(returns.error ? [notice(`Nothing could be recorded: ${returns.error}.`, "warning")] : returnedNodes(result, response ? entry : null, response)),
    );
    const sent = sentNodes(result, response);
    pane("sent").replaceChildren(...sent.parts);
    pane("docs").replaceChildren(...docsNodes(result, response ? entry : null, response));
    pane("output").replaceChildren(...renderOutput(result));
    outputBox.open = result.outcome !== "ok" && !response;
    editor.markErrors(markers(result, entry));
    panel.dataset.runs = String(Number(panel.dataset.runs || 0) + 1);
    const took = result.usage ? ` in ${Math.round(result.usage.wall_ms)} ms` : "";
    let text = result.outcome === "ok" ? `Ran${took}: ${response ? `${response.status} ${response.reason}` : "no response"}.` : result.message;
    if (result.outcome !== "ok" && response) text = `${response.status} ${response.reason}. ${result.message}`;
    if (sent.leaks.length) text += ` ${sent.leaks.length} sensitive field(s) left the server.`;
    runs.say(text);
  }

  requestBuilder(panel.querySelector("[data-request-builder]"), {
    onSend: (main) => {
      selected = { label: `${main.method} ${main.path}`, main, setup: [] };
      bar.select(-1);
      statusCode.sync();
      send(selected);
    },
  });
  panel.querySelector("[data-reset]").addEventListener("click", () => {
    editor.setCode(sources[current]);
    editor.clearErrors();
    editor.focus();
  });

  showVariant(current);
  panel.dataset.state = "idle";
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="response-filter"]').forEach(mount);
