// Request lifecycle: one request through the learner's middleware stack, every layer on the way
// in and on the way out, the headers each one added, the log records beside it, and what a
// browser would make of a CORS preflight. The data is the `middleware_trace` instrument's.
import { asRequest, chainFor } from "../../kit/chain.js";
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { presetBar } from "../../kit/preset-bar.js";
import { errorMarkers, renderOutput, renderResponse } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { corsVerdict, eventRows, isPreflight, layerRows, logRows, preflightRequest, summary, tracedRequest } from "./trace.js";

const ms = (value) => (value === null || value === undefined ? "—" : `${value.toFixed(2)} ms`);

function headerChanges(row) {
  const list = element("ul", { class: "lt-headers" });
  for (const [name, value] of row.added) list.append(element("li", { class: "lt-added", text: `+ ${name}: ${value}` }));
  for (const change of row.changed) list.append(element("li", { class: "lt-changed", text: `~ ${change.name}: ${change.before} → ${change.after}` }));
  for (const name of row.removed) list.append(element("li", { class: "lt-removed", text: `− ${name}` }));
  return list.childElementCount ? list : document.createTextNode(row.visited ? "none" : "");
}

function layerRow(row) {
  const name = element("th", { scope: "row" }, element("code", { text: row.name }));
  if (row.kind === "http") name.append(element("span", { class: "lt-badge lt-kind", text: "BaseHTTPMiddleware" }));
  if (row.answered) name.append(element("span", { class: "lt-badge lt-answered", text: "answered here" }));
  if (row.skipped) name.append(element("span", { class: "lt-badge lt-skipped", text: "skipped" }));
  if (row.raised) name.append(element("span", { class: "lt-badge lt-raised", text: row.raised }));
  if (row.options) name.append(element("div", { class: "hint lt-options", text: row.options }));
  const tr = element("tr", { "data-layer": row.name, class: [row.own ? "lt-own" : "lt-framework-layer", row.skipped ? "lt-row-skipped" : ""].join(" ").trim() });
  tr.append(
    name,
    element("td", { text: row.visited ? ms(row.total_ms) : "" }),
    element("td", { text: row.visited ? ms(row.own_ms) : "" }),
    element("td", { text: row.status === null ? "" : String(row.status) }),
    element("td", {}, headerChanges(row)),
  );
  return tr;
}

function eventItem(event) {
  const arrow = event.phase === "in" ? "↓" : "↑";
  const item = element("li", { class: `lt-event lt-${event.phase}`, "data-phase": event.phase });
  item.append(element("span", { class: "lt-at", text: `${event.at_ms.toFixed(2)} ms` }), element("span", { class: "lt-what", style: `--depth: ${event.depth}`, text: `${arrow} ${event.name}: ${event.label}` }));
  return item;
}

function logRow(record) {
  return element(
    "tr",
    { class: `lt-log lt-level-${record.level.toLowerCase()}` },
    element("td", { text: record.level }),
    element("td", {}, element("code", { text: record.logger })),
    element("td", { text: record.message }),
    element("td", {}, element("code", { text: record.request_id ?? "(none)" })),
    element("td", { text: record.where || "" }),
  );
}

