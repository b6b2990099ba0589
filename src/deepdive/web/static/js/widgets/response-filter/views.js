// What one run of the response filter shows: the value the endpoint returned, the response that
// left the server (leaked secrets flagged), and what the app's OpenAPI document promises.
import { element, notice } from "../../kit/dom.js";
import { bodySize } from "../../kit/response-view.js";
import { docsView } from "./docs-view.js";
import { jsonView } from "./json-view.js";
import { valueView } from "./value-view.js";

export function returnedNodes(result, entry, response) {
  if (!entry) {
    return [notice(result.outcome === "ok" ? "Nothing was recorded for this request." : "Your app did not get as far as this request: see the message above.", result.outcome === "ok" ? "warning" : "error")];
  }
  const call = entry.calls[entry.calls.length - 1];
  if (!call) {
    const why = response && response.status === 422
      ? "FastAPI rejected the request (422) before calling your endpoint: there was nothing to return."
      : entry.route
        ? "Your endpoint was not called."
        : `No route matched ${response ? `${response.method} ${response.path}` : "this request"}, so no endpoint ran.`;
    return [element("p", { text: why })];
  }
  const where = call.line ? ` (line ${call.line})` : "";
  const head = element("p", {}, element("code", { text: `${call.endpoint}()` }), document.createTextNode(where));
  if (!call.returned) {
    const raised = call.raised || { type: "an exception", message: "" };
    head.append(document.createTextNode(` raised ${raised.type}: ${raised.message}`));
    return [head, element("p", { class: "hint", text: "Nothing was returned; FastAPI turned the exception into the response on the right." })];
  }
  head.append(document.createTextNode(" returned:"));
  const errors = call.response_errors || [];
  const sent = response && response.is_json ? response.json_body : undefined;
  const parts = [head, valueView(call.value, { sent: errors.length ? undefined : sent, errors })];
  parts.push(processingNote(call.processing));
  if (response && !response.body && (response.status < 200 || [204, 205, 304].includes(response.status))) {
    parts.push(element("p", { class: "hint", text: `A ${response.status} may not carry a body, so FastAPI sent none.` }));
  }
  if (errors.length) {
    const list = element("ul", { class: "rf-errors" });
    for (const error of errors) {
      list.append(element("li", {}, element("code", { text: error.loc.join(" → ") }), document.createTextNode(`: ${error.msg} (got ${error.input.repr || error.input.type})`)));
    }
    parts.push(element("div", { class: "notice notice-error", role: "alert" },
      element("strong", { text: "ResponseValidationError: " }),
      document.createTextNode("this value does not fit the response model, so the client gets a 500."), list));
  }
  return parts;
}

function processingNote(processing) {
  const note = element("p", { class: "rf-processing" }, element("strong", { text: "Then FastAPI: " }));
  if (!processing) {
    note.append("did not get to process it.");
  } else if (processing.kind === "response") {
    note.append(`sent the ${processing.response_class} as it is: no validation, no filtering.`);
  } else if (processing.kind === "encoder") {
    note.append("had no response model, so jsonable_encoder converted the value as it was: nothing was checked or left out.");
  } else {
    note.append("validated it as ", element("code", { text: processing.model }), " and serialised only that model's fields");
    const options = [...processing.flags.map((flag) => `response_model_${flag}`)];
    if (processing.include) options.push(`include=${processing.include}`);
    if (processing.exclude) options.push(`exclude=${processing.exclude}`);
    note.append(options.length ? `, with ${options.join(", ")}.` : ".");
  }
  return note;
}

export function sentNodes(result, response) {
  if (!response) return { parts: [notice(result.message)], leaks: [] };
  const line = element("p", { class: `rf-status-line status-${String(response.status)[0]}xx` },
    element("strong", { "data-status": String(response.status), text: `HTTP/1.1 ${response.status} ${response.reason || ""}`.trim() }),
    element("span", { class: "hint", text: ` · ${response.method} ${response.path} · ${bodySize(response)}` }));
  const headers = element("details", { class: "rf-headers" }, element("summary", { text: `Headers (${response.headers.length})` }));
  const table = element("table");
  for (const [name, value] of response.headers) table.append(element("tr", {}, element("th", { scope: "row", text: name }), element("td", { text: value })));
  headers.append(table);
  const parts = [line, headers];
  let leaks = [];
  if (response.is_json) {
    const view = jsonView(response.json_body);
    leaks = view.leaks;
    parts.push(view.pre);
  } else {
    parts.push(element("pre", { class: "rf-code" }, element("code", { text: response.body || "(empty body)" })));
  }
  if (leaks.length) {
    parts.splice(2, 0, element("p", { class: "rf-leak-summary", "data-leaks": String(leaks.length) },
      element("strong", { text: `${leaks.length} sensitive field${leaks.length > 1 ? "s" : ""} left the server: ` }),
      document.createTextNode(leaks.map((leak) => `${leak.path} (${leak.reason})`).join(", "))));
  }
  return { parts, leaks };
}

export function docsNodes(result, entry, response) {
  const openapi = (result.instrumentation || {}).openapi;
  if (!openapi || !openapi.available) {
    return [element("p", { class: "hint", text: `No documentation this time: ${(openapi && openapi.reason) || "the app did not load"}.` })];
  }
  if (!entry || !entry.route) return [element("p", { class: "hint", text: "No route served this request, so there is no operation to show." })];
  return docsView(openapi.schema, { method: response ? response.method : "GET", path: entry.route.path, status: response && response.status });
}

/** "Sent first, in the same run: POST /users → 201 Created." for the setup requests. */
export function setupSentence(result, count) {
  const sent = (result.responses || []).slice(0, count);
  return sent.length ? `Sent first, in the same run: ${sent.map((r) => `${r.method} ${r.path} → ${r.status} ${r.reason}`).join("; ")}.` : "";
}
