import { corsVerdict, eventRows, header, isPreflight, layerRows, logRows, preflightRequest, summary, tracedRequest } from "/static/js/widgets/lifecycle-trace/trace.js";

const layers = [
  { index: 0, name: "ServerErrorMiddleware", kind: "asgi", own: false, file: null, line: null, options: "" },
  { index: 1, name: "BlockList", kind: "asgi", own: true, file: "app.py", line: 5, options: "blocked={'x'}" },
  { index: 2, name: "CORSMiddleware", kind: "asgi", own: true, file: null, line: null, options: "" },
  { index: 3, name: "router (your routes)", kind: "router", own: true, file: null, line: null, options: "" },
];
const visit = (layer, extra = {}) => ({ layer, entered_ms: 1, left_ms: 3, total_ms: 2, own_ms: 1, status: 200, headers: [], added: [], changed: [], removed: [], answered: false, raised: null, ...extra });
const event = (layer, phase, at_ms) => ({ layer, phase, at_ms });
const full = {
  request: 0, method: "GET", path: "/", skipped: [], problem: null,
  visits: [visit(0), visit(1), visit(2, { added: [["vary", "Origin"]] }), visit(3, { answered: true })],
  events: [event(0, "in", 10), event(1, "in", 10.5), event(2, "in", 11), event(3, "in", 11.5), event(3, "out", 12), event(2, "out", 12), event(1, "out", 12), event(0, "out", 12.25)],
};
const blocked = { ...full, request: 1, visits: [visit(0), visit(1, { answered: true, status: 403 })], skipped: [2, 3], events: [event(0, "in", 1), event(1, "in", 2), event(1, "out", 3), event(0, "out", 4)] };
const trace = {
  layers,
  requests: [full, blocked],
  logs: [
    { request: 0, layer: 3, at_ms: 11.6, level: "INFO", logger: "shop", message: "hi", request_id: "abc", file: "app.py", line: 9 },
    { request: 1, layer: 1, at_ms: 2.5, level: "WARNING", logger: "shop", message: "refused", request_id: null, file: "app.py", line: 7 },
  ],
  logs_dropped: 0,
};
const preflight = preflightRequest("https://shop.example", "GET", "/books");
const answer = (status, headers, body = "OK") => ({ status, headers, body });

export default [
  { name: "a header from a request's object, any case", run: () => header({ Origin: "https://a" }, "origin"), expected: "https://a" },
  { name: "a header from a response's list, repeated ones joined", run: () => header([["vary", "a"], ["Vary", "b"]], "vary"), expected: "a, b" },
  { name: "a missing header", run: () => header([], "origin"), expected: null },
  { name: "the preflight form builds a preflight", run: () => isPreflight(preflight), expected: true },
  { name: "OPTIONS without the request method is not a preflight", run: () => isPreflight({ method: "OPTIONS", headers: { Origin: "https://a" } }), expected: false },
  { name: "a GET with an origin is not a preflight", run: () => isPreflight({ method: "GET", headers: { Origin: "https://a", "Access-Control-Request-Method": "GET" } }), expected: false },
  {
    name: "allowed: the origin echoed, the method listed, credentials said",
    run: () => corsVerdict(preflight, answer(200, [["access-control-allow-origin", "https://shop.example"], ["access-control-allow-methods", "GET"], ["access-control-allow-credentials", "true"], ["content-type", "text/plain"]])),
    expected: { origin: "https://shop.example", method: "GET", allowed: true, credentials: true, reason: "allowed, with credentials (cookies may be sent)", headers: [["access-control-allow-origin", "https://shop.example"], ["access-control-allow-methods", "GET"], ["access-control-allow-credentials", "true"]] },
  },
  { name: "a star allows any origin", run: () => corsVerdict(preflight, answer(200, [["access-control-allow-origin", "*"], ["access-control-allow-methods", "GET, POST"]])).allowed, expected: true },
  { name: "refused: Starlette's 400 is quoted", run: () => corsVerdict(preflight, answer(400, [["vary", "Origin"]], "Disallowed CORS origin")).reason, expected: "the app answered 400 (Disallowed CORS origin)" },
  { name: "refused: another origin allowed", run: () => corsVerdict(preflight, answer(200, [["access-control-allow-origin", "https://other"], ["access-control-allow-methods", "GET"]])).reason, expected: "Access-Control-Allow-Origin is https://other, not https://shop.example" },
  { name: "refused: the method is not listed", run: () => corsVerdict(preflightRequest("https://shop.example", "DELETE"), answer(200, [["access-control-allow-origin", "*"], ["access-control-allow-methods", "GET"]])).allowed, expected: false },
  { name: "refused: a 2xx without CORS headers", run: () => corsVerdict(preflight, answer(200, [])).reason, expected: "no Access-Control-Allow-Origin header came back" },
  { name: "the request of an index", run: () => tracedRequest(trace, 1).request, expected: 1 },
  { name: "an unknown index gives the last request", run: () => tracedRequest(trace, 7).request, expected: 1 },
  { name: "own layers only by default", run: () => layerRows(trace, full).map((r) => r.name), expected: ["BlockList", "CORSMiddleware", "router (your routes)"] },
  { name: "the framework's layers on request", run: () => layerRows(trace, full, { framework: true }).length, expected: 4 },
  { name: "skipped layers are marked", run: () => layerRows(trace, blocked).map((r) => [r.name, r.skipped, r.answered]), expected: [["BlockList", false, true], ["CORSMiddleware", true, false], ["router (your routes)", true, false]] },
  { name: "a framework layer that raised is shown anyway", run: () => layerRows(trace, { ...full, visits: [visit(0, { raised: "TypeError: x" })] }).map((r) => r.name)[0], expected: "ServerErrorMiddleware" },
  {
    name: "events in order, times from the first, depth among the shown layers",
    run: () => eventRows(trace, blocked).map((e) => [e.name, e.label, e.at_ms, e.depth]),
    expected: [["BlockList", "in", 1, 0], ["BlockList", "returned", 2, 0]],
  },
  { name: "a full trip", run: () => summary(trace, full, { status: 200 }), expected: "GET / → 200: through all 4 layers to your routes and back." },
  { name: "an early answer", run: () => summary(trace, blocked, { status: 403 }), expected: "GET / → 403: answered by BlockList; 2 layers inside it never ran." },
  { name: "nobody answered", run: () => summary(trace, { ...full, visits: [visit(0)] }, null), expected: "GET /: no layer sent a response." },
  { name: "the logs of one request, with the layer's name", run: () => logRows(trace, blocked).map((r) => [r.message, r.where]), expected: [["refused", "BlockList"]] },
];
