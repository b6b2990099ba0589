// The run panel: a CodeMirror editor holding the learner's app, saved as they type.
import { createEditor } from "../../build/editor.js";
import { draftSaver } from "../drafts.js";

function mount(panel) {
  const host = panel.querySelector("[data-editor]");
  const starter = panel.querySelector("template[data-starter]").content.textContent;
  const status = panel.querySelector("[data-save-status]");
  const drafts = draftSaver(panel.dataset.widgetId, {
    onStatus: (text) => {
      if (status) status.textContent = text;
    },
  });
  const initial = host.textContent;
  host.textContent = "";
  host.dataset.mounted = "true";
  const editor = createEditor(host, {
    doc: initial.replace(/\n$/, ""),
    label: host.dataset.label,
    onChange: (code) => drafts.save(code),
  });
  panel.querySelector("[data-reset]")?.addEventListener("click", () => {
    editor.setCode(starter.replace(/\n$/, ""));
    editor.clearErrors();
    editor.focus();
  });
  panel.editor = editor;
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="run-panel"]').forEach(mount);
