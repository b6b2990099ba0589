// A code block built line by line, where a line can carry short tags ("not sent", "leak", ...).
import { element } from "../../kit/dom.js";

/** {pre, add(text, {tags, mark})}: `mark` colours the whole line (leak, error); tags follow the text. */
export function codeLines(label) {
  const code = element("code");
  const pre = element("pre", { class: "rf-code", tabindex: "0", "aria-label": label }, code);
  return {
    pre,
    add(text, { tags = [], mark = null } = {}) {
      const line = element("span", { class: mark ? `rf-line rf-${mark}` : "rf-line" }, document.createTextNode(text));
      for (const tag of tags) {
        line.append(" ", element("span", { class: `rf-tag rf-tag-${tag.kind}`, text: tag.text }));
      }
      code.append(line, "\n");
      return line;
    },
  };
}
