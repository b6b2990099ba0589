// The checked tasks under a widget: "Check my code" posts the editor's current code (the server
// answers with the task, its verdict line by line, and the XP badge); hints come one at a time;
// a task's own solution is offered once the learner has checked their code.
import { csrfToken } from "../csrf.js";

/**
 * Wire the tasks of `panel`; `code()` gives the code to check, `editor` takes a solution.
 * A widget with more than one editor gives `fields()` (more form fields to send, e.g. its
 * tests) and `testsEditor`, which takes a task's solution tests.
 */
export function taskList(panel, { code, editor, fields = () => ({}), testsEditor = null }) {
  const shownHints = new Map();

  function showHints(form, count) {
    const hints = [...form.querySelectorAll("[data-hints] li")];
    hints.forEach((hint, index) => (hint.hidden = index >= count));
    const button = form.querySelector("[data-next-hint]");
    if (!button) return;
    if (count >= hints.length) {
      button.disabled = true;
      button.textContent = count ? "No more hints" : "No hints";
    } else {
      button.querySelector("[data-hint-count]").textContent = `(${count + 1} of ${hints.length})`;
    }
  }

  function wire(form) {
    showHints(form, shownHints.get(form.dataset.task) || 0);
    form.querySelector("[data-next-hint]")?.addEventListener("click", () => {
      const count = (shownHints.get(form.dataset.task) || 0) + 1;
      shownHints.set(form.dataset.task, count);
      showHints(form, count);
      form.querySelectorAll("[data-hints] li")[count - 1]?.focus?.();
    });
    form.querySelector("[data-task-solution]")?.addEventListener("click", () => reveal(form));
  }

  async function reveal(form) {
    const [slug, interactiveId] = panel.dataset.widgetId.split("/");
    const url = `/api/lessons/${slug}/tasks/${interactiveId}/${form.dataset.task}/solution`;
    const response = await fetch(url, { headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      window.alert(data.message || "The solution is not available.");
      return;
    }
    if (window.confirm("Replace your code with this task's solution? Ctrl+Z in the editor brings your version back.")) {
      editor.setCode(data.code.replace(/\n$/, ""));
      if (testsEditor && data.tests) testsEditor.setCode(data.tests.replace(/\n$/, ""));
      editor.focus();
    }
  }

  panel.addEventListener("htmx:configRequest", (event) => {
    if (event.target.matches("form.task")) Object.assign(event.detail.parameters, { code: code() }, fields());
  });
  panel.addEventListener("htmx:beforeSwap", (event) => {
    // A check that could not run (503) still has a message for the learner: show it.
    if (event.detail.xhr.status === 503 && event.target.matches("form.task")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:load", (event) => {
    if (event.target.matches && event.target.matches("form.task") && panel.contains(event.target)) wire(event.target);
  });
  panel.querySelectorAll("form.task").forEach(wire);
}
