// "Reveal solution": the server hands the solution out only after a first run, and the learner
// confirms before it replaces their code (Ctrl+Z in the editor brings theirs back).
import { csrfToken } from "./csrf.js";

/** Wire `button` (if any) to load the widget's solution into `editor`; `onMessage` gets refusals. */
export function offerSolution(button, widgetId, editor, { onMessage, what = "code" } = {}) {
  button?.addEventListener("click", async () => {
    const [slug, interactiveId] = widgetId.split("/");
    const response = await fetch(`/api/widgets/${slug}/${interactiveId}/solution`, { headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } });
    const data = await response.json();
    if (!response.ok) {
      if (onMessage) onMessage(data.message);
      return;
    }
    if (window.confirm(`Replace your ${what} with the solution? Ctrl+Z in the editor brings your version back.`)) {
      editor.setCode(data.code.replace(/\n$/, ""));
      editor.focus();
    }
  });
}
