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
 * The route decorator and the first `def` after it in `code`: {method, path, name, parts} (parts:
 * the text of each parameter), or null when there is no such function to read. Pure text: enough
 * for code shaped like `generate`'s.
 */
function endpointOf(code) {
  const found = /@app\.(\w+)\(\s*(?:"([^"\n]*)"|'([^'\n]*)')?[^\n]*\)\s*\n\s*(?:async\s+)?def\s+(\w+)\s*\(/.exec(code);
  if (!found) return null;
  let index = found.index + found[0].length;
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
  const path = found[2] ?? found[3] ?? null;
  return { method: found[1], path, name: found[4], parts: parts.map((text) => text.trim()).filter(Boolean) };
}

/** The parameter names of the first `def` after the route decorator in `code`, or null. */
export function signatureNames(code) {
  const endpoint = endpointOf(code);
  if (!endpoint) return null;
  return endpoint.parts.map((text) => (text.match(/^\*{0,2}([A-Za-z_]\w*)/) || [])[1]).filter(Boolean);
}

// The form's text for a Python default written in the code, or null when the form has no way to
// write that value.
function defaultText(type, python) {
  if (type === "bool") return { True: "true", False: "false" }[python] ?? null;
  if (type === "Genre") {
    const member = /^Genre\.(\w+)$/.exec(python);
    return member && GENRES[member[1]] ? GENRES[member[1]] : null;
  }
  if (type === "str") {
    if (!/^"([^"\\]|\\.)*"$|^'[^'\\]*'$/.test(python)) return null;
    try {
      return python.startsWith("'") ? python.slice(1, -1) : JSON.parse(python);
    } catch {
      return null;
    }
  }
  return literal(type, python) === null ? null : python;
}

// One parameter of the signature as a row of the form, or a sentence saying why it is not one.
function paramOf(text, pathNames) {
  // The default starts at the first `=` outside brackets (`Query(ge=1)` has one inside).
  let depth = 0;
  let equals = -1;
  for (let i = 0; i < text.length && equals < 0; i += 1) {
    if ("([{".includes(text[i])) depth += 1;
    else if (")]}".includes(text[i])) depth -= 1;
    else if (text[i] === "=" && depth === 0) equals = i;
  }
  const head = equals < 0 ? text : text.slice(0, equals);
  const fallback = equals < 0 ? undefined : text.slice(equals + 1);
  const found = /^([A-Za-z_]\w*)\s*:\s*(.+)$/s.exec(head.trim());
  if (!found) return { problem: `${text.split(/[:=]/)[0].trim()} has no type the form knows` };
  const [, name, annotation] = found;
  const location = pathNames.includes(name) ? "path" : "query";
  let type = annotation.trim();
  let rules = "";
  const annotated = /^Annotated\[\s*(.+?)\s*,\s*(Path|Query)\((.*)\)\s*\]$/s.exec(type);
  if (annotated) {
    [, type, , rules] = annotated;
    if ((annotated[2] === "Path") !== (location === "path")) return { problem: `${name} is declared with ${annotated[2]}() but is ${location === "path" ? "in the path" : "not in the path"}` };
  }
  const optional = /^(.+?)\s*\|\s*None$/.exec(type);
  if (optional) type = optional[1];
  if (!TYPES.includes(type)) return { problem: `${name}'s type ${annotation.trim()} is not one the form offers (${TYPES.join(", ")})` };
  const param = { name, location, type, presence: "required", default: "", ge: "", le: "", max_length: "" };
  for (const rule of rules.split(",").map((r) => r.trim()).filter(Boolean)) {
    const [key, value] = rule.split("=").map((t) => t.trim());
    const allowed = isNumeric(type) ? ["ge", "le"] : type === "str" ? ["max_length"] : [];
    if (!allowed.includes(key) || value === undefined) return { problem: `${name}'s rule ${rule} is not one the form writes` };
    param[key] = value;
  }
  const given = fallback === undefined ? null : fallback.trim();
  if (given === "None" && optional) param.presence = "optional";
  else if (given !== null && !optional) {
    const value = defaultText(type, given);
    if (value === null) return { problem: `${name}'s default ${given} is not a ${type} the form can write` };
    param.presence = "default";
    param.default = value;
  } else if (given !== null || optional) return { problem: `${name} is ${annotation.trim()}${given === null ? " without a default" : ` = ${given}`}` };
  if (location === "path" && param.presence !== "required") return { problem: `path parameter ${name} has a default` };
  return { param };
}

/**
 * What the form can read back from code the learner edited: {spec, unread}. `spec` has the
 * route and the parameters the form can show (null when no route decorator and function are
 * found); `unread` lists, in words, what the form cannot follow.
 */
export function readSpec(code) {
  const endpoint = endpointOf(code);
  if (!endpoint) return { spec: null, unread: ["no @app.get(...) decorator followed by a def"] };
  const unread = [];
  if (endpoint.method !== "get") unread.push(`the method: @app.${endpoint.method}(...) (the form writes GET endpoints)`);
  if (endpoint.name !== "echo_params") unread.push(`the function's name ${endpoint.name} (the form writes echo_params)`);
  const path = endpoint.path ?? "";
  const pieces = path.split("/").filter(Boolean);
  const firstParam = pieces.findIndex((piece) => /^\{.*\}$/.test(piece));
  const tail = firstParam < 0 ? [] : pieces.slice(firstParam);
  const pathNames = tail.map((piece) => (/^\{([A-Za-z_]\w*)\}$/.exec(piece) || [])[1]).filter(Boolean);
  let route = `/${(firstParam < 0 ? pieces : pieces.slice(0, firstParam)).join("/")}`;
  if (endpoint.path === null || tail.length !== pathNames.length || pieces.some((piece, i) => i < firstParam && piece.includes("{"))) {
    unread.push(`the path ${endpoint.path === null ? "(not a plain string)" : `"${path}"`}: the form puts path parameters at its end`);
    route = "/books";
  }
  const params = [];
  for (const text of endpoint.parts) {
    const read = paramOf(text, pathNames);
    if (read.param) params.push(read.param);
    else unread.push(read.problem);
  }
  for (const name of pathNames) {
    if (!params.some((p) => p.name === name)) unread.push(`{${name}} in the path has no parameter in the signature`);
  }
  // The form writes the path parameters into the path in its own order: keep the path's.
  const slots = params.flatMap((param, index) => (param.location === "path" ? [index] : []));
  const inPath = pathNames.map((name) => params.find((p) => p.name === name)).filter(Boolean);
  if (slots.length === inPath.length) slots.forEach((slot, k) => (params[slot] = inPath[k]));
  return { spec: { route, params }, unread };
}
