// The `status_code` control: shows what the decorator of the chosen request's route declares,
// and edits the decorator when another code is chosen.
import { element } from "../../kit/dom.js";
import { findRoute, statusChange, statusOf } from "./decorator.js";

/** `selected()` is the chosen request ({main: {method, path}}); `onEdited()` after an edit. */
export function statusControl(panel, editor, { selected, onEdited }) {
  const select = panel.querySelector("[data-status-code]");
  const hint = panel.querySelector("[data-status-hint]");

  function route() {
    const chosen = selected();
    return chosen ? findRoute(editor.getCode(), chosen.main.method || "GET", chosen.main.path) : null;
  }

  function sync() {
    const chosen = selected();
    const found = route();
    select.querySelector("[data-custom]")?.remove();
    if (!found) {
      select.disabled = true;
      hint.textContent = chosen ? `No decorator in the code serves ${chosen.main.method || "GET"} ${chosen.main.path}.` : "";
      return;
    }
    select.disabled = false;
    const { code, text } = statusOf(found);
    let value = code === null ? "" : String(code);
    if (text !== null && !select.querySelector(`option[value="${value}"]`)) {
      value = "custom";
      select.append(element("option", { value, "data-custom": "", text: `${text} (as written)` }));
    }
    select.value = value;
    hint.textContent = `Edits @…${(chosen.main.method || "GET").toLowerCase()}("${found.template}") on line ${found.line}.`;
  }

  select.addEventListener("change", () => {
    const found = route();
    if (!found || select.value === "custom") return;
    const option = select.selectedOptions[0];
    const choice = select.value ? { code: Number(select.value), constant: option.dataset.constant } : null;
    const change = statusChange(editor.getCode(), found, choice);
    if (change) editor.applyChange(change);
    sync();
    onEdited();
  });

  return { sync };
}
