// Edits to the learner's code made by the widget's switches: `use_cache=False` on one
// `Depends(...)` declaration, and adding or removing a dependency override. Only text changes
// happen here; what they do is seen by running the code.

// Depends( name? rest ) with at most one level of nested parentheses inside, e.g. Depends(Quota(100)).
const DEPENDS = /Depends\(\s*([A-Za-z_][\w.]*)?((?:[^()]|\([^()]*\))*)\)/g;
const NO_CACHE = /\s*,?\s*use_cache\s*=\s*False\s*/;
const ALIAS = /^([A-Za-z_]\w*)\s*=\s*Annotated\[(.*)\]\s*$/;

function lineAt(code, index) {
  return code.slice(0, index).split("\n").length;
}

function functionAbove(lines, lineNumber) {
  for (let n = lineNumber; n >= 1; n -= 1) {
    const match = /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(lines[n - 1]);
    if (match) return match[1];
    if (n < lineNumber && /^\S/.test(lines[n - 1]) && !/^[@)]/.test(lines[n - 1])) return null;
  }
  return null;
}

function withoutCache(args) {
  return args.trim() ? `${args}, use_cache=False` : "use_cache=False";
}

/**
 * The declarations the switches offer, in source order. Each: {key, line, start, text, cached,
 * apply(code) -> code or null}. `text` describes it; `apply` flips its cache flag (null when the
 * code no longer has the declaration where it was).
 */
export function cacheSwitches(code) {
  const lines = code.split("\n");
  const switches = [];
  const aliases = [];
  for (const match of code.matchAll(DEPENDS)) {
    const [whole, name = "", rest] = match;
    const start = match.index;
    const line = lineAt(code, start);
    const lineText = lines[line - 1];
    const args = `${name}${rest}`;
    const cached = !/use_cache\s*=\s*False/.test(rest);
    const alias = ALIAS.exec(lineText.trim());
    const before = lineText.slice(0, start - code.lastIndexOf("\n", start - 1) - 1);
    const parameter = /([A-Za-z_]\w*)\s*:\s*[^:]*$/.exec(before) || /([A-Za-z_]\w*)\s*(?::[^=]*)?=\s*$/.exec(before);
    let text;
    if (alias) {
      text = `${alias[1]} = Annotated[..., Depends(${args})] on line ${line}, for every parameter typed ${alias[1]}`;
      if (cached) aliases.push({ name: alias[1], inner: alias[2], line });
    } else if (parameter && !/dependencies\s*=/.test(before)) {
      const owner = functionAbove(lines, line);
      text = `${parameter[1]}${owner ? ` of ${owner}` : ""}, line ${line}: Depends(${args})`;
    } else {
      text = `route dependency on line ${line}: Depends(${args})`;
    }
    switches.push({
      key: `${line}:${start}`,
      line,
      start,
      text,
      cached,
      apply(source) {
        if (source.slice(start, start + whole.length) !== whole) return null;
        const open = whole.indexOf("(") + 1;
        const inside = whole.slice(open, -1);
        const edited = cached ? withoutCache(inside) : inside.replace(NO_CACHE, "");
        return source.slice(0, start) + `Depends(${edited})` + source.slice(start + whole.length);
      },
    });
  }
  for (const alias of aliases) {
    const use = new RegExp(`([A-Za-z_]\\w*)\\s*:\\s*(${alias.name})\\b(?!\\s*=\\s*Annotated)`, "g");
    for (const match of code.matchAll(use)) {
      const start = match.index + match[0].length - alias.name.length;
      const line = lineAt(code, start);
      if (line === alias.line) continue;
      const owner = functionAbove(lines, line);
      const inner = alias.inner.replace(DEPENDS, (whole) => {
        const inside = whole.slice(whole.indexOf("(") + 1, -1);
        return `Depends(${withoutCache(inside)})`;
      });
      switches.push({
        key: `${line}:${start}`,
        line,
        start,
        text: `${match[1]}${owner ? ` of ${owner}` : ""}, line ${line}: via ${alias.name}`,
        cached: true,
        apply(source) {
          if (source.slice(start, start + alias.name.length) !== alias.name) return null;
          return source.slice(0, start) + `Annotated[${inner}]` + source.slice(start + alias.name.length);
        },
      });
    }
  }
  return switches.sort((a, b) => a.start - b.start);
}

/** Is the override snippet in the code? */
export function hasSnippet(code, snippet) {
  return Boolean(snippet.trim()) && code.includes(snippet.trim());
}

/** The code with the snippet appended (true) or taken out again (false); null if not found. */
export function toggleSnippet(code, snippet, on) {
  const body = snippet.trim();
  if (on) return hasSnippet(code, snippet) ? code : `${code.replace(/\s*$/, "")}\n\n\n${body}\n`;
  const at = code.indexOf(body);
  if (at < 0) return null;
  return `${code.slice(0, at).replace(/\s*$/, "")}\n${code.slice(at + body.length).replace(/^\s*\n?/, "")}`;
}
