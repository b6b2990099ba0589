// CodeMirror 6 editors for the course: Python or JSON, line numbers, error markers, Ctrl/Cmd+Enter.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState } from "@codemirror/state";
import {
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

// Colours come from CSS variables so editors follow the light/dark theme of the page.
const highlightStyle = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: "var(--code-keyword)" },
  { tag: [t.string, t.special(t.string)], color: "var(--code-string)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--code-number)" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "var(--code-comment)", fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.function(t.variableName))], color: "var(--code-function)" },
  { tag: [t.className, t.definition(t.className), t.typeName], color: "var(--code-class)" },
  { tag: [t.meta, t.annotation], color: "var(--code-decorator)" },
  { tag: [t.propertyName], color: "var(--code-property)" },
  { tag: [t.self, t.standard(t.variableName)], color: "var(--code-builtin)" },
  { tag: t.invalid, color: "var(--danger)" },
]);

const baseTheme = EditorView.theme({
  "&": { color: "var(--code-fg)", backgroundColor: "var(--code-bg)", fontSize: "0.92rem" },
  ".cm-content": { fontFamily: "var(--font-mono)", caretColor: "var(--code-fg)" },
  ".cm-gutters": { backgroundColor: "var(--code-gutter-bg)", color: "var(--code-gutter-fg)", border: "none" },
  ".cm-activeLine": { backgroundColor: "var(--code-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--code-active-line)" },
  "&.cm-focused": { outline: "3px solid var(--focus)", outlineOffset: "2px" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--code-fg)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--code-selection)",
  },
  ".cm-scroller": { minHeight: "8rem", maxHeight: "32rem", overflow: "auto" },
});

function languageFor(name) {
  return name === "json" ? json() : python();
}

/**
 * Create an editor inside `parent`.
 * Options: doc, language ("python" | "json"), label (accessible name), onRun(), onChange(text), readOnly.
 * Returns a small handle: getCode, setCode, markErrors, clearErrors, focus, setReadOnly, view.
 */
export function createEditor(parent, options = {}) {
  const { doc = "", language = "python", label = "Code editor", onRun, onChange, readOnly = false } = options;
  const editable = new Compartment();
  const runKeys = onRun
    ? [{ key: "Mod-Enter", preventDefault: true, run: () => { onRun(); return true; } }]
    : [];
  // Inside a shadow root, CodeMirror styles itself with constructed style sheets instead of a
  // <style> element, which the page's Content-Security-Policy (no inline styles) would block.
  const shadow = parent.shadowRoot || parent.attachShadow({ mode: "open" });
  const mountPoint = document.createElement("div");
  shadow.replaceChildren(mountPoint);
  const view = new EditorView({
    parent: mountPoint,
    root: shadow,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        foldGutter(),
        drawSelection(),
        dropCursor(),
        indentOnInput(),
        indentUnit.of("    "),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        lintGutter(),
        syntaxHighlighting(highlightStyle),
        baseTheme,
        languageFor(language),
        keymap.of([
          ...runKeys,
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          ...foldKeymap,
          ...completionKeymap,
          indentWithTab,
        ]),
        editable.of([EditorView.editable.of(!readOnly), EditorState.readOnly.of(readOnly)]),
        // An explicit tab stop on the text (where the editable text already is one) tells
        // checkers such as axe that the scroll area around it is reachable from the keyboard,
        // and keeps a read-only editor scrollable by keyboard too.
        EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged && onChange) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });

  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    /** errors: [{line (1-based), column? (1-based), message, severity?: "error"|"warning"}] */
    markErrors(errors) {
      const doc = view.state.doc;
      const diagnostics = errors
        .filter((e) => e.line >= 1 && e.line <= doc.lines)
        .map((e) => {
          const line = doc.line(e.line);
          const from = e.column ? Math.min(line.from + e.column - 1, line.to) : line.from;
          return { from, to: line.to > from ? line.to : from, severity: e.severity || "error", message: e.message };
        });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    clearErrors() {
      view.dispatch(setDiagnostics(view.state, []));
    },
    focus: () => view.focus(),
    setReadOnly(flag) {
      view.dispatch({ effects: editable.reconfigure([EditorView.editable.of(!flag), EditorState.readOnly.of(flag)]) });
    },
  };
}
