// Building DOM nodes without HTML strings (the page's CSP and the learner's text both demand it).

/** `element("p", {class: "hint", text: "…"}, child, …)`: attributes, then children. */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** A readable box: `kind` is "error" (announced at once), "warning" or "info". */
export function notice(text, kind = "error", { title } = {}) {
  const box = element("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "note" });
  if (title) box.append(element("strong", { text: `${title} ` }));
  box.append(document.createTextNode(text));
  return box;
}
