// Draws the `timeline` instrument's data as an SVG: one row per request, from when the app
// received it to when it answered (the response marker) and finished (background tasks after
// it); the time a request waited for a worker thread in grey; each background task, in red when
// it raised. Every position comes from times measured in the sandbox.
import { element } from "../../kit/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const LEFT = 44;
const RIGHT = 12;
const AXIS = 22;

function svg(tag, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text) node.textContent = text;
  return node;
}

function niceStep(total) {
  for (const step of [50, 100, 200, 250, 500, 1000, 2000, 5000]) if (total / step <= 8) return step;
  return 10000;
}

const ms = (value) => `${Math.round(value)} ms`;

/** The SVG for `timeline` (the instrument's data); `responses` give each row its status;
 * `idealMs`, when given, is marked as a dashed line (a reference, not a measurement). */
export function drawTimeline(timeline, responses = [], idealMs = null) {
  const rows = [...timeline.requests].sort((a, b) => (a.request ?? 0) - (b.request ?? 0));
  const rowHeight = rows.length > 12 ? 7 : 26;
  const origin = Math.min(...rows.map((r) => r.start_ms));
  const ends = rows.flatMap((r) => [r.end_ms ?? r.start_ms, ...r.tasks.map((t) => t.end_ms ?? t.start_ms)]);
  const span = Math.max(1, Math.max(...ends) - origin, idealMs || 0);
  const step = niceStep(span);
  const axisEnd = Math.ceil(span / step) * step;
  const x = (t) => LEFT + ((t - origin) / axisEnd) * (WIDTH - LEFT - RIGHT);
  const height = AXIS + rows.length * rowHeight + 8;
  const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "at-svg", role: "img", "data-rows": rows.length });
  root.append(svg("title", {}, `Timeline of ${rows.length} requests, ${ms(timeline.total_ms)} in all`));

  for (let t = 0; t <= axisEnd; t += step) {
    root.append(svg("line", { x1: x(origin + t), x2: x(origin + t), y1: AXIS - 4, y2: height, class: "at-grid" }));
    const last = t + step > axisEnd;
    root.append(svg("text", { x: x(origin + t), y: 12, class: "at-tick", "text-anchor": last ? "end" : "middle" }, last ? `${t} ms` : `${t}`));
  }
  rows.forEach((row, i) => {
    const y = AXIS + i * rowHeight;
    const h = rowHeight - (rowHeight > 10 ? 8 : 2);
    const group = svg("g", { class: "at-row", "data-request": row.request ?? i });
    const answered = row.response_ms ?? row.end_ms ?? row.start_ms;
    const status = row.status ?? (responses[row.request] || {}).status;
    if (rowHeight > 10) group.append(svg("text", { x: LEFT - 6, y: y + h - 4, class: "at-label", "text-anchor": "end" }, `#${(row.request ?? i) + 1}`));
    const bar = svg("rect", {
      x: x(row.start_ms), y, width: Math.max(1.5, x(answered) - x(row.start_ms)), height: h,
      class: `at-bar${status >= 500 ? " at-bar-error" : ""}`, "data-bar": "",
      "data-start-ms": row.start_ms, "data-response-ms": answered,
    });
    bar.append(svg("title", {}, `${row.method} ${row.path}: received at ${ms(row.start_ms - origin)}, answered ${status ?? "?"} at ${ms(answered - origin)}`));
    group.append(bar);
    for (const thread of row.threads) {
      if (thread.start_ms !== null && thread.start_ms - thread.queued_ms > 1) {
        const wait = svg("rect", { x: x(thread.queued_ms), y: y + h / 4, width: x(thread.start_ms) - x(thread.queued_ms), height: h / 2, class: "at-queue", "data-queue": "" });
        wait.append(svg("title", {}, `waited ${ms(thread.start_ms - thread.queued_ms)} for a worker thread`));
        group.append(wait);
      }
    }
    for (const task of row.tasks) {
      const end = task.end_ms ?? task.start_ms;
      const box = svg("rect", { x: x(task.start_ms), y, width: Math.max(1.5, x(end) - x(task.start_ms)), height: h, class: `at-task${task.error ? " at-task-error" : ""}`, "data-task": task.name });
      box.append(svg("title", {}, `background task ${task.name}: ${ms(task.start_ms - origin)} to ${ms(end - origin)}${task.error ? `, raised ${task.error}` : ""}`));
      group.append(box);
    }
    if (row.response_ms !== null && rowHeight > 10) {
      group.append(svg("line", { x1: x(row.response_ms), x2: x(row.response_ms), y1: y - 2, y2: y + h + 2, class: "at-sent", "data-sent": "" }));
    }
    root.append(group);
  });
  if (idealMs) {
    root.append(svg("line", { x1: x(origin + idealMs), x2: x(origin + idealMs), y1: AXIS - 4, y2: height, class: "at-ideal-line", "data-ideal-line": Math.round(idealMs) }));
  }
  return root;
}

