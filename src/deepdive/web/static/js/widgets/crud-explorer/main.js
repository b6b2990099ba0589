// The CRUD explorer: call the learner's SQLAlchemy app through forms; every call shows the SQL
// it emitted, the session's events, the response and the tables afterwards. The calls made
// since "Start over" form a journal, replayed in one run so each call meets the rows the
// earlier ones left (the database lives in memory, for one run).
import { asRequest } from "../../kit/chain.js";
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { presetBar } from "../../kit/preset-bar.js";
import { errorMarkers, renderOutput } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { renderCall } from "./calls-view.js";
import { buildRequest, describeRequest } from "./forms.js";

// Enough to follow a story (create, update, read, delete…) without the run growing without end.
const MAX_JOURNAL = 12;

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const results = panel.querySelector("[data-results]");
  const output = panel.querySelector("[data-output]");
  const journalNote = panel.querySelector("[data-journal]");
  const startOver = panel.querySelector("[data-start-over]");
  let journal = [];

  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => journal.length && replay(),
  });
  const status = panel.querySelector("[data-run-status]");
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });

  function showJournal() {
    startOver.disabled = journal.length === 0;
    journalNote.textContent = journal.length
      ? `${journal.length} call${journal.length === 1 ? "" : "s"} in this story: ${journal.map((entry) => entry.title).join(" → ")}`
      : "No calls yet.";
  }

  function add(title, request) {
    journal.push({ title, request });
    if (journal.length > MAX_JOURNAL) journal = journal.slice(-MAX_JOURNAL);
    showJournal();
    replay();
  }

  async function replay() {
    editor.clearErrors();
    const sent = journal.slice();
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: sent.map((entry) => entry.request), instruments },
      { label: sent[sent.length - 1].title, onFailure: (text) => results.replaceChildren(notice(text)) },
    );
    if (!outcome) return;
    const { result } = outcome;
    draw(result, sent);
    output.replaceChildren(...(renderOutput(result).length ? renderOutput(result) : [element("p", { class: "hint", text: "Nothing was printed." })]));
    editor.markErrors(errorMarkers(result));
  }

  function draw(result, sent) {
    const sql = result.instrumentation && result.instrumentation.sql;
    const responses = result.responses || [];
    const parts = [];
    if (!responses.length) {
      parts.push(notice(result.message || "Your app did not start.", "error", { title: "No call was made." }));
      const started = sql && !sql.error ? sql.setup.notes || [] : [];
      for (const text of started) parts.push(notice(text, "error", { title: "Blocked." }));
    }
    if (sql && sql.error) parts.push(notice(sql.error, "warning", { title: "No SQL to show:" }));
    const calls = sql && !sql.error ? sql.requests : [];
    const byIndex = new Map(calls.map((call) => [call.request, call]));
    const cards = sent.map((entry, index) => renderCall({
      title: entry.title,
      response: responses[index] || null,
      call: byIndex.get(index) || null,
      latest: index === sent.length - 1,
    }));
    if (responses.length) {
      const setup = sql && !sql.error ? sql.setup : null;
      if (setup) parts.push(renderCall({ title: "When your app started", response: null, call: setup, latest: false }));
      parts.push(...cards.reverse());
    }
    results.replaceChildren(...parts);
  }

  for (const form of panel.querySelectorAll("[data-crud-form]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const fields = [...form.querySelectorAll("input")].map((input) => ({
        name: input.name,
        type: input.dataset.type,
        optional: input.hasAttribute("data-optional"),
        value: input.value,
      }));
      const built = buildRequest({ method: form.dataset.method, path: form.dataset.path }, fields);
      if (built.error) {
        status.textContent = built.error;
        return;
      }
      add(`${form.dataset.label}: ${describeRequest(built.request)}`, built.request);
    });
  }
  presetBar(panel.querySelector("[data-preset-bar]"), presets, {
    pressed: false,
    onChoose: (preset) => add(preset.label, asRequest(preset)),
  });
  startOver.addEventListener("click", () => {
    journal = [];
    showJournal();
    results.replaceChildren(element("p", { class: "hint", text: "A fresh start: the next call meets only the rows your app creates when it starts." }));
  });
  panel.querySelector("[data-reset]").addEventListener("click", () => editor.reset());

  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="crud-explorer"]').forEach(mount);
