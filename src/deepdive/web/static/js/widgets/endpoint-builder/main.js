// "Build an endpoint": a form writes an endpoint that echoes its parameters, the learner sends it
// any URL in the sandbox and sees FastAPI's real conversions and 422s; then route order, both ways.
import { createEditor } from "../../../build/editor.js";
import { draftSaver } from "../../drafts.js";
import { element, errorMarkers, parseQuery, renderOutput } from "../../results.js";
import { exampleUrl, generate } from "./code.js";
import { paramForm } from "./param-form.js";
import { renderExchange } from "./request-view.js";
import { routeOrder } from "./route-order.js";
import { routingOf, runCode } from "./run.js";

const EDITED = "The editor holds your own edits, so the form will not touch them unless you press “Generate code”.";
const FOLLOWS = "The code follows the form.";

/** "/books/7?in_stock=yes" (or a full URL) -> the sandbox's request shape. */
function requestFor(method, text) {
  let url = text.trim() || "/";
  url = url.replace(/^[a-z]+:\/\/[^/]*/i, "").replace(/#.*$/, "");
  if (!url.startsWith("/")) url = "/" + url;
  const [path, ...query] = url.split("?");
  return { method, path: path || "/", query: parseQuery(query.join("?")), headers: {} };
}

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

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const host = panel.querySelector(":scope > [data-editor]");
  const starter = panel.querySelector(":scope > template[data-starter]").content.textContent.replace(/\n$/, "");
  const runStatus = panel.querySelector("[data-run-status]");
  const resultBox = panel.querySelector("[data-result]");
  const formStatus = panel.querySelector("[data-form-status]");
  const saveStatus = panel.querySelector("[data-save-status]");
  const requestForm = panel.querySelector("[data-request-form]");
  const urlInput = panel.querySelector("[data-url]");
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  let running = null;

  const drafts = draftSaver(widgetId, { onStatus: (text) => (saveStatus.textContent = text) });
  const initial = host.textContent.replace(/\n$/, "");
  host.textContent = "";
  host.dataset.mounted = "true";
  const editor = createEditor(host, {
    doc: initial,
    label: host.dataset.label,
    onChange: (code) => drafts.save(code),
    onRun: () => requestForm.requestSubmit(),
  });

  const form = paramForm(panel.querySelector("[data-param-form]"), panel.querySelector("template[data-param-row]"), {
    uid: panel.dataset.uid,
    onChange: () => regenerate({ ask: false }),
  });
  const defaults = JSON.parse(panel.querySelector("[data-form-default]").textContent);
  form.load(defaults);
  // What the form last wrote; the editor differing from it means the learner edited the code.
  let generated = generate(form.spec());
  let suggestedUrl = exampleUrl(form.spec());
  urlInput.value = suggestedUrl;
  formStatus.textContent = editor.getCode() === generated ? FOLLOWS : EDITED;

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
    if (code !== editor.getCode()) editor.setCode(code);
    generated = code;
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

  async function send(request) {
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    panel.dataset.state = "running";
    const label = `${request.method} ${request.path}`;
    runStatus.textContent = `Running your code: ${label}…`;
    editor.clearErrors();
    try {
      const result = await runCode({
        widget: widgetId,
        code: editor.getCode(),
        requests: [request],
        signal: controller.signal,
        onStatus: (text) => (runStatus.textContent = text),
      });
      panel.dataset.outcome = result.outcome;
      const response = (result.responses || [])[0];
      const took = result.usage ? ` in ${Math.round(result.usage.wall_ms)} ms` : "";
      runStatus.textContent = result.outcome === "ok" && response ? `Ran${took}: ${label} answered ${response.status}.` : result.message;
      const nodes = response
        ? renderExchange(request, response, routingOf(result, 0))
        : [element("div", { class: "notice notice-error", role: "alert", text: result.message })];
      resultBox.replaceChildren(...nodes, outputDetails(result) || "");
      editor.markErrors(errorMarkers(result));
    } catch (error) {
      if (error.name === "AbortError") return;
      panel.dataset.outcome = "failed";
      runStatus.textContent = error.message;
      resultBox.replaceChildren(element("div", { class: "notice notice-error", role: "alert", text: error.message }));
    } finally {
      if (running === controller) {
        running = null;
        panel.dataset.state = "idle";
      }
    }
  }

  requestForm.addEventListener("submit", (event) => {
    event.preventDefault();
    send(requestFor(requestForm.elements.method.value, urlInput.value));
  });
  for (const button of panel.querySelectorAll("[data-preset]")) {
    button.addEventListener("click", () => {
      const preset = presets[Number(button.dataset.preset)];
      requestForm.elements.method.value = preset.method;
      urlInput.value = presetUrl(preset);
      send(requestFor(preset.method, urlInput.value));
    });
  }

  panel.querySelector("[data-reset]").addEventListener("click", () => {
    editor.setCode(starter);
    editor.clearErrors();
    form.load(defaults);
    generated = generate(form.spec());
    formStatus.textContent = editor.getCode() === generated ? FOLLOWS : EDITED;
    editor.focus();
  });

  const order = panel.querySelector("[data-route-order]");
  if (order) panel.routeOrder = routeOrder(order, widgetId);
  panel.editor = editor;
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="endpoint-builder"]').forEach(mount);
