// "What the docs promise": the responses the app's own OpenAPI document lists for one operation.
import { element } from "../../kit/dom.js";
import { sensitivity } from "./secrets.js";

function refName(ref) {
  return ref.split("/").pop();
}

function resolve(spec, schema) {
  if (schema && schema.$ref) return { name: refName(schema.$ref), schema: ((spec.components || {}).schemas || {})[refName(schema.$ref)] || {} };
  return { name: null, schema: schema || {} };
}

function typeText(schema) {
  if (!schema || !Object.keys(schema).length) return "any";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.anyOf) return schema.anyOf.map(typeText).join(" | ");
  if (schema.type === "array") return `list[${typeText(schema.items)}]`;
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const type = { string: "str", integer: "int", number: "float", boolean: "bool", object: "dict", null: "None" }[schema.type] || schema.type || "any";
  return schema.format ? `${type} (${schema.format})` : type;
}

function fieldList(spec, name, schema) {
  const required = new Set(schema.required || []);
  const list = element("ul", { class: "rf-fields", "aria-label": `Fields of ${name}` });
  for (const [field, property] of Object.entries(schema.properties || {})) {
    const reason = sensitivity(field, property.default);
    const item = element("li", reason ? { class: "rf-leak" } : {},
      element("code", { text: field }), document.createTextNode(`: ${typeText(property)}`));
    item.append(" ", element("span", { class: "rf-tag rf-tag-unset", text: required.has(field) ? "required" : "optional" }));
    if (reason) item.append(" ", element("span", { class: "rf-tag rf-tag-leak", text: `documents a ${reason}` }));
    list.append(item);
  }
  return list;
}

function bodyDescription(spec, response) {
  const media = response.content && (response.content["application/json"] || Object.values(response.content)[0]);
  if (!media) return [element("p", { text: "No body." })];
  const schema = media.schema || {};
  if (!Object.keys(schema).length) {
    return [element("p", { text: "Any JSON: without a response model the docs say nothing about the body." })];
  }
  const list = schema.type === "array";
  const { name, schema: model } = resolve(spec, list ? schema.items : schema);
  if (!name || !model.properties) return [element("p", {}, element("code", { text: typeText(schema) }))];
  return [
    element("p", {}, document.createTextNode(list ? "A list of " : "A "), element("code", { text: name }), document.createTextNode(":")),
    fieldList(spec, name, model),
  ];
}

/** Nodes describing `method path` in `spec`, with the response that was just received marked. */
export function docsView(spec, { method, path, status }) {
  const operation = ((spec.paths || {})[path] || {})[method.toLowerCase()];
  if (!operation) {
    return [element("p", { class: "hint", text: `The document has no operation ${method} ${path} (is it excluded with include_in_schema=False?).` })];
  }
  const table = element("div", { class: "rf-doc-responses" });
  for (const [code, response] of Object.entries(operation.responses || {})) {
    const current = String(status) === code;
    const entry = element("section", { class: current ? "rf-doc-response rf-current" : "rf-doc-response", "data-doc-status": code },
      element("h5", {}, element("strong", { text: code }), document.createTextNode(` ${response.description || ""}`)));
    if (current) entry.querySelector("h5").append(" ", element("span", { class: "rf-tag rf-tag-current", text: "this response" }));
    entry.append(...bodyDescription(spec, response));
    table.append(entry);
  }
  const parts = [element("p", {}, element("code", { text: `${method} ${path}` }), document.createTextNode(` · ${operation.summary || operation.operationId || ""}`)), table];
  if (status && !(String(status) in (operation.responses || {}))) {
    parts.push(element("p", { class: "hint", text: `The ${status} you received is not documented for this route.` }));
  }
  return parts;
}
