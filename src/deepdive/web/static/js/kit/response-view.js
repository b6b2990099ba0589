// Drawing what a sandbox run produced: responses, output, errors; shared by every widget.
import { element, notice } from "./dom.js";

function describeLocation(error) {
  return error && error.line ? ` (line ${error.line})` : "";
}

export function errorMarkers(result) {
  const markers = [];
  const add = (error) => {
    if (error && error.line && (!error.file || error.file === "app.py")) {
      markers.push({ line: error.line, column: error.column, message: `${error.type}: ${error.message}` });
    }
  };
  add(result.error);
  for (const response of result.responses || []) add(response.error);
  return markers;
}

/** "N bytes", or how much had been read of a body the app was still sending. */
export function bodySize(response) {
  return response.unfinished ? `${response.size_bytes} bytes read, still coming` : `${response.size_bytes} bytes`;
}

export function renderResponse(response) {
  if (response.skipped) return [notice(response.skipped, "warning", { title: `${response.method} ${response.path}:` })];
  const status = element("p", { class: `response-status status-${String(response.status)[0]}xx` });
  status.append(
    element("strong", { text: `${response.status} ${response.reason || ""}`.trim(), "data-status": String(response.status) }),
    element("span", { class: "hint", text: ` · ${response.method} ${response.path} · ${response.elapsed_ms.toFixed(1)} ms · ${bodySize(response)}` }),
  );
  const headers = element("details", { class: "response-headers" }, element("summary", { text: `Headers (${response.headers.length})` }));
  const table = element("table");
  for (const [name, value] of response.headers) {
    table.append(element("tr", {}, element("th", { scope: "row", text: name }), element("td", { text: value })));
  }
  headers.append(table);
  if (response.headers_truncated) headers.append(element("p", { class: "hint", text: "The headers were cut short: together they were larger than 64 KiB." }));
  const body = response.is_json ? JSON.stringify(response.json_body, null, 2) : response.body;
  const pre = element("pre", { class: "response-body", tabindex: "0", "data-response-body": "" }, element("code", { text: body || "(empty body)" }));
  const parts = [status, headers, pre];
  if (response.unfinished) {
    parts.push(element("p", { class: "hint", "data-unfinished": "", text: "The app was still sending the body when the sandbox stopped reading it, after 8 MiB: a stream that never ends, or a body too large to read whole. A real server would have kept sending; the first part is shown." }));
  } else if (response.truncated) {
    parts.push(element("p", { class: "hint", text: "The body was cut short: it was too large to show whole." }));
  }
  if (response.error) {
    parts.push(
      element("div", { class: "notice notice-error", role: "alert" },
        element("strong", { text: `${response.error.type}${describeLocation(response.error)}: ` }),
        document.createTextNode(response.error.message)),
    );
  }
  return parts;
}

export function renderOutput(result) {
  const parts = [];
  if (result.error) {
    parts.push(element("div", { class: "notice notice-error", role: "alert" },
      element("strong", { text: `${result.error.type}${describeLocation(result.error)}: ` }),
      document.createTextNode(result.error.message)));
    if (result.error.traceback) parts.push(element("pre", { class: "traceback", tabindex: "0" }, element("code", { text: result.error.traceback })));
  }
  for (const response of result.responses || []) {
    // The run's error is often this response's: its traceback is shown once, above.
    const shownAbove = result.error && result.error.traceback === (response.error && response.error.traceback);
    if (response.error && response.error.traceback && !shownAbove) {
      parts.push(element("h4", { text: `While handling ${response.method} ${response.path}` }));
      parts.push(element("pre", { class: "traceback", tabindex: "0" }, element("code", { text: response.error.traceback })));
    }
  }
  for (const stream of ["stdout", "stderr"]) {
    if (result[stream]) {
      const title = stream === "stdout" ? "Printed output" : "Error output";
      parts.push(element("div", { class: "output-block" },
        element("div", { class: "output-head" },
          element("h4", { text: title }),
          element("button", { type: "button", class: "copy-code", "data-copy-code": "", "data-label": "Copy output", "aria-label": `Copy output: ${title}`, text: "Copy output" })),
        // Long output scrolls inside its pane (focusable, so the keyboard can scroll it too).
        element("pre", { class: "program-output", tabindex: "0", [`data-${stream}`]: "" }, element("code", { text: result[stream] }))));
      if (result[`${stream}_truncated`]) parts.push(element("p", { class: "hint", text: "Cut short: your code printed more than the limit." }));
    }
  }
  if (!parts.length) parts.push(element("p", { class: "hint", text: "Your code printed nothing." }));
  return parts;
}
