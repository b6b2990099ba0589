// "Build an endpoint": a form writes an endpoint that echoes its parameters, the learner sends it
// any URL in the sandbox and sees FastAPI's real conversions and 422s; then route order, both ways.
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { presetBar } from "../../kit/preset-bar.js";
import { readRequest } from "../../kit/request-builder.js";
import { errorMarkers, renderOutput } from "../../kit/response-view.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { exampleUrl, generate, readSpec } from "./code.js";
import { paramForm } from "./param-form.js";
import { renderExchange } from "./request-view.js";
import { routeOrder } from "./route-order.js";
import { routingOf } from "./run.js";

const EDITED = "The editor holds your own edits, so the form will not touch them unless you press “Generate code”.";
const FOLLOWS = "The code follows the form.";

function presetUrl(preset) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(preset.query || {})) [].concat(value).forEach((v) => query.append(key, v));
  const text = query.toString();
  return text ? `${preset.path}?${text}` : preset.path;
}

function outputDetails(result) {
  const broken = Boolean(result.error || (result.responses || []).some((r) => r.error));
  const printed = Boolean(result.stdout || result.stderr);
  if (!broken && !printed) return null;
  const details = element("details", { class: "eb-output" }, element("summary", { text: broken ? "Error output" : "What your code printed" }), ...renderOutput(result));
  details.open = broken;
  return details;
}

// The form and the code: the form writes the code, but never over the learner's own edits
// without asking first.
function formAndCode(panel, editor, edits) {
  const formStatus = panel.querySelector("[data-form-status]");
  const urlInput = panel.querySelector("[data-url]");
  const defaults = JSON.parse(panel.querySelector("[data-form-default]").textContent);
  const form = paramForm(panel.querySelector("[data-param-form]"), panel.querySelector("template[data-param-row]"), {
    uid: panel.dataset.uid,
    onChange: () => regenerate({ ask: false }),
  });
  form.load(defaults);
  // What the form last wrote; the editor differing from it means the learner edited the code.
  let generated = generate(form.spec());
  let suggestedUrl = exampleUrl(form.spec());
  urlInput.value = suggestedUrl;
  // At every edit in the editor, the form reads back what it can of the code (route, parameters,
  // their types, defaults and rules) and says what it cannot follow.
  function follow(code) {
    if (code === generated) return FOLLOWS;
    const { spec, unread } = readSpec(code);
    if (!spec) return `The form cannot read this code (${unread.join("; ")}); it shows what it last wrote. “Generate code” writes the form's endpoint over your edits.`;
    if (JSON.stringify(spec) !== JSON.stringify(form.spec())) form.load(spec);
    if (form.check().ok) {
      const url = exampleUrl(spec);
      if (urlInput.value === suggestedUrl) urlInput.value = url;
      suggestedUrl = url;
      if (!unread.length && generate(spec) === code) {
        generated = code;
        return FOLLOWS;
      }
    }
    if (unread.length) return `The form shows the route and parameters it could read from your code, but cannot follow ${unread.join("; ")}. “Generate code” writes the form's endpoint over your edits.`;
    return `The form shows your code's route and parameters. ${EDITED}`;
  }
  formStatus.textContent = follow(editor.getCode());
  edits.listen((code) => (formStatus.textContent = follow(code)));

  function regenerate({ ask }) {
    const { ok, routeProblem } = form.check();
    if (!ok) {
      formStatus.textContent = routeProblem ? routeProblem.message : "Fix the marked fields to update the code.";
      return;
    }
    const spec = form.spec();
    const code = generate(spec);
    const edited = editor.getCode() !== generated;
    if (edited && code !== editor.getCode()) {
      const replace = ask && window.confirm("Replace the code in the editor, including your own edits, with the code from the form? Ctrl+Z in the editor brings your version back.");
      if (!replace) {
        formStatus.textContent = EDITED;
        return;
      }
    }
    generated = code; // before the editor reports the change: the code follows the form
    if (code !== editor.getCode()) editor.setCode(code);
    const url = exampleUrl(spec);
    if (urlInput.value === suggestedUrl || ask) urlInput.value = url;
    suggestedUrl = url;
    editor.clearErrors();
    formStatus.textContent = FOLLOWS;
  }

  panel.querySelector("[data-param-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    regenerate({ ask: true });
  });
  return {
    reset() {
      form.load(defaults);
      generated = generate(form.spec());
      formStatus.textContent = follow(editor.getCode());
    },
  };
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const resultBox = panel.querySelector("[data-result]");
  const requestForm = panel.querySelector("[data-request-form]");
  const urlInput = panel.querySelector("[data-url]");
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const status = panel.querySelector("[data-run-status]");
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]") });

  let onEdit = () => {};
  const editor = codeEditor(panel.querySelector(':scope > [data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => requestForm.requestSubmit(),
    onChange: (code) => onEdit(code),
  });
  const form = formAndCode(panel, editor, { listen: (callback) => (onEdit = callback) });

  async function send(request) {
    const label = `${request.method} ${request.path}`;
    editor.clearErrors();
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: [request], instruments },
      { label, onFailure: (message) => resultBox.replaceChildren(notice(message)) },
    );
    if (!outcome) return;
    const { result } = outcome;
    const response = (result.responses || [])[0];
    const took = result.usage ? ` in ${Math.round(result.usage.wall_ms)} ms` : "";
    runs.say(result.outcome === "ok" && response ? `Ran${took}: ${label} answered ${response.status}.` : result.message);
    const nodes = response ? renderExchange(request, response, routingOf(result, 0)) : [notice(result.message)];
    const routing = result.instrumentation && result.instrumentation.routing;
    if (response && routing && routing.error) nodes.push(notice(`The route that answered is not known: ${routing.error}.`, "warning"));
    resultBox.replaceChildren(...nodes, outputDetails(result) || "");
    editor.markErrors(errorMarkers(result));
  }

  requestForm.addEventListener("submit", (event) => {
    event.preventDefault();
    send(readRequest({ method: requestForm.elements.method.value, path: urlInput.value }));
  });
  presetBar(panel.querySelector("[data-preset-bar]"), presets, {
    pressed: false,
    onChoose: (preset) => {
      requestForm.elements.method.value = preset.method;
      urlInput.value = presetUrl(preset);
      send(readRequest({ method: preset.method, path: urlInput.value }));
    },
  });
  panel.querySelector("[data-reset]").addEventListener("click", () => {
    editor.reset();
    form.reset();
  });

  const order = panel.querySelector("[data-route-order]");
  if (order) panel.routeOrder = routeOrder(order, widgetId, instruments);
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="endpoint-builder"]').forEach(mount);
