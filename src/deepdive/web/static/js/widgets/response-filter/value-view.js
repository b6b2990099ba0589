// "What your endpoint returned": the Python value the sandbox recorded, drawn like Python, with
// fields FastAPI did not send, defaults nobody set, and response-validation errors marked.
import { codeLines } from "./lines.js";
import { sensitivity } from "./secrets.js";

const BRACKETS = { list: ["[", "]"], tuple: ["(", ")"], set: ["{", "}"], frozenset: ["frozenset({", "})"] };

function samePath(a, b) {
  return a.length === b.length && a.every((part, i) => String(part) === String(b[i]));
}

function pythonString(text) {
  return `'${String(text).replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function plainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A code block for the recorded value `tree`. `sent` is the parsed JSON body (or undefined) to
 * compare with; `errors` are the response-validation errors (loc starting with "response").
 */
export function valueView(tree, { sent, errors = [] } = {}) {
  const lines = codeLines("Returned value");
  const locs = errors.map((error) => ({ path: error.loc.slice(1), msg: error.msg }));

  function tagsFor(path, extra = []) {
    const tags = [...extra];
    for (const loc of locs) if (samePath(loc.path, path)) tags.push({ kind: "error", text: `✗ ${loc.msg}` });
    return { tags, mark: tags.some((t) => t.kind === "error") ? "error" : null };
  }

  function fieldTags(name, node, sentParent) {
    const tags = [];
    if (node.set === false) tags.push({ kind: "unset", text: "default, not set" });
    if (plainObject(sentParent) && !(name in sentParent)) {
      tags.push({ kind: "dropped", text: sensitivity(name, null) ? "not sent: kept on the server" : "not sent" });
    }
    return tags;
  }

  function emit(node, depth, prefix, comma, path, sentHere, extraTags = []) {
    const pad = "    ".repeat(depth);
    if (!node) return;
    const close = (text) => lines.add(`${pad}${text}${comma}`);
    if (node.kind === "scalar") {
      lines.add(`${pad}${prefix}${node.repr}${comma}`, tagsFor(path, extraTags));
      return;
    }
    if (node.kind === "response") {
      lines.add(`${pad}${prefix}${node.type}(`, tagsFor(path, extraTags));
      lines.add(`${pad}    status_code=${node.status_code},`);
      lines.add(`${pad}    media_type=${JSON.stringify(node.media_type)},`);
      lines.add(`${pad}    body=b${pythonString(node.body)},`);
      close(")");
      return;
    }
    if (node.kind === "model" || node.kind === "object") {
      const fields = [...node.fields, ...(node.extra || []).map((f) => ({ ...f, extra: true }))];
      lines.add(`${pad}${prefix}${node.type}(`, tagsFor(path, extraTags));
      for (const field of fields) {
        const tags = fieldTags(field.name, field, sentHere);
        if (field.extra) tags.push({ kind: "unset", text: "extra field" });
        const child = plainObject(sentHere) ? sentHere[field.name] : undefined;
        emit(field.value, depth + 1, `${field.name}=`, ",", [...path, field.name], child, tags);
      }
      if (node.truncated) lines.add(`${pad}    …`, { tags: [{ kind: "unset", text: "cut short" }] });
      close(")");
      return;
    }
    if (node.kind === "mapping") {
      lines.add(`${pad}${prefix}{`, tagsFor(path, extraTags));
      for (const item of node.items) {
        const tags = fieldTags(item.key, {}, sentHere);
        const child = plainObject(sentHere) ? sentHere[item.key] : undefined;
        emit(item.value, depth + 1, `${pythonString(item.key)}: `, ",", [...path, item.key], child, tags);
      }
      if (node.truncated) lines.add(`${pad}    …`, { tags: [{ kind: "unset", text: `${node.length} items in all` }] });
      close("}");
      return;
    }
    if (node.kind === "sequence") {
      const [open, end] = BRACKETS[node.type] || [`${node.type}([`, "])"];
      lines.add(`${pad}${prefix}${open}`, tagsFor(path, extraTags));
      node.items.forEach((item, index) => {
        const child = Array.isArray(sentHere) ? sentHere[index] : undefined;
        emit(item.value, depth + 1, "", ",", [...path, index], child);
      });
      if (node.truncated) lines.add(`${pad}    …`, { tags: [{ kind: "unset", text: `${node.length} items in all` }] });
      close(end);
    }
  }

  emit(tree, 0, "", "", [], sent);
  return lines.pre;
}