function corsBox(request, response) {
  const verdict = corsVerdict(request, response);
  const box = element("div", { "data-cors-verdict": verdict.allowed ? "allowed" : "refused" });
  box.append(
    element("p", {}, element("strong", { text: verdict.allowed ? "Preflight allowed" : "Preflight refused" }), document.createTextNode(` for ${verdict.method} from ${verdict.origin}: ${verdict.reason}.`)),
  );
  const table = element("table", { class: "lt-cors-headers" }, element("caption", { text: "The CORS headers of the answer, exactly as sent" }));
  for (const [name, value] of verdict.headers) table.append(element("tr", {}, element("th", { scope: "row", text: name }), element("td", { text: value })));
  if (!verdict.headers.length) table.append(element("tr", {}, element("td", { text: "(none)" })));
  box.append(table);
  return box;
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const stacksNode = panel.querySelector("[data-stacks]");
  const stacks = stacksNode ? JSON.parse(stacksNode.textContent) : [];
  const part = (name) => panel.querySelector(`[data-${name}]`);
  const framework = part("show-framework");
  let chosen = presets[0] ? [presets[0]] : [{ method: "GET", path: "/" }];
  let last = null;

  const editor = codeEditor(part("editor"), { widgetId, status: part("save-status"), onRun: () => send(chosen) });
  const status = part("run-status");
  const reveal = revealSolution(part("reveal"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: part("stop"), reveal });

  function draw() {
    if (!last) return;
    const { result, request } = last;
    const responses = result.responses || [];
    const response = responses[responses.length - 1];
    const trace = result.instrumentation && result.instrumentation.middleware_trace;
    part("response").replaceChildren(...(response ? renderResponse(response) : [notice(result.message)]));
    part("output").replaceChildren(...renderOutput(result));
    const markers = errorMarkers(result);
    part("result").hidden = false;
    part("cors").hidden = true;
    if (!trace || trace.error) {
      part("summary").textContent = "";
      part("problem").replaceChildren(notice(trace ? `No trace this time: ${trace.error}.` : result.message, "warning"));
      for (const name of ["layers", "events", "logs"]) part(name).replaceChildren();
      editor.markErrors(markers);
      return;
    }
    const traced = tracedRequest(trace, responses.length - 1);
    const options = { framework: framework.checked };
    part("summary").textContent = summary(trace, traced, response);
    const problem = (traced && traced.problem) || trace.stack_error;
    const trouble = problem ? notice(problem.message, "error", { title: problem.line ? `Line ${problem.line}:` : undefined }) : null;
    part("problem").replaceChildren(...(trouble ? [trouble] : result.outcome !== "ok" ? [notice(result.message, "warning")] : []));
    if (problem && problem.line && (!problem.file || problem.file === "app.py")) markers.push({ line: problem.line, message: problem.message });
    if (response && !response.skipped && isPreflight(request)) {
      part("cors").replaceChildren(corsBox(request, response));
      part("cors").hidden = false;
    }
    part("layers").replaceChildren(...layerRows(trace, traced, options).map(layerRow));
    part("events").replaceChildren(...eventRows(trace, traced, options).map(eventItem));
    const logs = logRows(trace, traced);
    part("logs").replaceChildren(...logs.map(logRow));
    part("logs-note").textContent = logs.length ? (trace.logs_dropped ? `${trace.logs_dropped} more records were not kept.` : "") : "No log record reached a handler: check your loggers' levels.";
    editor.markErrors(markers);
  }

  async function send(requests) {
    chosen = requests;
    const request = requests[requests.length - 1];
    editor.clearErrors();
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: requests.map(asRequest), instruments },
      { label: `${request.method || "GET"} ${request.path}`, onFailure: (text) => part("response").replaceChildren(notice(text)) },
    );
    if (!outcome) return;
    last = { result: outcome.result, request };
    draw();
  }

  presetBar(part("preset-bar"), presets, {
    note: part("chain-note"),
    onChoose: (preset, index) => send(chainFor(presets, index).order.map((i) => presets[i])),
  });
  part("preflight").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    send([preflightRequest(String(data.get("origin") || "").trim(), String(data.get("method") || "GET"), String(data.get("path") || "/"))]);
  });
  framework.addEventListener("change", draw);
  part("reset").addEventListener("click", () => editor.reset());
  panel.querySelectorAll("[data-load-stack]").forEach((button) => {
    button.addEventListener("click", () => {
      if (!window.confirm(`Replace your code with “${button.textContent}”? Ctrl+Z in the editor brings your version back.`)) return;
      editor.setCode(stacks[Number(button.dataset.loadStack)].replace(/\n$/, ""));
      editor.focus();
    });
  });

  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="lifecycle-trace"]').forEach(mount);
