// A bar of preset requests: one button each, the chosen one pressed. A preset that uses values
// from earlier presets (`{{token}}`) says which ones are sent first.
import { describeChain } from "./chain.js";
import { element } from "./dom.js";

/**
 * `container` holds the buttons (`[data-preset="<index>"]`, rendered by the server) or gets them
 * from `presets`. `onChoose(preset, index)` runs on a click; `note` (optional) is an element
 * that tells the chain of the chosen preset. Returns {selected(), select(index), replace(list)}.
 */
export function presetBar(container, presets, { onChoose, note = null, pressed = true } = {}) {
  let list = presets;
  let chosen = list.length ? 0 : -1;

  function buttons() {
    return [...container.querySelectorAll("[data-preset]")];
  }

  function mark() {
    for (const button of buttons()) {
      const on = Number(button.dataset.preset) === chosen;
      if (pressed) {
        button.classList.toggle("selected", on);
        button.setAttribute("aria-pressed", String(on));
      }
    }
    if (note) {
      const text = chosen >= 0 ? describeChain(list, chosen) : "";
      note.textContent = text;
      note.hidden = !text;
    }
  }

  function render() {
    container.replaceChildren(
      ...list.map((preset, index) => element("button", { type: "button", class: "preset", "data-preset": String(index), text: preset.label })),
    );
  }

  container.addEventListener("click", (event) => {
    const button = event.target.closest("[data-preset]");
    if (!button || !container.contains(button)) return;
    chosen = Number(button.dataset.preset);
    mark();
    if (onChoose) onChoose(list[chosen], chosen);
  });
  for (const button of buttons()) {
    const text = describeChain(list, Number(button.dataset.preset));
    if (text) button.title = text;
  }
  mark();

  return {
    selected: () => (chosen >= 0 ? list[chosen] : null),
    index: () => chosen,
    select(index) {
      chosen = index;
      mark();
    },
    replace(next) {
      list = next;
      chosen = list.length ? 0 : -1;
      render();
      mark();
    },
  };
}
