// Turning a CRUD form's inputs into the request it sends (pure: no DOM, tested in a table).

const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/g;
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/**
 * `form`: {method, path}; `fields`: [{name, type: "str"|"int", optional, value}].
 * Returns {request} or {error: a sentence naming the field}. Path fields are put into the path
 * (URL-encoded); the others make the JSON body, a blank optional one left out.
 */
export function buildRequest(form, fields) {
  const inPath = new Set([...form.path.matchAll(PLACEHOLDER)].map((match) => match[1]));
  const body = {};
  let path = form.path;
  for (const field of fields) {
    const text = field.value.trim();
    if (field.optional && text === "" && !inPath.has(field.name)) continue;
    let value = text;
    if (field.type === "int") {
      if (!/^-?\d+$/.test(text)) return { error: `${field.name} must be a whole number (it is ${text === "" ? "empty" : `"${text}"`}).` };
      value = Number(text);
    }
    if (inPath.has(field.name)) {
      if (text === "") return { error: `${field.name} is part of the path: fill it in.` };
      path = path.replace(`{${field.name}}`, encodeURIComponent(text));
    } else {
      body[field.name] = value;
    }
  }
  const request = { method: form.method, path };
  if (WITH_BODY.has(form.method)) request.json_body = body;
  return { request };
}

/** The call as one line, for the journal and the result headings. */
export function describeRequest(request) {
  const body = request.json_body !== undefined && request.json_body !== null ? ` ${JSON.stringify(request.json_body)}` : "";
  return `${request.method || "GET"} ${request.path}${body}`;
}
