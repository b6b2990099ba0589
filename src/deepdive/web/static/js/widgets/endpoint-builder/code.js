// From a description of parameters to the Python source of an endpoint that echoes them.
// spec: {route: "/books", params: [{name, location: "path"|"query", type, presence:
// "required"|"default"|"optional", default, ge, le, max_length}]} (all field values are text).

export const TYPES = ["int", "str", "bool", "float", "Genre"];
const GENRES = { fantasy: "fantasy", mystery: "mystery", science_fiction: "science-fiction" };
const KEYWORDS = new Set(
  ("False None True and as assert async await break class continue def del elif else except finally " +
    "for from global if import in is lambda nonlocal not or pass raise return try while with yield")
    .split(" "),
);
// Names the generated module itself uses inside the function.
const TAKEN = new Set(["_seen"]);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export const isNumeric = (type) => type === "int" || type === "float";

/** Problems with the description, as {index (param or -1 for the route), field, message}. */
export function problems(spec) {
  const found = [];
  if (!/^\/[A-Za-z0-9_\-./~]*$/.test(spec.route || "")) {
    found.push({ index: -1, field: "route", message: "The route starts with / and uses letters, digits, - _ . / only (no braces: path parameters are added for you)." });
  }
  const seen = new Set();
  spec.params.forEach((param, index) => {
    const add = (field, message) => found.push({ index, field, message });
    const name = param.name.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) add("name", "A name is a Python identifier: letters, digits and _, not starting with a digit.");
    else if (KEYWORDS.has(name)) add("name", `${name} is a Python keyword.`);
    else if (TAKEN.has(name)) add("name", `${name} is used by the generated code; choose another name.`);
    else if (seen.has(name)) add("name", `Two parameters are called ${name}.`);
    seen.add(name);
    if (param.location === "query" && param.presence === "default") {
      const value = param.default.trim();
      if (literal(param.type, value) === null) add("default", defaultHint(param.type));
    }
    for (const bound of ["ge", "le"]) {
      const value = (param[bound] || "").trim();
      if (!value || !isNumeric(param.type)) continue;
      if (param.type === "int" ? !INTEGER.test(value) : !NUMBER.test(value)) {
        add(bound, `${bound} must be ${param.type === "int" ? "a whole number" : "a number"}.`);
      }
    }
    const maxLength = (param.max_length || "").trim();
    if (maxLength && param.type === "str" && !/^\d+$/.test(maxLength)) add("max_length", "max_length must be a whole number, 0 or more.");
  });
  return found;
}

function defaultHint(type) {
  return {
    int: "The default of an int is a whole number, such as 20.",
    float: "The default of a float is a number, such as 9.5.",
    bool: "The default of a bool is true or false.",
    str: "Any text will do as the default of a str.",
    Genre: `The default of a Genre is one of: ${Object.values(GENRES).join(", ")}.`,
  }[type];
}

/** The Python literal for `text` as a value of `type`, or null when it is not one. */
function literal(type, text) {
  if (type === "int") return INTEGER.test(text) ? BigInt(text).toString() : null;
  if (type === "float") {
    if (!NUMBER.test(text)) return null;
    const written = String(Number(text));
    return /[.e]/.test(written) ? written : `${written}.0`;
  }
  if (type === "bool") return { true: "True", false: "False" }[text.toLowerCase()] ?? null;
  if (type === "Genre") {
    const member = Object.keys(GENRES).find((key) => GENRES[key] === text);
    return member ? `Genre.${member}` : null;
  }
  return JSON.stringify(text); // a valid Python string literal
}

function constraints(param) {
  const parts = [];
  if (isNumeric(param.type)) {
    for (const bound of ["ge", "le"]) {
      const value = (param[bound] || "").trim();
      if (value) parts.push(`${bound}=${param.type === "int" ? BigInt(value).toString() : literal("float", value)}`);
    }
  }
  const maxLength = (param.max_length || "").trim();
  if (param.type === "str" && maxLength) parts.push(`max_length=${Number(maxLength)}`);
  return parts;
}

function presence(param) {
  return param.location === "path" ? "required" : param.presence;
}

function declaration(param) {
  const name = param.name.trim();
  const kind = presence(param);
  const type = kind === "optional" ? `${param.type} | None` : param.type;
  const rules = constraints(param);
  const marker = param.location === "path" ? "Path" : "Query";
  const annotation = rules.length ? `Annotated[${type}, ${marker}(${rules.join(", ")})]` : type;
  const tail = { required: "", optional: " = None", default: ` = ${literal(param.type, param.default.trim())}` }[kind];
  return `${name}: ${annotation}${tail}`;
}

