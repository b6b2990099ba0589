// The switches that edit the learner's code: `use_cache=False` on each Depends(...) declaration,
// and the dependency override appended from another file. Each edit is followed by a run.
import { element } from "../../kit/dom.js";
import { cacheSwitches, hasSnippet, toggleSnippet } from "./source.js";

/** `onEdit(code, message)` applies an edit (and runs it). Returns {refresh()} for code changes. */
export function switches(panel, editor, { snippet, onEdit }) {
  const list = panel.querySelector("[data-cache-switches]");
  const status = panel.querySelector("[data-switch-status]");
  const overrideBox = panel.querySelector("[data-override]");

  function refresh() {
    const code = editor.getCode();
    const found = cacheSwitches(code);
    list.replaceChildren(...found.map((item, index) => {
      const id = `${panel.id}-cache-${index}`;
      const box = element("input", { type: "checkbox", id, "data-cache-switch": item.key });
      box.checked = item.cached;
      box.addEventListener("change", () => {
        const edited = item.apply(editor.getCode());
        if (edited === null) {
          status.textContent = "That declaration moved while you were typing; try again.";
          refresh();
          return;
        }
        onEdit(edited, item.cached ? `Added use_cache=False on line ${item.line}; running again…` : `Removed use_cache=False on line ${item.line}; running again…`);
      });
      const label = element("label", { for: id }, element("code", { text: item.text }));
      return element("li", {}, box, document.createTextNode(" "), label, element("span", { class: "hint", text: item.cached ? " cached" : " use_cache=False" }));
    }));
    if (!found.length) list.replaceChildren(element("li", { class: "hint", text: "No Depends(...) in the code yet." }));
    if (overrideBox) overrideBox.checked = hasSnippet(code, snippet);
  }

  overrideBox?.addEventListener("change", () => {
    const edited = toggleSnippet(editor.getCode(), snippet, overrideBox.checked);
    if (edited === null) {
      overrideBox.checked = true;
      status.textContent = "The override lines were edited, so they cannot be taken out automatically: delete them in the editor.";
      return;
    }
    onEdit(edited, overrideBox.checked ? "Added the override at the end of the code; running again…" : "Removed the override; running again…");
  });

  return {
    refresh,
    say: (text) => (status.textContent = text),
  };
}
