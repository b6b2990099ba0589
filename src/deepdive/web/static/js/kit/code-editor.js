// A CodeMirror editor mounted on a server-rendered host, with its draft saved as the learner
// types and a starter to reset to. The host holds the code to start with (the saved draft or
// the starter) as text; the `template[data-starter]` just before it holds the starter.
import { createEditor } from "../../build/editor.js";
import { draftSaver } from "../drafts.js";

/**
 * Options: `widgetId`, `part` (a widget's second editor), `language` ("python" | "json"),
 * `onRun()` (Ctrl/Cmd+Enter), `onChange(code)`, `status` (an element that says "Saved"),
 * `drafts: false` for a widget that saves the code itself, `starter` (text; defaults to the
 * host's `template[data-starter]` sibling).
 * Returns the editor handle (getCode, setCode, markErrors, clearErrors, focus, view) plus
 * `reset()`, which puts the starter back, and `flush()`, which saves the draft now.
 */
export function codeEditor(host, { widgetId, part, language = "python", onRun, onChange, status, drafts = true, starter } = {}) {
  const saver = drafts ? draftSaver(widgetId, { part, onStatus: (text) => status && (status.textContent = text) }) : null;
  const initial = host.textContent.replace(/\n$/, "");
  const template = host.previousElementSibling;
  const fromPage = template && template.matches("template[data-starter]") ? template.content.textContent : initial;
  const starterText = (starter ?? fromPage).replace(/\n$/, "");
  host.textContent = "";
  host.dataset.mounted = "true";
  const editor = createEditor(host, {
    doc: initial,
    language,
    label: host.dataset.label,
    onRun,
    onChange: (code) => {
      if (saver) saver.save(code);
      if (onChange) onChange(code);
    },
  });
  return Object.assign(editor, {
    starter: starterText,
    reset() {
      editor.setCode(starterText);
      editor.clearErrors();
      editor.focus();
    },
    flush: () => (saver ? saver.flush() : Promise.resolve()),
  });
}
