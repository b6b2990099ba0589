// The life of a run, in one place for every widget: a new run aborts the one before it; the
// status line says where the run is (waiting in the queue, running), then how it went; the
// isolation warning, "runner unavailable" and "too many runs" are said the same way everywhere;
// a Stop button ends a long run (the server stops its sandbox); Reveal solution unlocks after
// the first run. The widget only builds the payload and draws the result.
import { startRun } from "./run-stream.js";

const RUNNING = "Running your code…";

function queueText(position) {
  if (position > 0) return `Waiting for a free sandbox: ${position} run${position === 1 ? "" : "s"} ahead of yours…`;
  return "Starting the sandbox…";
}

/** A sentence for a run that could not happen (the server said no, or could not be reached). */
export function failureText(error) {
  if (error.status === 429 && error.retryAfter) {
    return `${error.message.replace(/\s*Try again in \d+ seconds?\.\s*$/, "")} Try again in ${error.retryAfter} s.`.trim();
  }
  return error.message || "The run could not be started.";
}

/**
 * `panel`: the widget's element (gets data-state "running"/"idle" and data-outcome);
 * `status`: the element announcing the run (role=status); `stop`: an optional Stop button;
 * `reveal`: what `revealSolution()` returned, unlocked once the learner has run their code.
 */
export function runController({ panel, status, stop = null, reveal = null }) {
  let current = null;
  let warning = "";

  function say(text) {
    status.textContent = warning ? `${text} ${warning}` : text;
  }

  function settle(controller) {
    if (current !== controller) return;
    current = null;
    panel.dataset.state = "idle";
    if (stop) stop.hidden = true;
  }

  stop?.addEventListener("click", () => {
    if (!current) return;
    current.abort();
    settle(current);
    panel.dataset.outcome = "stopped";
    say("Stopped: the sandbox running your code was ended.");
  });

  /**
   * Run one payload, or several at once (an array: they share the status line and Stop).
   * Options: `label` ("GET /health", said while running), `onCase(case)` for test runs,
   * `onFailure(message)` to draw a run that could not happen in the widget too.
   * Resolves with {result, attempts} (an array of them for an array), or null when this run
   * was replaced, stopped or failed (the status line then says why).
   */
  async function run(payloads, { label = "", onCase, onFailure } = {}) {
    if (current) current.abort();
    const controller = new AbortController();
    current = controller;
    panel.dataset.state = "running";
    delete panel.dataset.outcome;
    if (stop) stop.hidden = false;
    const running = label ? `Running your code: ${label}…` : RUNNING;
    status.textContent = running;
    const many = Array.isArray(payloads);
    const positions = new Map();
    const onEvent = (index) => (event) => {
      if (current !== controller) return;
      if (event.event === "queued") {
        positions.set(index, event.position);
        status.textContent = queueText(Math.max(...positions.values()));
      } else if (event.event === "started") {
        positions.delete(index);
        if (!positions.size) status.textContent = running;
      } else if (event.event === "case" && onCase) {
        onCase(event.case);
      }
    };
    try {
      const list = many ? payloads : [payloads];
      const outcomes = await Promise.all(list.map((payload, i) => startRun(payload, { signal: controller.signal, onEvent: onEvent(i) })));
      if (current !== controller) return null;
      const results = outcomes.map((outcome) => outcome.result);
      warning = results.map((r) => r.isolation && r.isolation.warning).find(Boolean) || "";
      const failed = results.find((r) => r.outcome !== "ok");
      panel.dataset.outcome = failed ? failed.outcome : "ok";
      const attempts = Math.max(...outcomes.map((outcome) => outcome.attempts || 0));
      panel.dataset.attempts = String(attempts);
      if (reveal) reveal.unlock(attempts);
      if (failed) say(failed.message);
      else {
        const took = results.map((r) => (r.usage ? r.usage.wall_ms : 0)).reduce((a, b) => Math.max(a, b), 0);
        say(`Ran in ${Math.round(took)} ms.`);
      }
      return many ? outcomes : outcomes[0];
    } catch (error) {
      if (error.name === "AbortError" || current !== controller) return null;
      panel.dataset.outcome = "failed";
      status.textContent = failureText(error);
      if (onFailure) onFailure(failureText(error));
      return null;
    } finally {
      settle(controller);
    }
  }

  return {
    run,
    /** Replace the status line (the isolation warning, if any, stays at its end). */
    say,
    /** The code was put back (Reset): forget the run going on, if any, and say `text`. */
    reset(text) {
      if (current) {
        current.abort();
        settle(current);
      }
      delete panel.dataset.outcome;
      say(text);
    },
    get running() {
      return current !== null;
    },
  };
}
