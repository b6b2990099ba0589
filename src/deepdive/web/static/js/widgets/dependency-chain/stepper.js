// Stepping through one request's recorded resolution: the step list, Previous/Next and the arrow
// keys, the detail of the current step, and its code selected in the editor.
import { element } from "../../kit/dom.js";
import { describeStep, stepBadge, stepTitle } from "./steps.js";

const LEARNER_FILE = "app.py";

export function stepper(panel, editor) {
  const timeline = panel.querySelector("[data-timeline]");
  const detail = panel.querySelector("[data-step-detail]");
  const position = panel.querySelector("[data-step-position]");
  const previous = panel.querySelector("[data-step-prev]");
  const next = panel.querySelector("[data-step-next]");
  let steps = [];
  let current = 0;
  let ranCode = null;

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
    const view = editor.view;
    if (!view) {
      editor.ready().then(() => highlight(step)); // the editor is still loading
      return;
    }
    const doc = view.state.doc;
    const first = Math.min(Math.max(range[0], 1), doc.lines);
    const last = Math.min(Math.max(range[1], first), doc.lines);
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
      if (Number(button.dataset.step) === current) button.setAttribute("aria-current", "step");
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

  return {
    /** Show the steps of a run of `code`. */
    load(newSteps, code) {
      steps = newSteps;
      ranCode = code;
      timeline.replaceChildren(...steps.map((step, index) => element("li", {},
        element("button", { type: "button", class: "step-button", "data-step": String(index), "data-step-type": step.type },
          element("span", { class: `step-badge badge-${stepBadge(step)}`, text: stepBadge(step) }),
          element("span", { text: ` ${step.n}. ${stepTitle(step)}` })))));
      if (steps.length) select(0, false);
      else detail.replaceChildren();
    },
    clear() {
      steps = [];
    },
  };
}
