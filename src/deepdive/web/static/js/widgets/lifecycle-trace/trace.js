// What the middleware trace says about one request, as rows a view can draw: pure functions,
// no DOM (their table of cases is tests/browser/js/lifecycle-trace.test.js).

function lookup(pairs, name) {
  const wanted = name.toLowerCase();
  const found = (pairs || []).filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
  return found.length ? found.join(", ") : null;
}

/** The value of header `name` in a request's headers object or a response's [name, value] list. */
export function header(headers, name) {
  if (Array.isArray(headers)) return lookup(headers, name);
  return lookup(Object.entries(headers || {}), name);
}

/** A CORS preflight: OPTIONS with an Origin and an Access-Control-Request-Method. */
export function isPreflight(request) {
  return String(request.method || "GET").toUpperCase() === "OPTIONS" && Boolean(header(request.headers, "origin")) && Boolean(header(request.headers, "access-control-request-method"));
}

/** A preflight request for `origin` asking to send `method`. */
export function preflightRequest(origin, method, path = "/") {
  return { method: "OPTIONS", path, headers: { Origin: origin, "Access-Control-Request-Method": method } };
}

/**
 * How a browser would read the answer to a preflight: {origin, method, allowed, credentials,
 * reason, headers}. Allowed: a 2xx whose Access-Control-Allow-Origin is the origin (or `*`) and
 * whose Access-Control-Allow-Methods lists the method (or `*`).
 */
export function corsVerdict(request, response) {
  const origin = header(request.headers, "origin");
  const method = String(header(request.headers, "access-control-request-method") || "").toUpperCase();
  const headers = (response.headers || []).filter(([name]) => /^access-control-|^vary$/i.test(name));
  const allowOrigin = header(response.headers, "access-control-allow-origin");
  const methods = (header(response.headers, "access-control-allow-methods") || "").split(",").map((m) => m.trim().toUpperCase());
  const credentials = header(response.headers, "access-control-allow-credentials") === "true";
  const ok = response.status >= 200 && response.status < 300;
  let reason = "";
  if (!ok) reason = `the app answered ${response.status}${response.body ? ` (${String(response.body).slice(0, 120)})` : ""}`;
  else if (allowOrigin === null) reason = "no Access-Control-Allow-Origin header came back";
  else if (allowOrigin !== "*" && allowOrigin !== origin) reason = `Access-Control-Allow-Origin is ${allowOrigin}, not ${origin}`;
  else if (!methods.includes(method) && !methods.includes("*")) reason = `Access-Control-Allow-Methods does not list ${method}`;
  const allowed = !reason;
  if (allowed) reason = credentials ? "allowed, with credentials (cookies may be sent)" : "allowed, without credentials";
  return { origin, method, allowed, credentials, reason, headers };
}

function visible(layer, visit, framework) {
  return framework || layer.own || (visit && (visit.answered || visit.raised));
}

/** The traced request for the `index`-th request of the run (or the last one). */
export function tracedRequest(trace, index) {
  const requests = (trace && trace.requests) || [];
  return requests.find((r) => r.request === index) || requests[requests.length - 1] || null;
}

/**
 * One row per layer, outermost first: {index, name, kind, own, file, line, visited, skipped,
 * total_ms, own_ms, status, added, changed, removed, answered, raised}. The framework's layers
 * are left out unless `framework` (or unless one answered or raised).
 */
export function layerRows(trace, request, { framework = false } = {}) {
  const visits = new Map((request ? request.visits : []).map((visit) => [visit.layer, visit]));
  const rows = [];
  for (const layer of trace.layers || []) {
    const visit = visits.get(layer.index);
    if (!visible(layer, visit, framework)) continue;
    rows.push({
      index: layer.index,
      name: layer.name,
      kind: layer.kind,
      own: layer.own,
      file: layer.file,
      line: layer.line,
      options: layer.options,
      visited: Boolean(visit),
      skipped: !visit,
      total_ms: visit ? visit.total_ms : null,
      own_ms: visit ? visit.own_ms : null,
      status: visit ? visit.status : null,
      added: visit ? visit.added : [],
      changed: visit ? visit.changed : [],
      removed: visit ? visit.removed : [],
      answered: Boolean(visit && visit.answered),
      raised: visit ? visit.raised : null,
    });
  }
  return rows;
}

const PHASES = { in: "in", start: "headers out", end: "body out", out: "returned" };

/** The request's events in the order they happened, each {layer, name, phase, label, at_ms, depth}. */
export function eventRows(trace, request, { framework = false } = {}) {
  if (!request) return [];
  const rows = layerRows(trace, request, { framework });
  const depth = new Map(rows.map((row, position) => [row.index, position]));
  const names = new Map((trace.layers || []).map((layer) => [layer.index, layer.name]));
  const first = request.events.length ? request.events[0].at_ms : 0;
  return request.events
    .filter((event) => depth.has(event.layer))
    .map((event) => ({
      layer: event.layer,
      name: names.get(event.layer),
      phase: event.phase,
      label: PHASES[event.phase],
      at_ms: Math.round((event.at_ms - first) * 1000) / 1000,
      depth: depth.get(event.layer),
    }));
}

/** One sentence: who answered, what was skipped. */
export function summary(trace, request, response) {
  if (!request) return "The request never reached the middleware stack.";
  const layers = trace.layers || [];
  const answered = request.visits.find((visit) => visit.answered);
  const name = (index) => (layers.find((layer) => layer.index === index) || {}).name;
  const start = `${request.method} ${request.path}${response ? ` → ${response.status}` : ""}`;
  const skipped = request.skipped.length;
  if (!answered) return `${start}: no layer sent a response.`;
  const router = layers.length && answered.layer === layers[layers.length - 1].index;
  if (router && !skipped) return `${start}: through all ${layers.length} layers to your routes and back.`;
  const plural = skipped === 1 ? "layer" : "layers";
  return `${start}: answered by ${name(answered.layer)}; ${skipped} ${plural} inside it never ran.`;
}

/** The log records of the request (and those logged outside any request), with the layer's name. */
export function logRows(trace, request) {
  const names = new Map((trace.layers || []).map((layer) => [layer.index, layer.name]));
  const index = request ? request.request : null;
  return (trace.logs || [])
    .filter((record) => record.request === index || record.request === null)
    .map((record) => ({ ...record, where: record.layer === null ? "outside any request" : names.get(record.layer) }));
}
