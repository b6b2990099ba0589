// Sync vs async: send a batch of requests to the learner's app all at once, and draw what the
// sandbox measured (each request's bar, thread-pool queueing, background tasks after the
// response) beside the ideal totals worked out from the delays.
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { errorMarkers, renderOutput } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { idealTotals } from "./ideal.js";
import { drawTimeline, legend, summary } from "./timeline.js";

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const { batches } = JSON.parse(panel.querySelector("[data-config]").textContent);
  const view = panel.querySelector("[data-timeline]");
  const output = panel.querySelector("[data-output]");
  const buttons = [...panel.querySelectorAll("[data-batch]")];
  let chosen = batches[0];

  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => send(chosen),
  });
  const status = panel.querySelector("[data-run-status]");
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });

  function choose(batch) {
    chosen = batch;
    for (const button of buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.batch === batch.id));
      button.classList.toggle("selected", button.dataset.batch === batch.id);
    }
    for (const note of panel.querySelectorAll("[data-note-for]")) note.hidden = note.dataset.noteFor !== batch.id;
  }

  function explainFailure(result) {
    if (result.outcome === "timeout") {
      return `Your app did not answer the batch in time, so its sandbox was stopped and nothing could be timed. ${result.message || ""} Look for a loop that never ends or a wait that never finishes, then send the batch again.`.replace(/\s+/g, " ");
    }
    return result.message || "The run failed before the requests could be timed.";
  }

  async function send(batch) {
    choose(batch);
    editor.clearErrors();
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: batch.requests, concurrent: true, instruments },
      { label: `${batch.requests.length} requests at once`, onFailure: (text) => view.replaceChildren(notice(text)) },
    );
    if (!outcome) return;
    panel.dataset.runs = String(Number(panel.dataset.runs || 0) + 1);
    const { result } = outcome;
    output.replaceChildren(...renderOutput(result));
    editor.markErrors(errorMarkers(result));
    const timeline = result.instrumentation && result.instrumentation.timeline;
    panel.dataset.batch = batch.id;
    // A request that raised still has its bars (and a task that raised is the point of one
    // batch); only a run that timed nothing is shown as a failure.
    if (!timeline || timeline.error || !timeline.requests.length || result.outcome === "timeout") {
      const why = timeline && timeline.error ? `The timeline could not be measured: ${timeline.error}` : explainFailure(result);
      view.replaceChildren(notice(why));
      return;
    }
    const ideal = idealTotals(batch, timeline.thread_limit);
    const failed = (result.responses || []).filter((r) => r.status >= 500).length;
    view.replaceChildren(
      ...summary(timeline, ideal),
      failed ? notice(`${failed} request${failed === 1 ? "" : "s"} answered 500: see the traceback under the output.`, "warning") : "",
      element("div", { class: "at-chart" }, drawTimeline(timeline, result.responses || [], ideal.expected === "none" ? null : ideal[ideal.expected])),
      legend(),
    );
  }

  for (const button of buttons) {
    button.addEventListener("click", () => send(batches.find((b) => b.id === button.dataset.batch)));
  }
  panel.querySelector("[data-reset]").addEventListener("click", () => editor.reset());
  choose(chosen);
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="async-timeline"]').forEach(mount);
