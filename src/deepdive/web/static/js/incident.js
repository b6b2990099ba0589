// An incident's page: the service's code in an editor, "Submit fix" posting it for grading by
// the hidden tests (the server answers with the verdict), and a reset to the broken service.
import { codeEditor } from "./kit/code-editor.js";

function mount(page) {
  const form = page.querySelector("form.incident-fix");
  const editor = codeEditor(page.querySelector('[data-editor="code"]'), {
    drafts: false,
    onRun: () => form.requestSubmit(),
  });
  page.querySelector("[data-reset]").addEventListener("click", () => editor.reset());
  form.addEventListener("htmx:configRequest", (event) => {
    event.detail.parameters.code = editor.getCode();
  });
  form.addEventListener("htmx:beforeRequest", () => form.classList.add("busy"));
  form.addEventListener("htmx:afterRequest", () => form.classList.remove("busy"));
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    // A fix that could not be graded (429, 503) still carries a message for the learner.
    if (event.detail.target?.id === "incident-verdict" && event.detail.xhr.status >= 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
}

document.querySelectorAll("article.incident").forEach(mount);
