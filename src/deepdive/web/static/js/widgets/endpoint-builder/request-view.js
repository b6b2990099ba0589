// What one request did: the URL with the parts a 422 blames marked, the route that answered, what
// the function received (value and Python type) or FastAPI's `detail` list, then the raw response.
import { element } from "../../kit/dom.js";
import { renderResponse } from "../../kit/response-view.js";
import { handlerName, seenUrl } from "./run.js";

function queryName(segment) {
  const key = segment.split("=")[0];
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch (e) {
    return key;
  }
}

/** The last value sent for `name` in a raw query string (FastAPI keeps the last for scalars). */
function sentValue(query, name) {
  const values = new URLSearchParams(query).getAll(name);
  return values.length ? values[values.length - 1] : null;
}

/** Character ranges of the displayed URL that each detail entry blames: [{start, end, n}]. */
function blamedRanges(url, seen, detail) {
  const ranges = [];
  detail.forEach((entry, index) => {
    const [source, name] = Array.isArray(entry.loc) ? entry.loc : [];
    if (source === "path" && seen) {
      for (const param of seen.path_params || []) {
        if (param.name === name && param.start !== undefined) ranges.push({ start: param.start, end: param.end, n: index + 1 });
      }
    } else if (source === "query" && url.query) {
      let offset = url.path.length + 1;
      for (const segment of url.query.split("&")) {
        if (queryName(segment) === name) ranges.push({ start: offset, end: offset + segment.length, n: index + 1 });
        offset += segment.length + 1;
      }
    }
  });
  return ranges;
}

function markedUrl(method, url, ranges) {
  const text = url.query ? `${url.path}?${url.query}` : url.path;
  const code = element("code", { class: "eb-url-text" });
  const merged = new Map();
  for (const range of ranges) {
    const key = `${range.start}-${range.end}`;
    merged.set(key, { ...range, n: merged.has(key) ? `${merged.get(key).n},${range.n}` : String(range.n) });
  }
  let at = 0;
  for (const range of [...merged.values()].sort((a, b) => a.start - b.start)) {
    if (range.start < at) continue;
    code.append(text.slice(at, range.start));
    code.append(element("mark", { class: "eb-blamed", "data-n": range.n, title: `detail entry ${range.n}`, text: text.slice(range.start, range.end) }));
    at = range.end;
  }
  code.append(text.slice(at));
  return element("p", { class: "eb-url" }, element("span", { class: "eb-label", text: "Sent " }), element("strong", { text: `${method} ` }), code);
}

function missingNote(detail) {
  const missing = detail
    .map((entry, index) => ({ entry, n: index + 1 }))
    .filter(({ entry }) => entry.type === "missing" && Array.isArray(entry.loc));
  if (!missing.length) return null;
  const note = element("p", { class: "eb-missing" }, element("span", { class: "eb-label", text: "Not in the URL at all: " }));
  missing.forEach(({ entry, n }, i) => {
    if (i) note.append(", ");
    note.append(element("mark", { class: "eb-blamed", "data-n": String(n), text: String(entry.loc[entry.loc.length - 1]) }));
  });
  return note;
}

function handlerLine(seen) {
  if (!seen) return null;
  if (!seen.route) return element("p", { class: "eb-handler" }, "No route of the app matched this path.");
  const methods = seen.route.methods.length ? `${seen.route.methods.join(", ")} ` : "";
  return element(
    "p",
    { class: "eb-handler" },
    element("span", { class: "eb-label", text: "Route " }),
    element("code", { text: `${methods}${seen.route.path}` }),
    " → ",
    element("code", { text: handlerName(seen.route) }),
  );
}

function isEcho(body) {
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  const values = Object.values(body);
  return values.length > 0 && values.every((v) => v && typeof v === "object" && "value" in v && "type" in v);
}

function conversionTable(body, seen, url) {
  const table = element("table", { class: "eb-conversion" });
  table.append(element("caption", { text: "What your function received" }));
  const head = element("tr");
  for (const title of ["Parameter", "Sent as text", "Your function got (as JSON)", "Python type"]) head.append(element("th", { scope: "col", text: title }));
  table.append(element("thead", {}, head));
  const rows = element("tbody");
  const pathParams = new Map(((seen && seen.path_params) || []).map((p) => [p.name, p.value]));
  for (const [name, { value, type }] of Object.entries(body)) {
    const sent = pathParams.has(name) ? pathParams.get(name) : sentValue(url.query, name);
    const sentCell = sent === null ? element("td", { class: "hint", text: "not sent" }) : element("td", {}, element("code", { text: JSON.stringify(sent) }));
    rows.append(element("tr", {}, element("th", { scope: "row" }, element("code", { text: name })), sentCell,
      element("td", {}, element("code", { text: JSON.stringify(value) })), element("td", {}, element("code", { class: "eb-type", text: type }))));
  }
  table.append(rows);
  return table;
}

function detailList(detail) {
  const list = element("ol", { class: "eb-detail", "aria-label": "Validation errors (the detail list)" });
  detail.forEach((entry, index) => {
    const loc = element("code", { class: "eb-loc" }, "[");
    (Array.isArray(entry.loc) ? entry.loc : []).forEach((part, i, all) => {
      if (i) loc.append(", ");
      const text = JSON.stringify(part);
      loc.append(i === all.length - 1 ? element("mark", { class: "eb-blamed", "data-n": String(index + 1), text }) : text);
    });
    loc.append("]");
    const item = element("li", { "data-loc": (entry.loc || []).join(".") },
      element("p", {}, element("span", { class: "eb-label", text: "loc " }), loc, element("span", { class: "eb-label", text: " type " }), element("code", { text: String(entry.type) })),
      element("p", { class: "eb-msg", text: String(entry.msg) }));
    const facts = element("p", {});
    if ("input" in entry) facts.append(element("span", { class: "eb-label", text: "input " }), element("code", { text: JSON.stringify(entry.input) }));
    if (entry.ctx) facts.append(element("span", { class: "eb-label", text: " ctx " }), element("code", { text: JSON.stringify(entry.ctx) }));
    if (facts.childNodes.length) item.append(facts);
    list.append(item);
  });
  return list;
}

/** Nodes describing `response` to `request`, with the routing instrument's view `seen`. */
export function renderExchange(request, response, seen) {
  const url = seenUrl(seen, request);
  const body = response.is_json ? response.json_body : null;
  const detail = body && Array.isArray(body.detail) ? body.detail : null;
  const [status, ...rest] = renderResponse(response);
  const raw = element("details", { class: "eb-raw" }, element("summary", { text: "The whole response" }), ...rest.filter((n) => !n.matches(".notice")));
  const nodes = [status, markedUrl(request.method, url, detail ? blamedRanges(url, seen, detail) : [])];
  if (detail) nodes.push(missingNote(detail));
  nodes.push(handlerLine(seen));
  if (response.status < 300 && isEcho(body)) nodes.push(conversionTable(body, seen, url));
  if (response.status === 422 && detail) nodes.push(detailList(detail));
  nodes.push(...rest.filter((n) => n.matches(".notice")), raw);
  if (!(response.status < 300 && isEcho(body)) && !(response.status === 422 && detail)) raw.open = true;
  return nodes.filter(Boolean);
}
