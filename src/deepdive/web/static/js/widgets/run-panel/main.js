// The run panel: edit a FastAPI app, send it requests in the sandbox, see exactly what came back,
// and read the app's own OpenAPI document in the Docs tab.
import { asRequest, chainFor } from "../../kit/chain.js";
import { codeEditor } from "../../kit/code-editor.js";
import { notice } from "../../kit/dom.js";
import { presetBar } from "../../kit/preset-bar.js";
import { requestBuilder } from "../../kit/request-builder.js";
import { errorMarkers, renderOutput, renderResponse } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { tabs } from "../../kit/tabs.js";

// The Docs tab: the app's OpenAPI document, drawn by the locally served Swagger UI in a frame.
function docsTab(panel) {
  const frame = panel.querySelector("[data-docs-frame]");
  const note = panel.querySelector("[data-docs-note]");
  const tab = panel.querySelector('[data-panel="docs"]');
  let spec = null;
  const post = () => spec && frame.contentWindow.postMessage({ type: "openapi", spec }, location.origin);
  window.addEventListener("message", (event) => {
    if (event.origin === location.origin && event.source === frame.contentWindow && event.data.type === "docs-viewer-ready") post();
  });
  return {
    shown() {
      if (!frame.getAttribute("src")) frame.setAttribute("src", "/docs-viewer"); // it asks when ready
      else post();
    },
    update(openapi) {
      if (!openapi) return;
      if (openapi.error || !openapi.available) {
        note.textContent = `No documentation this time: ${openapi.error || openapi.reason}.`;
        return;
      }
      note.textContent = "";
      spec = openapi.schema;
      if (!tab.hidden) post();
    },
  };
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const show = (name, nodes) => panel.querySelector(`[data-panel="${name}"]`).replaceChildren(...nodes);
  const docs = docsTab(panel);
  const view = tabs(panel.querySelector('[role="tablist"]'), { onShow: (name) => name === "docs" && docs.shown() });
  let chosen = presets[0] ? [presets[0]] : [{ method: "GET", path: "/" }];

  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => send(chosen),
  });
  const status = panel.querySelector("[data-run-status]");
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });

  async function send(requests) {
    chosen = requests;
    const last = requests[requests.length - 1];
    editor.clearErrors();
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: requests.map(asRequest), instruments },
      { label: `${last.method || "GET"} ${last.path}`, onFailure: (text) => show("response", [notice(text)]) },
    );
    if (!outcome) return;
    const { result } = outcome;
    const response = (result.responses || [])[requests.length - 1];
    show("response", response ? renderResponse(response) : [notice(result.message)]);
    show("output", renderOutput(result));
    editor.markErrors(errorMarkers(result));
    docs.update(result.instrumentation && result.instrumentation.openapi);
  }

  presetBar(panel.querySelector("[data-preset-bar]"), presets, {
    note: panel.querySelector("[data-chain-note]"),
    onChoose: (preset, index) => send(chainFor(presets, index).order.map((i) => presets[i])),
  });
  requestBuilder(panel.querySelector("[data-request-builder]"), { onSend: (request) => send([request]) });
  panel.querySelector("[data-reset]").addEventListener("click", () => editor.reset());

  view.show("response");
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="run-panel"]').forEach(mount);
