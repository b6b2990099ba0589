// A CodeMirror editor mounted on a server-rendered host, with its draft saved as the learner
// types and a starter to reset to. The host holds the code to start with (the saved draft or
// the starter) as text; when that is a draft that differs from the starter, the
// `template[data-starter]` just before it holds the starter.
//
// The CodeMirror bundle is large, and most editors start below the fold (one per lesson down the
// course page; after the article's first sections on a lesson page): it is fetched only when an
// editor comes near the viewport, or when the learner reaches it with the keyboard or a click.
// Until it arrives the host holds a plain textarea with the same code: it can be read, edited,
// saved and run, and what was typed there becomes the editor's text when CodeMirror arrives.
// A browser without IntersectionObserver mounts every editor at once.
import { draftSaver } from "../drafts.js";

const NEAR = "600px 0px"; // how far outside the viewport an editor starts loading

let bundle = null;
function loadBundle() {
  bundle ??= import("../../build/editor.js");
  return bundle;
}

const waiting = new Map(); // host → mount()
const observer =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (entry.isIntersecting) waiting.get(entry.target)?.();
          }
        },
        { rootMargin: NEAR },
      )
    : null;

/**
 * Options: `widgetId`, `part` (a widget's second editor), `language` ("python" | "json"),
 * `onRun()` (Ctrl/Cmd+Enter), `onChange(code)`, `status` (an element that says "Saved"),
 * `drafts: false` for a widget that saves the code itself, `starter` (text; defaults to the
 * host's `template[data-starter]` sibling).
 * Returns the editor handle (getCode, setCode, markErrors, clearErrors, focus, setReadOnly, view) plus
 * `reset()`, which puts the starter back, `flush()`, which saves the draft now, `ready()`, a
 * promise of the mounted CodeMirror, and `applyChange({from, to, insert})`.
 * `view` is CodeMirror's view once mounted, and null before.
 */
export function codeEditor(host, { widgetId, part, language = "python", onRun, onChange, status, drafts = true, starter } = {}) {
  const saver = drafts ? draftSaver(widgetId, { part, onStatus: (text) => status && (status.textContent = text) }) : null;
  const initial = host.textContent.replace(/\n$/, "");
  const template = host.previousElementSibling;
  const fromPage = template && template.matches("template[data-starter]") ? template.content.textContent : initial;
  const starterText = (starter ?? fromPage).replace(/\n$/, "");
  const changed = (code) => {
    if (saver) saver.save(code);
    if (onChange) onChange(code);
  };

  const fallback = document.createElement("textarea");
  fallback.className = "editor-textarea";
  fallback.value = initial;
  fallback.spellcheck = false;
  fallback.setAttribute("aria-label", host.dataset.label || "Code");
  fallback.rows = initial.split("\n").length; // CSS keeps it between CodeMirror's least and most height
  fallback.addEventListener("input", () => changed(fallback.value));
  fallback.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && onRun) {
      event.preventDefault();
      onRun();
    }
  });
  host.replaceChildren(fallback);
  host.dataset.loading = "lazy";

  // What was asked of the editor before CodeMirror arrived is kept here (the text itself lives in
  // the fallback) and applied when it mounts, whenever that is.
  let editor = null; // the CodeMirror handle, once mounted
  let errors = [];
  let readOnly = false;
  let focusWanted = false;
  let resolveReady;
  const ready = new Promise((resolve) => (resolveReady = resolve));

  async function mount() {
    if (!waiting.has(host)) return;
    waiting.delete(host);
    observer?.unobserve(host);
    const { createEditor } = await loadBundle();
    const hadFocus = focusWanted || document.activeElement === fallback;
    const doc = fallback.value;
    host.replaceChildren();
    delete host.dataset.loading;
    host.dataset.mounted = "true";
    editor = createEditor(host, { doc, language, label: host.dataset.label, onRun, onChange: changed, readOnly });
    if (errors.length) editor.markErrors(errors);
    if (hadFocus) editor.focus();
    resolveReady(editor);
  }

  waiting.set(host, mount);
  fallback.addEventListener("focus", mount, { once: true });
  if (observer) observer.observe(host);
  else mount();

  return {
    get view() {
      return editor ? editor.view : null;
    },
    getCode: () => (editor ? editor.getCode() : fallback.value),
    setCode(text) {
      if (editor) editor.setCode(text);
      else if (text !== fallback.value) {
        fallback.value = text;
        changed(text); // as CodeMirror reports every change of its text
      }
    },
    applyChange({ from, to = from, insert = "" }) {
      if (editor) editor.view.dispatch({ changes: { from, to, insert } });
      else this.setCode(fallback.value.slice(0, from) + insert + fallback.value.slice(to));
    },
    markErrors(list) {
      errors = list;
      if (editor) editor.markErrors(list);
    },
    clearErrors() {
      errors = [];
      if (editor) editor.clearErrors();
    },
    focus() {
      if (editor) return editor.focus();
      focusWanted = true; // CodeMirror takes the focus when it mounts, unless it moved on
      fallback.addEventListener("blur", () => (focusWanted = false), { once: true });
      fallback.focus();
    },
    setReadOnly(flag) {
      readOnly = Boolean(flag);
      fallback.readOnly = readOnly;
      if (editor) editor.setReadOnly(readOnly);
    },
    ready: () => ready,
    starter: starterText,
    reset() {
      this.setCode(starterText);
      this.clearErrors();
      this.focus();
    },
    flush: () => (saver ? saver.flush() : Promise.resolve()),
  };
}
