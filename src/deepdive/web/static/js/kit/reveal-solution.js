// "Reveal solution": the server hands the solution out only after a first run, and the learner
// confirms before it replaces their code (Ctrl+Z in the editor brings theirs back).
import { csrfToken } from "../csrf.js";

/**
 * Wire `button` (if any) to load the widget's solution into `editor`. `onMessage` hears refusals;
 * `what` names what is replaced ("code", "model"). Returns {unlock(attempts)}: the button is
 * enabled once the learner has run their code.
 */
export function revealSolution(button, widgetId, editor, { onMessage, what = "code" } = {}) {
  button?.addEventListener("click", async () => {
    const [slug, interactiveId] = widgetId.split("/");
    let response;
    let data = {};
    try {
      response = await fetch(`/api/widgets/${slug}/${interactiveId}/solution`, { headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } });
      data = await response.json();
    } catch (e) {
      if (onMessage) onMessage("The solution could not be fetched: the server cannot be reached.");
      return;
    }
    if (!response.ok) {
      if (onMessage) onMessage(data.message || "The solution is not available.");
      return;
    }
    if (window.confirm(`Replace your ${what} with the solution? Ctrl+Z in the editor brings your version back.`)) {
      editor.setCode(data.code.replace(/\n$/, ""));
      editor.focus();
    }
  });
  return {
    unlock(attempts) {
      if (button && attempts >= 1) {
        button.disabled = false;
        button.removeAttribute("title");
      }
    },
  };
}
