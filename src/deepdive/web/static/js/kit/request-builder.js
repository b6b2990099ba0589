// "Build your own request": method, path (a query string may follow it), query, JSON body.

/** `limit=10&genre=a&genre=b` -> {limit: "10", genre: ["a", "b"]}. */
export function parseQuery(text) {
  const query = {};
  for (const [key, value] of new URLSearchParams(String(text || "").replace(/^\?/, ""))) {
    if (key in query) query[key] = [].concat(query[key], value);
    else query[key] = value;
  }
  return query;
}

/**
 * What the form's fields describe, as the sandbox's request: {method, path, query, headers,
 * json_body | body}. A body that is not valid JSON is sent as it is (with a JSON content type),
 * so the learner's app answers what it really does with broken JSON.
 */
export function readRequest({ method = "GET", path = "/", query = "", body = "" }) {
  let [where, inline = ""] = String(path || "/").trim().replace(/#.*$/s, "").split(/\?(.*)/s);
  where = where.replace(/^[a-z]+:\/\/[^/]*/i, "") || "/";
  if (!where.startsWith("/")) where = `/${where}`;
  const request = { method: String(method || "GET").toUpperCase(), path: where, query: parseQuery([inline, query].filter(Boolean).join("&")), headers: {} };
  const text = String(body || "").trim();
  if (text) {
    try {
      request.json_body = JSON.parse(text);
    } catch (e) {
      request.body = text;
      request.headers["content-type"] = "application/json";
    }
  }
  return request;
}

/** Wire the builder `form` (fields method, path, query?, body): `onSend(request)` on submit. */
export function requestBuilder(form, { onSend }) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    onSend(readRequest({ method: data.get("method"), path: data.get("path"), query: data.get("query") || "", body: data.get("body") || "" }));
  });
}
