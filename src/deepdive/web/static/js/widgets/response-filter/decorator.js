// Reading and editing the decorator of the route that serves a request, in the learner's own code.
// A small scanner (strings, comments, brackets) is enough: the edit is shown in the editor, and the
// learner can always change it by hand.

const DECORATOR = /^[ \t]*@[ \t]*[A-Za-z_][\w.]*\.(get|post|put|patch|delete|head|options)[ \t]*\(/gim;
const STATUS_ARG = /^\s*status_code\s*=/;

// Index of the last character of the string literal starting at `start`, or -1.
function skipString(code, start) {
  const quote = code[start];
  const close = code.startsWith(quote.repeat(3), start) ? quote.repeat(3) : quote;
  for (let i = start + close.length; i < code.length; i++) {
    if (code[i] === "\\") i++;
    else if (close.length === 1 && code[i] === "\n") return i;
    else if (code.startsWith(close, i)) return i + close.length - 1;
  }
  return -1;
}

// Walks code[from, to) at bracket depth 0 relative to `from`; calls onComma for each top-level comma.
function scan(code, from, to, { onComma, onClose } = {}) {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const ch = code[i];
    if (ch === "#") {
      i = code.indexOf("\n", i);
      if (i < 0) return -1;
    } else if (ch === '"' || ch === "'") {
      i = skipString(code, i);
      if (i < 0) return -1;
    } else if ("([{".includes(ch)) {
      depth++;
    } else if (")]}".includes(ch)) {
      depth--;
      if (depth === 0 && onClose) return i;
    } else if (ch === "," && depth === 1 && onComma) {
      onComma(i);
    }
  }
  return -1;
}

function argumentsOf(code, open, close) {
  const parts = [];
  let start = open + 1;
  scan(code, open, close, { onComma: (i) => { parts.push([start, i]); start = i + 1; } });
  if (code.slice(start, close).trim()) parts.push([start, close]);
  return parts.map(([from, to]) => ({ from, to, text: code.slice(from, to) }));
}

function routePath(args) {
  for (const arg of args) {
    const literal = arg.text.trim().replace(/^path\s*=\s*/, "").match(/^[rR]?(["'])(.*)\1$/s);
    if (literal) return literal[2];
  }
  return null;
}

function templatePattern(template, anchored) {
  const body = template
    .split(/(\{[^}]+\})/)
    .map((part) => part.startsWith("{") ? (part.endsWith(":path}") ? ".+" : "[^/]+") : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("");
  return new RegExp(`${anchored ? "^" : ""}${body}$`);
}

/**
 * The decorator that serves `method path` in `code`: {open, close, args, template}, or null.
 * An exact match wins; otherwise a route whose path ends the request path (a router prefix).
 */
export function findRoute(code, method, path) {
  const wanted = path.split("?")[0];
  const routes = [];
  for (const match of code.matchAll(DECORATOR)) {
    if (match[1].toUpperCase() !== method.toUpperCase()) continue;
    const open = match.index + match[0].length - 1;
    const close = scan(code, open, code.length, { onClose: true });
    if (close < 0) continue;
    const args = argumentsOf(code, open, close);
    const template = routePath(args);
    if (template !== null) routes.push({ open, close, args, template, line: code.slice(0, match.index).split("\n").length });
  }
  return routes.find((r) => templatePattern(r.template, true).test(wanted)) ||
    routes.find((r) => templatePattern(r.template, false).test(wanted)) || null;
}

/** The status code the decorator sets: {code: number|null, text: string|null} (text as written). */
export function statusOf(route) {
  const arg = route.args.find((a) => STATUS_ARG.test(a.text));
  if (!arg) return { code: null, text: null };
  const text = arg.text.replace(STATUS_ARG, "").trim();
  const digits = text.match(/^(\d{3})$/) || text.match(/HTTP_(\d{3})_/);
  return { code: digits ? Number(digits[1]) : null, text };
}

function importsStatus(code) {
  return /^\s*from\s+(fastapi|starlette)\s+import\s+(\([^)]*\bstatus\b[^)]*\)|[^\n]*\bstatus\b)/m.test(code);
}

/**
 * The text change {from, to, insert} that makes the decorator set `choice` ({code, constant}), or
 * remove `status_code` when `choice` is null. Uses `status.HTTP_…` when the code imports `status`.
 */
export function statusChange(code, route, choice) {
  const expression = choice && (importsStatus(code) && choice.constant ? `status.${choice.constant}` : String(choice.code));
  const index = route.args.findIndex((a) => STATUS_ARG.test(a.text));
  if (index >= 0) {
    const arg = route.args[index];
    if (!expression) {
      if (index > 0) return { from: route.args[index - 1].to, to: arg.to, insert: "" };
      const next = route.args[index + 1];
      return { from: arg.from, to: next ? next.from : arg.to, insert: "" };
    }
    const equals = arg.text.indexOf("=");
    const value = arg.text.slice(equals + 1);
    const from = arg.from + equals + 1 + (value.length - value.trimStart().length);
    return { from, to: arg.to - (value.length - value.trimEnd().length), insert: expression };
  }
  if (!expression) return null;
  const inside = code.slice(route.open + 1, route.close).trimEnd();
  const end = route.open + 1 + inside.length;
  if (inside.endsWith(",")) {
    const lineStart = code.lastIndexOf("\n", end - 1) + 1;
    const indent = code.slice(lineStart).match(/^[ \t]*/)[0];
    return { from: end, to: end, insert: `\n${indent}status_code=${expression},` };
  }
  return { from: end, to: end, insert: `, status_code=${expression}` };
}
