// "What left the server": the real response body, with every sensitive field flagged.
import { codeLines } from "./lines.js";
import { sensitivity } from "./secrets.js";

function pathText(path) {
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : (i ? "." : "") + part)).join("");
}

/** {pre, leaks}: the JSON value as indented lines; `leaks` lists {path, reason}. */
export function jsonView(value) {
  const leaks = [];
  const lines = codeLines("Response body");
  const flag = (reason) => (reason ? { mark: "leak", tags: [{ kind: "leak", text: `leak: ${reason}` }] } : {});

  function emit(item, depth, prefix, comma, path, reason) {
    const pad = "  ".repeat(depth);
    if (item === null || typeof item !== "object") {
      lines.add(`${pad}${prefix}${JSON.stringify(item)}${comma}`, flag(reason));
      return;
    }
    const list = Array.isArray(item);
    const entries = list ? item.map((v, i) => [i, v]) : Object.entries(item);
    const [open, close] = list ? ["[", "]"] : ["{", "}"];
    if (!entries.length) {
      lines.add(`${pad}${prefix}${open}${close}${comma}`, flag(reason));
      return;
    }
    lines.add(`${pad}${prefix}${open}`, flag(reason));
    entries.forEach(([key, child], index) => {
      const childReason = list ? null : sensitivity(key, child);
      if (childReason) leaks.push({ path: pathText([...path, key]), reason: childReason });
      const childPrefix = list ? "" : `${JSON.stringify(key)}: `;
      emit(child, depth + 1, childPrefix, index < entries.length - 1 ? "," : "", [...path, key], childReason);
    });
    lines.add(`${pad}${close}${comma}`);
  }

  emit(value, 0, "", "", [], null);
  return { pre: lines.pre, leaks };
}
