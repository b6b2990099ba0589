// The test runner: an app and its tests in two editors; real pytest runs them in the sandbox and
// each test is drawn as soon as the sandbox reports it (outcome, duration, pytest's assertion
// message and traceback, what the test printed). A run that could not finish (a syntax error, a
// test that never ends, a test that ends the process) keeps the tests that did arrive and says why.
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { caseSummary, OUTCOME_WORDS } from "./summary.js";

const APP_FILE = "app.py";
const TESTS_FILE = "test_app.py";

function caseItem(testCase) {
  const item = element("li", { class: `test-case outcome-${testCase.outcome}`, "data-case": testCase.name, "data-outcome": testCase.outcome });
  const head = element("p", { class: "test-case-head" },
    element("span", { class: "test-outcome", text: OUTCOME_WORDS[testCase.outcome] || testCase.outcome }),
    element("code", { class: "test-name", text: testCase.name }),
    element("span", { class: "hint test-duration", text: `${testCase.duration_ms.toFixed(1)} ms` }));
  item.append(head);
  if (testCase.message) item.append(element("p", { class: "test-message", "data-message": "", text: testCase.message }));
  if (testCase.details) {
    item.append(element("details", { class: "test-details" }, element("summary", { text: "What pytest said" }),
      element("pre", {}, element("code", { text: testCase.details }))));
  }
  if (testCase.output) {
    item.append(element("details", { class: "test-output", open: "" }, element("summary", { text: "Captured output" }),
      element("pre", { "data-output": "" }, element("code", { text: testCase.output }))));
  }
  return item;
}

/** Editor markers for an error in one of the two files (`file` is the sandbox's name for it). */
function markersFor(result, cases, file) {
  const markers = [];
  const add = (error, line, message) => {
    if (line && (error.file || APP_FILE) === file) markers.push({ line, column: error.column, message });
  };
  if (result.error) add(result.error, result.error.line, `${result.error.type}: ${result.error.message}`);
  for (const testCase of cases) {
    if (testCase.file && testCase.line && testCase.outcome !== "passed") add(testCase, testCase.line, testCase.message);
  }
  return markers;
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const status = panel.querySelector("[data-run-status]");
  const list = panel.querySelector("[data-test-cases]");
  const summary = panel.querySelector("[data-test-summary]");
  const problem = panel.querySelector("[data-run-problem]");
  const saveStatus = panel.querySelector("[data-save-status]");
  const app = codeEditor(panel.querySelector('[data-editor="code"]'), { widgetId, status: saveStatus, onRun: () => run() });
  const tests = codeEditor(panel.querySelector('[data-editor="tests"]'), { widgetId, part: "tests", status: saveStatus, onRun: () => run() });
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, app, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });

  async function run() {
    app.clearErrors();
    tests.clearErrors();
    list.replaceChildren();
    problem.replaceChildren();
    summary.textContent = "";
    const seen = [];
    const outcome = await runs.run(
      { widget: widgetId, kind: "test", code: app.getCode(), tests: tests.getCode() },
      {
        label: "pytest",
        onCase: (testCase) => {
          seen.push(testCase);
          list.append(caseItem(testCase));
          summary.textContent = `${caseSummary(seen)} so far…`;
        },
        onFailure: (text) => problem.replaceChildren(notice(text)),
      },
    );
    if (!outcome) return;
    const { result } = outcome;
    // The final result is authoritative, except when the process ended before it could list
    // the tests: the ones already streamed are kept then.
    const cases = result.tests.length >= seen.length ? result.tests : seen;
    list.replaceChildren(...cases.map(caseItem));
    summary.textContent = cases.length ? caseSummary(cases) : "";
    if (result.outcome !== "ok") {
      const where = cases.length ? ` The ${cases.length} test${cases.length === 1 ? "" : "s"} above finished before that.` : "";
      problem.replaceChildren(notice(result.message + where, "error", { title: "The run did not finish:" }));
      if (result.error && result.error.traceback) problem.append(element("pre", { class: "traceback" }, element("code", { text: result.error.traceback })));
    } else if (!cases.length) {
      problem.replaceChildren(notice("pytest found no tests: a test is a function whose name starts with test_.", "warning"));
    }
    app.markErrors(markersFor(result, cases, APP_FILE));
    tests.markErrors(markersFor(result, cases, TESTS_FILE));
  }

  panel.querySelector("[data-run-tests]").addEventListener("click", () => run());
  panel.querySelector("[data-reset]").addEventListener("click", () => {
    tests.setCode(tests.starter);
    app.reset();
  });
  panel.editor = app;
  panel.testsEditor = tests;
  taskList(panel, { code: () => app.getCode(), editor: app, fields: () => ({ tests: tests.getCode() }), testsEditor: tests });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="test-runner"]').forEach(mount);
