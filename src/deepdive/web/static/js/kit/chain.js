// Requests that use values captured from earlier responses (`{{token}}`): which presets have to
// be sent first, and how to say so. Pure functions: no DOM.

const PLACEHOLDER = /\{\{\s*([A-Za-z_]\w*)/g;

function texts(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (value && typeof value === "object") return Object.values(value).flatMap(texts);
  return [];
}

/** The names of the values a request uses, in order, each once. */
export function valuesUsed(request) {
  const parts = [request.path, request.query, request.headers, request.json_body, request.body, request.form];
  const names = [];
  for (const text of parts.flatMap(texts)) {
    for (const match of text.matchAll(PLACEHOLDER)) if (!names.includes(match[1])) names.push(match[1]);
  }
  return names;
}

/**
 * The presets to send, in order, so that `presets[index]` has every value it uses: for each
 * value, the nearest earlier preset capturing it (with what that one needs), then the preset.
 * Values no earlier preset captures are listed in `missing`.
 */
export function chainFor(presets, index) {
  const order = [];
  const missing = [];
  const visit = (at) => {
    for (const name of valuesUsed(presets[at])) {
      let source = -1;
      for (let i = at - 1; i >= 0; i -= 1) {
        if (presets[i].capture && name in presets[i].capture) {
          source = i;
          break;
        }
      }
      if (source < 0) missing.push(name);
      else if (!order.includes(source)) visit(source);
    }
    if (!order.includes(at)) order.push(at);
  };
  visit(index);
  return { order, missing };
}

/** "Sends “Log in” first, for {{token}}." (or "" when the preset stands alone). */
export function describeChain(presets, index) {
  const { order } = chainFor(presets, index);
  const before = order.filter((i) => i !== index);
  if (!before.length) return "";
  const labels = before.map((i) => `“${presets[i].label || `${presets[i].method} ${presets[i].path}`}”`);
  const values = valuesUsed(presets[index]).map((name) => `{{${name}}}`);
  return `Sends ${labels.join(", then ")} first, for ${values.join(", ")}.`;
}

/** A preset as the sandbox receives it (its label stays on the page). */
export function asRequest(preset) {
  const { label, ...request } = preset;
  return request;
}
