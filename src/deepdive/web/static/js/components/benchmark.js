// Lesson 15's benchmark: the last result on this machine, and (local mode) a run streamed live.
import { csrfToken } from "../csrf.js";
import { element } from "../kit/dom.js";

const root = document.querySelector("[data-benchmark]");

function table(result) {
  const head = element("tr", {}, element("th", { scope: "col", text: "Endpoint" }),
    ...result.frameworks.map((name) => element("th", { scope: "col", text: name })));
  const rows = result.endpoints.map((endpoint) => element("tr", {},
    element("th", { scope: "row", text: endpoint.label }),
    ...result.frameworks.map((name) => {
      const f = result.figures[name][endpoint.key];
      return element("td", { "data-cpu": String(f.cpu_us_per_request) },
        element("strong", { text: `${Math.round(f.cpu_us_per_request)} µs` }),
        element("br"),
        element("span", { class: "hint", text: `${Math.round(f.requests_per_second)} req/s · p99 ${f.p99_ms.toFixed(1)} ms` }));
    })));
  return element("table", { class: "bench-table" },
    element("caption", { text: `CPU per request (${result.settings.rounds} rounds of ${result.settings.seconds} s, ${result.machine.usable_cores} core(s))` }),
    element("thead", {}, head), element("tbody", {}, ...rows));
}

function show(result, message) {
  root.querySelector("[data-bench-message]").textContent = message;
  const chart = root.querySelector("[data-bench-chart]");
  const holder = root.querySelector("[data-bench-table]");
  if (!result) {
    chart.hidden = true;
    holder.replaceChildren();
    return;
  }
  root.querySelector("[data-bench-image]").src = `/bench/latest.svg?at=${encodeURIComponent(result.started_at)}`;
  chart.hidden = false;
  holder.replaceChildren(table(result));
}

async function load() {
  const answer = await fetch("/api/bench/latest");
  const data = await answer.json();
  show(data.result, data.message);
  root.querySelector("[data-bench-actions]").hidden = !data.can_run;
}

async function run() {
  const button = root.querySelector("[data-bench-run]");
  const bar = root.querySelector("[data-bench-progress]");
  const step = root.querySelector("[data-bench-step]");
  button.disabled = true;
  bar.hidden = false;
  bar.value = 0;
  try {
    const answer = await fetch("/api/bench", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/x-ndjson", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify({ quick: true }),
    });
    if (!answer.ok) {
      const problem = await answer.json().catch(() => ({}));
      step.textContent = problem.message || problem.detail || `The server answered ${answer.status}.`;
      return;
    }
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line);
        if (event.type === "progress") {
          bar.value = event.fraction;
          step.textContent = event.text;
        } else if (event.type === "result") {
          step.textContent = "Done: the table and the chart show this run.";
          show(event.result, `Measured on ${event.result.machine.cpu_model}, just now.`);
        } else if (event.type === "error") {
          step.textContent = event.message;
        }
      }
    }
  } catch (problem) {
    step.textContent = `The benchmark could not be followed: ${problem.message}`;
  } finally {
    button.disabled = false;
    bar.hidden = true;
  }
}

if (root) {
  root.querySelector("[data-bench-run]").addEventListener("click", run);
  load().catch(() => (root.querySelector("[data-bench-message]").textContent = "The last result could not be read."));
}