/** The words beside the drawing: measured total, ideal references, threads, task outcomes. */
export function summary(timeline, ideal) {
  const count = timeline.requests.length;
  const compare = element("div", { class: "at-compare" },
    element("p", { class: "at-measured", "data-measured-ms": Math.round(timeline.total_ms) },
      element("span", { class: "at-figure", text: ms(timeline.total_ms) }),
      element("span", { class: "hint", text: `measured: ${count} request${count === 1 ? "" : "s"}, first arrival to last finish` })));
  if (ideal.expected !== "none") {
    compare.append(element("p", { class: "at-ideal-total", "data-ideal-ms": Math.round(ideal[ideal.expected]) },
      element("span", { class: "at-figure", text: ms(ideal[ideal.expected]) }),
      element("span", { class: "hint", text: "ideal for this variant (dashed line), from the delays" })));
  }
  const parts = [compare];
  if (ideal.expected !== "none") {
    const list = element("ul", { class: "at-ideal", "data-ideal": ideal.expected });
    const lines = [
      ["overlap", `If the waits overlap: ${ms(ideal.overlap)} (the longest delay).`],
      ["serial", `If they run one after the other: ${ms(ideal.serial)} (the sum).`],
    ];
    if (ideal.expected === "pool") lines.push(["pool", `With ${timeline.thread_limit ?? 40} worker threads: ${ms(ideal.pool)}.`]);
    for (const [name, text] of lines) {
      list.append(element("li", { class: name === ideal.expected ? "at-expected" : "", text: `${text}${name === ideal.expected ? " ← the ideal for this variant" : ""}` }));
    }
    parts.push(element("p", { class: "hint", text: "Ideal, worked out from the delays (a reference only):" }), list);
  }
  const threaded = timeline.requests.some((r) => r.threads.length);
  if (threaded) {
    parts.push(element("p", { class: "at-threads", "data-peak-threads": timeline.peak_threads,
      text: `Worker threads busy at once, at most: ${timeline.peak_threads} (the limit is ${timeline.thread_limit ?? "unknown"}).` }));
  }
  for (const row of timeline.requests) {
    if (row.tasks.length && row.response_ms !== null) {
      parts.push(element("p", { class: "at-sent-after", "data-sent-after-ms": Math.round(row.response_ms - row.start_ms),
        text: `${row.method} ${row.path}: the client had its ${row.status} response after ${ms(row.response_ms - row.start_ms)}; the request finished after ${ms((row.end_ms ?? row.response_ms) - row.start_ms)}, once its background tasks were done.` }));
    }
    for (const task of row.tasks) {
      const when = row.response_ms !== null ? ` It started ${ms(task.start_ms - row.response_ms)} after the response was sent.` : "";
      parts.push(element("p", { class: task.error ? "notice notice-warning" : "hint", "data-task-outcome": task.error ? "raised" : "ok",
        text: task.error
          ? `Background task ${task.name} raised ${task.error}. The server logs it; the client already had its ${row.status} response.${when}`
          : `Background task ${task.name} ran for ${ms((task.end_ms ?? task.start_ms) - task.start_ms)}.${when}` }));
    }
  }
  return parts;
}

const KEYS = [
  ["bar", "request until answered"],
  ["queue", "waiting for a worker thread"],
  ["task", "background task (red: it raised)"],
  ["sent", "response sent"],
  ["ideal", "ideal total"],
];

export const legend = () => element("p", { class: "hint at-legend" },
  ...KEYS.map(([key, text]) => element("span", {}, element("span", { class: `at-key at-key-${key}` }), document.createTextNode(` ${text}`))));
