// What FastAPI made of each field of the body: the table beside the fields, the markers on the
// body's lines, and the one-line summary. Built from the real 422 (or the validation
// instrument's record of the errors raised, when the learner's handler reshaped the 422).
import { element } from "../../kit/dom.js";
import { codePointToIndex, lineAndColumn, pathKey } from "../../kit/json-locations.js";

/** The errors to show: the 422's own `detail`, or, when the app reshaped its 422, the raised ones. */
export function validationErrors(response, entry) {
  const detail = response && response.status === 422 && response.is_json && response.json_body && response.json_body.detail;
  if (Array.isArray(detail) && detail.every((e) => e && Array.isArray(e.loc))) return { errors: detail, reshaped: false };
  const raised = entry && entry.raised.find((r) => r.exception === "RequestValidationError");
  return { errors: raised ? raised.errors : [], reshaped: Boolean(raised) };
}

/** The part of `loc` inside the body (["year"] for ["body", "year"]), or null for query, path... */
function bodyPath(error) {
  return error.loc[0] === "body" ? error.loc.slice(1) : null;
}

function describeLoc(loc) {
  return loc.length ? loc.join(" → ") : "the whole body";
}

/** Where to mark an error in the JSON text: its key's line, or its parent's when it is missing. */
export function markerFor(error, text, places) {
  const path = bodyPath(error);
  if (path === null) return null;
  const message = `${describeLoc(path)}: ${error.msg}`;
  if (error.type === "json_invalid" && typeof path[0] === "number") {
    const where = lineAndColumn(text, codePointToIndex(text, path[0]));
    return { ...where, message: `${error.msg}: ${error.ctx ? error.ctx.error : ""} (character ${path[0]})` };
  }
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const place = places.get(pathKey(path.slice(0, depth)));
    if (place) {
      const exact = depth === path.length && place.keyFrom !== undefined;
      return { ...lineAndColumn(text, exact ? place.keyFrom : place.from), message };
    }
  }
  return { line: 1, message };
}

function sameJson(sentText, value) {
  try {
    return JSON.stringify(JSON.parse(sentText)) === JSON.stringify(value);
  } catch (e) {
    return false;
  }
}

function errorList(errors, field) {
  const list = element("ul", { class: "field-errors" });
  for (const error of errors) {
    const inner = bodyPath(error).slice(1);
    const item = element("li", { "data-error-type": error.type || "" },
      element("strong", { text: error.msg }), document.createTextNode(" "), element("code", { text: error.type || "" }));
    if (inner.length) item.append(document.createTextNode(` at ${describeLoc([field, ...inner])}`));
    list.append(item);
  }
  return list;
}

function row(name, rule, sent, outcome, state) {
  return element("tr", { class: `field-${state}`, "data-field": name },
    element("th", { scope: "row" }, element("code", { text: name })),
    element("td", { "data-label": "Your model says" }, rule),
    element("td", { "data-label": "You sent" }, sent === null ? element("span", { class: "hint", text: "not sent" }) : element("code", { class: "sent", text: sent.length > 80 ? sent.slice(0, 79) + "…" : sent })),
    element("td", { class: "field-outcome", "data-label": "What happened" }, outcome));
}

function ruleOf(field) {
  const parts = [element("code", { text: field.type })];
  const notes = [...field.constraints, field.required ? "required" : `default ${field.default}`];
  parts.push(document.createTextNode(` · ${notes.join(", ")}`));
  const cell = element("span");
  cell.append(...parts);
  return cell;
}

