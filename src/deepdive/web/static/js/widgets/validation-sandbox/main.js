// The validation sandbox: edit a Pydantic model and a JSON body, send the body to the learner's
// app in the sandbox, and see each of FastAPI's real validation errors beside its field and on
// its line of the JSON text.
import { codeEditor } from "../../kit/code-editor.js";
import { notice } from "../../kit/dom.js";
import { locateJson } from "../../kit/json-locations.js";
import { presetBar } from "../../kit/preset-bar.js";
import { errorMarkers, renderOutput, renderResponse } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { fieldView, markerFor, summary, validationErrors } from "./fields.js";

const JSON_HEADERS = { "content-type": "application/json" };

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const target = { method: presets[0].method, path: presets[0].path };
  const status = panel.querySelector("[data-run-status]");
  const saveStatus = panel.querySelector("[data-save-status]");
  const outputBox = panel.querySelector("[data-output-box]");
  const show = (selector, nodes) => panel.querySelector(selector).replaceChildren(...nodes);

  const model = codeEditor(panel.querySelector('[data-editor="model"]'), { widgetId, status: saveStatus, onRun: () => send() });
  const body = codeEditor(panel.querySelector('[data-editor="body"]'), { widgetId, part: "body", language: "json", status: saveStatus, onRun: () => send() });
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, model, { what: "model", onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });

  async function send() {
    delete status.dataset.verdict;
    model.clearErrors();
    body.clearErrors();
    const text = body.getCode();
    body.flush(); // the body is saved now, not when the typing pause ends (the run saves the model)
    // Sent exactly as typed, so broken JSON reaches FastAPI and earns its real answer.
    const request = { method: target.method, path: target.path, headers: JSON_HEADERS, body: text };
    const outcome = await runs.run(
      { widget: widgetId, code: model.getCode(), requests: [request], instruments },
      {
        label: `${target.method} ${target.path}`,
        onFailure: (message) => {
          status.dataset.verdict = "error";
          show("[data-response]", [notice(message)]);
        },
      },
    );
    if (!outcome) return;
    const { result } = outcome;
    const response = (result.responses || [])[0];
    const validation = result.instrumentation && result.instrumentation.validation;
    const entry = validation && Array.isArray(validation.requests) ? validation.requests[0] : null;
    const { errors, reshaped } = response ? validationErrors(response, entry) : { errors: [], reshaped: false };
    const places = locateJson(text);

    const told = summary(response, errors);
    panel.dataset.status = response ? String(response.status) : "";
    runs.say(told ? told.text : result.message);
    status.dataset.verdict = told && told.ok ? "ok" : "error";

    show(
      "[data-fields]",
      validation && validation.error && response
        ? [notice(`No field information this time: ${validation.error}.`, "warning")]
        : fieldView({ result, response, entry, errors, reshaped, text, places, target }),
    );
    show("[data-response]", response ? renderResponse(response) : [notice(result.message)]);
    show("[data-output]", renderOutput(result));
    outputBox.open = Boolean(result.error || (response && response.error));
    model.markErrors(errorMarkers(result));
    body.markErrors(errors.map((e) => markerFor(e, text, places)).filter(Boolean));
  }

  panel.querySelector("[data-send]").addEventListener("click", () => send());
  presetBar(panel.querySelector("[data-preset-bar]"), presets, {
    pressed: false,
    onChoose: (preset) => {
      body.setCode((preset.body !== undefined ? preset.body : JSON.stringify(preset.json_body, null, 2)).replace(/\n$/, ""));
      send();
    },
  });
  panel.querySelector("[data-reset]").addEventListener("click", () => model.reset());
  panel.querySelector("[data-reset-body]").addEventListener("click", () => body.reset());

  panel.editors = { model, body };
  taskList(panel, { code: () => model.getCode(), editor: model });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="validation-sandbox"]').forEach(mount);
