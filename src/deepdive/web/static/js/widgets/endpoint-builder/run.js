// What the routing instrument says about a run: who answered each request, and the routes.

/** The routing instrument's report for request `index` of a run, if it has one. */
export function routingOf(result, index) {
  const routing = result.instrumentation && result.instrumentation.routing;
  if (!routing || !Array.isArray(routing.requests)) return null;
  return routing.requests.find((entry) => entry.request === index) || null;
}

export function learnerRoutes(result) {
  const routing = result.instrumentation && result.instrumentation.routing;
  return routing && Array.isArray(routing.routes) ? routing.routes : [];
}

/** "read_book (line 9)" for a route the routing instrument described. */
export function handlerName(route) {
  if (!route) return "no route";
  const where = route.line ? ` (line ${route.line})` : "";
  return `${route.function || route.name || "?"}${where}`;
}

/** The URL as the app saw it: path, then the query string when there is one. */
export function seenUrl(seen, request) {
  if (seen) return { path: seen.path, query: seen.query_string || "" };
  return { path: request.path, query: new URLSearchParams(request.query || {}).toString() };
}
