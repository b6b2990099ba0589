// The resolution chain: run the learner's app in the sandbox with the `resolution` instrument
// and step through one real request (calls, cache hits, endpoint, response, cleanup).
import { asRequest } from "../../kit/chain.js";
import { codeEditor } from "../../kit/code-editor.js";
import { element } from "../../kit/dom.js";
import { presetBar } from "../../kit/preset-bar.js";
import { errorMarkers, renderOutput, renderResponse } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { stepper } from "./stepper.js";
import { listSteps } from "./steps.js";
import { switches } from "./switches.js";

function traceOf(result) {
  const data = result.instrumentation && result.instrumentation.resolution;
  if (!data || data.error) return { problem: data ? data.error : "nothing was recorded" };
  return { trace: (data.requests || []).find((t) => t.request === 0) || null };
}

/** The call counts of one request, and the overrides in effect. */
function summaryNodes(trace, response) {
  const calls = trace ? trace.calls : {};
  const hits = trace ? trace.cache_hits : {};
  const names = [...new Set([...Object.keys(calls), ...Object.keys(hits)])];
  const table = element("table", { class: "call-counts" }, element("caption", { text: "Calls in this request" }));
  table.append(element("tr", {}, element("th", { scope: "col", text: "Dependency" }), element("th", { scope: "col", text: "Really called" }), element("th", { scope: "col", text: "Served from the cache" })));
  for (const name of names) {
    table.append(element("tr", { "data-dependency": name },
      element("th", { scope: "row" }, element("code", { text: name })),
      element("td", { "data-calls": String(calls[name] || 0), text: String(calls[name] || 0) }),
      element("td", { "data-hits": String(hits[name] || 0), text: String(hits[name] || 0) })));
  }
  const parts = [element("p", { class: "chain-response", text: `${response.method} ${response.path} answered ${response.status} ${response.reason || ""}`.trim() })];
  parts.push(names.length ? table : element("p", { class: "hint", text: "No dependency was resolved for this request." }));
  for (const swap of trace ? trace.overrides : []) {
    parts.push(element("p", {}, document.createTextNode("Override in effect: "), element("code", { text: swap.original }), document.createTextNode(" is replaced by "), element("code", { text: swap.replacement }), document.createTextNode(".")));
  }
  if (trace && trace.truncated) parts.push(element("p", { class: "hint", text: "The request made too many steps to show them all; the first ones are shown." }));
  return { parts, any: names.length > 0 };
}

// The challenge's answer comes back as HTML (htmx); draw the trace it carries.
function challengeTraces(panel) {
  panel.addEventListener("htmx:beforeSwap", (event) => {
    // A check that could not run (503) still has a message for the learner: show it.
    if (event.detail.xhr.status === 503 && event.target.closest(".challenge")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  const draw = (root) => {
    // The trace travels in a <template> (htmx drops <script> blocks from swapped content).
    for (const data of root.querySelectorAll("template[data-challenge-trace]")) {
      const list = data.parentElement.querySelector("[data-challenge-steps]");
      if (list) listSteps(JSON.parse(data.content.textContent), list);
    }
  };
  document.body.addEventListener("htmx:load", (event) => {
    if (panel.contains(event.target)) draw(event.target);
  });
  draw(panel);
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const snippet = panel.querySelector("template[data-override-snippet]")?.content.textContent || "";
  const status = panel.querySelector("[data-run-status]");
  const resultBox = panel.querySelector("[data-result]");
  const notRunYet = [...panel.querySelector("[data-response]").children].map((node) => node.cloneNode(true));
  const summary = panel.querySelector("[data-summary]");
  let selected = presets[0] || { method: "GET", path: "/" };
  let switchTimer = null;

  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => send(selected),
    onChange: () => {
      clearTimeout(switchTimer);
      switchTimer = setTimeout(() => toggles.refresh(), 250);
    },
  });
  const steps = stepper(panel, editor);
  const toggles = switches(panel, editor, {
    snippet,
    onEdit: (code, message) => {
      editor.setCode(code);
      toggles.refresh();
      toggles.say(message);
      send(selected);
    },
  });
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });

  function showNothing(message) {
    steps.clear();
    resultBox.hidden = true;
    runs.say(message);
  }

  async function send(request) {
    const code = editor.getCode();
    editor.clearErrors();
    editor.flush(); // a switch or Reset may have just changed the code: save it now
    const outcome = await runs.run(
      { widget: widgetId, code, requests: [asRequest(request)], instruments },
      { label: `${request.method} ${request.path}`, onFailure: (message) => showNothing(message) },
    );
    if (!outcome) return;
    const { result } = outcome;
    const response = (result.responses || [])[0];
    panel.querySelector("[data-response]").replaceChildren(...(response ? renderResponse(response) : [element("p", { class: "hint", text: "No response: the app did not get that far." })]));
    panel.querySelector("[data-output]").replaceChildren(...renderOutput(result));
    editor.markErrors(errorMarkers(result));
    const { trace, problem } = traceOf(result);
    if (!response || problem) {
      showNothing(problem && response ? `The trace could not be recorded: ${problem}.` : result.message);
      return;
    }
    const drawn = summaryNodes(trace, response);
    summary.replaceChildren(...drawn.parts);
    const recorded = trace ? trace.steps : [];
    resultBox.hidden = recorded.length === 0 && !drawn.any;
    runs.say(`Ran: ${response.status} ${response.reason || ""}. ${recorded.length} step${recorded.length === 1 ? "" : "s"} recorded; use Next to follow them.`);
    steps.load(recorded, code);
  }

  presetBar(panel.querySelector("[data-preset-bar]"), presets, {
    onChoose: (preset) => {
      selected = preset;
      send(preset);
    },
  });
  panel.querySelector("[data-reset]").addEventListener("click", () => {
    editor.reset();
    toggles.refresh();
    // What was shown belonged to the code that Reset replaced.
    steps.clear();
    resultBox.hidden = true;
    panel.querySelector("[data-response]").replaceChildren(...notRunYet.map((node) => node.cloneNode(true)));
    panel.querySelector("[data-output]").replaceChildren();
    runs.reset("Back to the starter code. Choose a request to run it.");
  });
  challengeTraces(panel);

  toggles.refresh();
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="dependency-chain"]').forEach(mount);
