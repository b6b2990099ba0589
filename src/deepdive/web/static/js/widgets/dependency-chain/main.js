// The resolution chain: run the learner's app in the sandbox with the `resolution` instrument
// and step through one real request (calls, cache hits, endpoint, response, cleanup).
import { createEditor } from "../../../build/editor.js";
import { draftSaver } from "../../drafts.js";
import { element, errorMarkers, renderOutput, renderResponse } from "../../results.js";
import { startRun } from "../../runs.js";
import { describeStep, listSteps, stepBadge, stepTitle } from "./steps.js";
import { cacheSwitches, hasSnippet, toggleSnippet } from "./source.js";

const LEARNER_FILE = "app.py";

function mount(panel) {
  const host = panel.querySelector("[data-editor]");
  const starter = panel.querySelector("template[data-starter]").content.textContent;
  const snippetTemplate = panel.querySelector("template[data-override-snippet]");
  const snippet = snippetTemplate ? snippetTemplate.content.textContent : "";
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const runStatus = panel.querySelector("[data-run-status]");
  const saveStatus = panel.querySelector("[data-save-status]");
  const switchStatus = panel.querySelector("[data-switch-status]");
  const switchList = panel.querySelector("[data-cache-switches]");
  const overrideBox = panel.querySelector("[data-override]");
  const resultBox = panel.querySelector("[data-result]");
  const summary = panel.querySelector("[data-summary]");
  const timeline = panel.querySelector("[data-timeline]");
  const detail = panel.querySelector("[data-step-detail]");
  const position = panel.querySelector("[data-step-position]");
  const previous = panel.querySelector("[data-step-prev]");
  const next = panel.querySelector("[data-step-next]");
  const widgetId = panel.dataset.widgetId;
  let selected = presets[0] || { method: "GET", path: "/" };
  let running = null;
  let steps = [];
  let current = 0;
  let ranCode = null;

  const drafts = draftSaver(widgetId, { onStatus: (text) => (saveStatus.textContent = text) });
  const initial = host.textContent;
  host.textContent = "";
  host.dataset.mounted = "true";
  let switchTimer = null;
  const editor = createEditor(host, {
    doc: initial.replace(/\n$/, ""),
    label: host.dataset.label,
    onChange: (code) => {
      drafts.save(code);
      clearTimeout(switchTimer);
      switchTimer = setTimeout(showSwitches, 250);
    },
    onRun: () => send(selected),
  });

  // -- switches that edit the code -----------------------------------------------------------

  function edit(code, message) {
    editor.setCode(code);
    showSwitches();
    switchStatus.textContent = message;
    send(selected);
  }

  function showSwitches() {
    const code = editor.getCode();
    const found = cacheSwitches(code);
    switchList.replaceChildren(...found.map((item, index) => {
      const id = `${panel.id}-cache-${index}`;
      const box = element("input", { type: "checkbox", id, "data-cache-switch": item.key });
      box.checked = item.cached;
      box.addEventListener("change", () => {
        const edited = item.apply(editor.getCode());
        if (edited === null) {
          switchStatus.textContent = "That declaration moved while you were typing; try again.";
          showSwitches();
          return;
        }
        edit(edited, item.cached ? `Added use_cache=False on line ${item.line}; running again…` : `Removed use_cache=False on line ${item.line}; running again…`);
      });
      const label = element("label", { for: id }, element("code", { text: item.text }));
      return element("li", {}, box, document.createTextNode(" "), label, element("span", { class: "hint", text: item.cached ? " cached" : " use_cache=False" }));
    }));
    if (!found.length) switchList.replaceChildren(element("li", { class: "hint", text: "No Depends(...) in the code yet." }));
    if (overrideBox) overrideBox.checked = hasSnippet(code, snippet);
  }

  overrideBox?.addEventListener("change", () => {
    const edited = toggleSnippet(editor.getCode(), snippet, overrideBox.checked);
    if (edited === null) {
      overrideBox.checked = true;
      switchStatus.textContent = "The override lines were edited, so they cannot be taken out automatically: delete them in the editor.";
      return;
    }
    edit(edited, overrideBox.checked ? "Added the override at the end of the code; running again…" : "Removed the override; running again…");
  });

  // -- running ---------------------------------------------------------------------------------

  function traceOf(result) {
    const data = result.instrumentation && result.instrumentation.resolution;
    if (!data || data.error) return { problem: data ? data.error : "nothing was recorded" };
    return { trace: (data.requests || []).find((t) => t.request === 0) || null };
  }

  async function send(request) {
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    panel.dataset.state = "running";
    runStatus.textContent = `Running your app: ${request.method} ${request.path}…`;
    editor.clearErrors();
    const { label, ...sandboxRequest } = request;
    const code = editor.getCode();
    drafts.flush(); // a switch or Reset may have just changed the code: save it now
    try {
      const { result, attempts } = await startRun(
        { widget: widgetId, code, requests: [sandboxRequest], instruments: ["resolution"] },
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.event === "queued" && event.position > 0) runStatus.textContent = `Waiting for a free sandbox: ${event.position} run(s) ahead of yours…`;
          },
        },
      );
      ranCode = code;
      panel.dataset.outcome = result.outcome;
      const response = (result.responses || [])[0];
      panel.querySelector("[data-response]").replaceChildren(...(response ? renderResponse(response) : [element("p", { class: "hint", text: "No response: the app did not get that far." })]));
      panel.querySelector("[data-output]").replaceChildren(...renderOutput(result));
      editor.markErrors(errorMarkers(result));
      const { trace, problem } = traceOf(result);
      if (!response || problem) {
        showNothing(problem && response ? `The trace could not be recorded: ${problem}.` : result.message);
      } else {
        showTrace(trace, response);
      }
      if (result.isolation && result.isolation.warning) runStatus.textContent += ` ${result.isolation.warning}`;
      panel.dataset.attempts = String(attempts);
    } catch (error) {
      if (error.name === "AbortError") return;
      panel.dataset.outcome = "failed";
      showNothing(error.message);
    } finally {
      if (running === controller) {
        running = null;
        panel.dataset.state = "idle";
      }
    }
  }

  function showNothing(message) {
    steps = [];
    resultBox.hidden = true;
    runStatus.textContent = message;
  }

  function showTrace(trace, response) {
    steps = trace ? trace.steps : [];
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
    if (names.length) parts.push(table);
    else parts.push(element("p", { class: "hint", text: "No dependency was resolved for this request." }));
    for (const swap of trace ? trace.overrides : []) {
      parts.push(element("p", {}, document.createTextNode("Override in effect: "), element("code", { text: swap.original }), document.createTextNode(" is replaced by "), element("code", { text: swap.replacement }), document.createTextNode(".")));
    }
    if (trace && trace.truncated) parts.push(element("p", { class: "hint", text: "The request made too many steps to show them all; the first ones are shown." }));
    summary.replaceChildren(...parts);
    timeline.replaceChildren(...steps.map((step, index) => element("li", {},
      element("button", { type: "button", class: "step-button", "data-step": String(index), "data-step-type": step.type },
        element("span", { class: `step-badge badge-${stepBadge(step)}`, text: stepBadge(step) }),
        element("span", { text: ` ${step.n}. ${stepTitle(step)}` })))));
    resultBox.hidden = steps.length === 0 && !names.length;
    runStatus.textContent = `Ran: ${response.status} ${response.reason || ""}. ${steps.length} step${steps.length === 1 ? "" : "s"} recorded; use Next to follow them.`;
    if (steps.length) select(0, false);
    else detail.replaceChildren();
  }

  // -- stepping --------------------------------------------------------------------------------

  function highlight(step) {
    if (ranCode === null || editor.getCode() !== ranCode) {
      editor.clearErrors();
      return;
    }
    let range = step.file === LEARNER_FILE && step.lines ? step.lines : null;
    if (step.type === "cache_hit" && step.for && step.for.line) range = [step.for.line, step.for.line];
    if (step.type === "call" && step.paused_at && range) range = [range[0], step.paused_at];
    if (!range) {
      editor.clearErrors();
      return;
    }
    const doc = editor.view.state.doc;
    const first = Math.min(Math.max(range[0], 1), doc.lines);
    const last = Math.min(Math.max(range[1], first), doc.lines);
    const view = editor.view;
    view.dispatch({ selection: { anchor: doc.line(first).from, head: doc.line(last).to } });
    // Bring the step's first line to the upper third of the editor, not to its very edge.
    const top = view.lineBlockAt(doc.line(first).from).top;
    view.scrollDOM.scrollTop = Math.max(0, top - view.scrollDOM.clientHeight / 3);
    const focusLine = step.type === "call" && step.paused_at ? step.paused_at : first;
    editor.markErrors([{ line: focusLine, message: `Step ${step.n}: ${stepTitle(step)}`, severity: "info" }]);
  }

  function select(index, moveFocus) {
    if (!steps.length) return;
    current = Math.max(0, Math.min(index, steps.length - 1));
    const step = steps[current];
    for (const button of timeline.querySelectorAll("[data-step]")) {
      const active = Number(button.dataset.step) === current;
      if (active) button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
    }
    const active = timeline.querySelector(`[data-step="${current}"]`);
    if (moveFocus) active.focus();
    active.scrollIntoView({ block: "nearest" });
    position.textContent = `Step ${current + 1} of ${steps.length}`;
    previous.disabled = current === 0;
    next.disabled = current === steps.length - 1;
    detail.replaceChildren(...describeStep(step, steps));
    panel.dataset.step = String(step.n);
    highlight(step);
  }

  previous.addEventListener("click", () => select(current - 1, false));
  next.addEventListener("click", () => select(current + 1, false));
  timeline.addEventListener("click", (event) => {
    const button = event.target.closest("[data-step]");
    if (button) select(Number(button.dataset.step), false);
  });
  panel.querySelector("[data-stepper]").addEventListener("keydown", (event) => {
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let target = null;
    if (event.key in moves) target = current + moves[event.key];
    else if (event.key === "Home") target = 0;
    else if (event.key === "End") target = steps.length - 1;
    if (target === null || !steps.length) return;
    event.preventDefault();
    select(target, timeline.contains(document.activeElement));
  });

  // -- requests and reset ---------------------------------------------------------------------

  for (const button of panel.querySelectorAll("[data-preset]")) {
    button.addEventListener("click", () => {
      for (const other of panel.querySelectorAll("[data-preset]")) {
        other.classList.toggle("selected", other === button);
        other.setAttribute("aria-pressed", String(other === button));
      }
      selected = presets[Number(button.dataset.preset)];
      send(selected);
    });
  }

  panel.querySelector("[data-reset]").addEventListener("click", () => {
    editor.setCode(starter.replace(/\n$/, ""));
    editor.clearErrors();
    showSwitches();
    editor.focus();
  });

  // -- the challenge: its answer comes back as HTML (htmx); draw the trace it carries ----------

  panel.addEventListener("htmx:beforeSwap", (event) => {
    // A check that could not run (503) still has a message for the learner: show it.
    if (event.detail.xhr.status === 503 && event.target.closest(".challenge")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  function drawChallengeTrace(root) {
    // The trace travels in a <template> (htmx drops <script> blocks from swapped content).
    for (const data of root.querySelectorAll("template[data-challenge-trace]")) {
      const list = data.parentElement.querySelector("[data-challenge-steps]");
      if (list) listSteps(JSON.parse(data.content.textContent), list);
    }
  }
  document.body.addEventListener("htmx:load", (event) => {
    if (panel.contains(event.target)) drawChallengeTrace(event.target);
  });
  drawChallengeTrace(panel);

  showSwitches();
  panel.editor = editor;
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="dependency-chain"]').forEach(mount);