/** One row per field of the model the route reads, then unknown keys, then errors elsewhere. */
function fieldTable({ body, errors, text, places, response }) {
  const broken = errors.some((e) => e.type === "json_invalid");
  const created = response && response.status < 300 && response.is_json && response.json_body && typeof response.json_body === "object";
  const used = new Set();
  const rows = [];
  const keys = new Set(body.fields.map((f) => f.key));
  const errorsAt = (key) => errors.filter((e, i) => {
    const path = bodyPath(e);
    const hit = path !== null && path[0] === key && !used.has(i);
    if (hit) used.add(i);
    return hit;
  });
  const sentText = (key) => {
    const place = places.get(pathKey([key]));
    return place ? text.slice(place.from, place.to) : null;
  };

  for (const field of body.fields) {
    const own = errorsAt(field.key);
    const sent = sentText(field.key);
    let outcome;
    let state = "ok";
    if (own.length) {
      outcome = errorList(own, field.key);
      state = "error";
    } else if (broken) {
      outcome = element("span", { class: "hint", text: "Not checked: the body is not valid JSON." });
      state = "unchecked";
    } else if (created && field.key in response.json_body) {
      const value = JSON.stringify(response.json_body[field.key]);
      if (sent === null) outcome = element("span", { text: `Not sent; the response has ${value}.` });
      else if (sameJson(sent, response.json_body[field.key])) outcome = element("span", { text: "Accepted." });
      else outcome = element("span", { text: `Accepted and converted: the response has ${value}.` });
    } else {
      outcome = element("span", { text: response && response.status === 422 ? "No error for this field." : "No error." });
    }
    rows.push(row(field.key, ruleOf(field), sent, outcome, state));
  }

  for (const key of places.keys()) {
    const path = JSON.parse(key);
    if (path.length !== 1 || typeof path[0] !== "string" || keys.has(path[0])) continue;
    const own = errorsAt(path[0]);
    const note = { ignore: "Not a field of the model: dropped (extra=\"ignore\").", allow: "Not a field of the model: kept (extra=\"allow\")." }[body.extra] || "Not a field of the model.";
    const outcome = own.length ? errorList(own, path[0]) : element("span", { text: note });
    rows.push(row(path[0], element("span", { class: "hint", text: "not in the model" }), sentText(path[0]), outcome, own.length ? "error" : "extra"));
  }

  errors.forEach((error, index) => {
    if (used.has(index)) return;
    const path = bodyPath(error);
    const name = path === null ? error.loc.join(".") : error.type === "json_invalid" ? "JSON text" : path.length ? path.join(".") : "(body)";
    const detail = error.type === "json_invalid" ? `${error.msg}: ${error.ctx ? error.ctx.error : ""} at character ${path[0]}` : error.msg;
    const outcome = element("ul", { class: "field-errors" }, element("li", { "data-error-type": error.type || "" },
      element("strong", { text: detail }), document.createTextNode(" "), element("code", { text: error.type || "" })));
    rows.push(row(name, element("span", { class: "hint", text: path === null ? "outside the body" : "the body as a whole" }), null, outcome, "error"));
  });

  const table = element("table", { class: "field-table" },
    element("caption", { class: "visually-hidden", text: "Each field of the body: what the model requires, what you sent, and what happened" }),
    element("thead", {}, element("tr", {}, ...["Field", "Your model says", "You sent", "What happened"].map((h) => element("th", { scope: "col", text: h })))));
  const tbody = element("tbody");
  tbody.append(...rows);
  table.append(tbody);
  const title = body.model ? `Body model: ${body.model}` : "Body: several parameters, each under its own key";
  return [element("p", { class: "hint", text: title }), table];
}

export function fieldView({ result, response, entry, errors, reshaped, text, places, target }) {
  if (!response) return [element("div", { class: "notice notice-error", role: "alert", text: result.message })];
  if (!entry) return [element("p", { class: "hint", text: "No field information this time (the run did not report it)." })];
  const parts = [];
  if (reshaped) {
    parts.push(element("div", { class: "notice notice-warning", text: "Your app's own handler reshaped the 422. The errors below are the ones FastAPI raised, before that handler ran." }));
  }
  if (!entry.route) {
    parts.push(element("div", { class: "notice notice-error", text: `No route of your app matches ${target.method} ${target.path}: it answered ${response.status}. Check the path in the decorator.` }));
  } else if (!entry.body) {
    const methods = entry.route.methods && !entry.route.methods.includes(target.method) ? ` (the route accepts ${entry.route.methods.join(", ")})` : "";
    parts.push(element("div", { class: "notice notice-warning", text: `${target.method} ${target.path} reads no body from the request${methods}. Give the endpoint a parameter annotated with your model.` }));
  } else {
    parts.push(...fieldTable({ body: entry.body, errors, text, places, response }));
  }
  return parts;
}

export function summary(response, errors) {
  if (!response) return null;
  const line = `${response.status} ${response.reason || ""}`.trim();
  if (response.status < 300) {
    const id = response.is_json && response.json_body && response.json_body.id;
    return { ok: true, text: id !== undefined && id !== null ? `${line}: the book was created with id ${JSON.stringify(id)}.` : `${line}.` };
  }
  const invalid = errors.find((e) => e.type === "json_invalid");
  if (invalid) return { ok: false, text: `${line}: the body is not valid JSON, so your model never saw it. The parser stopped at character ${invalid.loc[1]}, marked in the JSON body.` };
  if (errors.length) {
    const count = errors.length === 1 ? "1 validation error" : `${errors.length} validation errors`;
    return { ok: false, text: `${line}: ${count}, each shown beside its field and marked in the JSON body.` };
  }
  return { ok: false, text: `${line}.` };
}