/** The route template: the route, then one /{name} per path parameter. */
export function template(spec) {
  const base = spec.route.length > 1 ? spec.route.replace(/\/+$/, "") : "";
  const names = spec.params.filter((p) => p.location === "path").map((p) => `/{${p.name.trim()}}`);
  return base + names.join("") || "/";
}

/** Python needs parameters without a default before those with one; otherwise form order. */
export function ordered(params) {
  const required = params.filter((p) => presence(p) === "required");
  return [...required, ...params.filter((p) => presence(p) !== "required")];
}

/** The module's source, formatted as `ruff format` would leave it. */
export function generate(spec) {
  const params = ordered(spec.params);
  const annotated = params.filter((p) => constraints(p).length);
  const markers = ["Path", "Query"].filter((m) => annotated.some((p) => (p.location === "path") === (m === "Path")));
  const stdlib = [];
  if (params.some((p) => p.type === "Genre")) stdlib.push("from enum import StrEnum");
  if (annotated.length) stdlib.push("from typing import Annotated");
  const lines = [...stdlib, ...(stdlib.length ? [""] : []), `from fastapi import ${["FastAPI", ...markers].join(", ")}`, ""];
  lines.push('app = FastAPI(title="Bookshop")', "", "");
  if (params.some((p) => p.type === "Genre")) {
    lines.push("class Genre(StrEnum):", ...Object.entries(GENRES).map(([key, value]) => `    ${key} = "${value}"`), "", "");
  }
  lines.push(
    "def _seen(value: object) -> dict[str, object]:",
    '    """What FastAPI passed to the function: the converted value and its Python type."""',
    '    return {"value": value, "type": type(value).__name__}',
    "",
    "",
    `@app.get("${template(spec)}")`,
  );
  const returns = "-> dict[str, dict[str, object]]:";
  if (!params.length) {
    lines.push(`def echo_params() ${returns}`, "    return {}");
  } else {
    lines.push("def echo_params(", ...params.map((p) => `    ${declaration(p)},`), `) ${returns}`);
    lines.push("    return {", ...params.map((p) => `        "${p.name.trim()}": _seen(${p.name.trim()}),`), "    }");
  }
  return lines.join("\n");
}

function sample(param) {
  if (param.type === "bool") return "yes";
  if (param.type === "Genre") return "mystery";
  if (param.type === "str") {
    const max = (param.max_length || "").trim();
    return max ? "dune".slice(0, Number(max)) : "dune";
  }
  let value = param.type === "int" ? 42 : 9.5;
  const ge = Number((param.ge || "").trim() || NaN);
  const le = Number((param.le || "").trim() || NaN);
  if (!Number.isNaN(le) && value > le) value = le;
  if (!Number.isNaN(ge) && value < ge) value = ge;
  return String(value);
}

/** A URL that gives every parameter a valid value, to show the conversions. */
export function exampleUrl(spec) {
  const path = template(spec).replace(/\{(\w+)\}/g, (_, name) => {
    const param = spec.params.find((p) => p.name.trim() === name);
    return encodeURIComponent(sample(param));
  });
  const query = new URLSearchParams();
  for (const param of spec.params.filter((p) => p.location === "query")) query.append(param.name.trim(), sample(param));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * The parameter names of the first `def` after the route decorator in `code`, in order, or null
 * when there is no such function to read. Pure text: enough for code shaped like `generate`'s.
 */
export function signatureNames(code) {
  const start = code.search(/@app\.\w+\([^\n]*\)\s*\n\s*(async\s+)?def\s+\w+\s*\(/);
  if (start < 0) return null;
  let index = code.indexOf("(", code.indexOf("def", start)) + 1;
  let depth = 0;
  let part = "";
  const parts = [];
  for (; index < code.length; index += 1) {
    const char = code[index];
    if (char === ")" && depth === 0) break;
    if ("([{".includes(char)) depth += 1;
    if (")]}".includes(char)) depth -= 1;
    if (char === "," && depth === 0) {
      parts.push(part);
      part = "";
    } else part += char;
  }
  if (index >= code.length) return null;
  parts.push(part);
  return parts.map((text) => (text.trim().match(/^\*{0,2}([A-Za-z_]\w*)/) || [])[1]).filter(Boolean);
}
