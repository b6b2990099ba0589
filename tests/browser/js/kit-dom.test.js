// The kit's DOM pieces, driven on an empty page: preset bar, tabs, notice, failure sentences.
import { element, notice } from "/static/js/kit/dom.js";
import { presetBar } from "/static/js/kit/preset-bar.js";
import { failureText } from "/static/js/kit/run-controller.js";
import { tabs } from "/static/js/kit/tabs.js";

const root = () => document.getElementById("sandbox");

function bar(presets) {
  const container = element("div");
  const note = element("p", { hidden: "" });
  root().append(container, note);
  const chosen = [];
  const handle = presetBar(container, presets, { note, onChoose: (preset, index) => chosen.push(index) });
  handle.replace(presets);
  return { container, note, chosen, handle };
}

function tabSet() {
  const list = element("div", { role: "tablist" });
  for (const name of ["a", "b", "c"]) {
    list.append(element("button", { role: "tab", "data-tab": name, "aria-controls": `panel-${name}` }));
    root().append(element("div", { id: `panel-${name}` }));
  }
  root().prepend(list);
  return { list, control: tabs(list) };
}

const login = { label: "Log in", method: "POST", path: "/token", capture: { token: "json.access_token" } };
const me = { label: "Me", method: "GET", path: "/me", headers: { Authorization: "Bearer {{token}}" } };

export default [
  { name: "a notice for an error is announced", run: () => notice("Boom", "error").getAttribute("role"), expected: "alert" },
  { name: "a warning is not", run: () => notice("Hm", "warning").getAttribute("role"), expected: "note" },
  { name: "a notice's title comes first", run: () => notice("went wrong", "error", { title: "Run:" }).textContent, expected: "Run: went wrong" },
  { name: "the bar renders one button per preset", run: () => [...bar([login, me]).container.querySelectorAll("button")].map((b) => b.textContent), expected: ["Log in", "Me"] },
  { name: "the first preset starts pressed", run: () => bar([login, me]).container.querySelector('[aria-pressed="true"]').textContent, expected: "Log in" },
  {
    name: "a click presses its button and tells the widget",
    run: () => {
      const { container, chosen } = bar([login, me]);
      container.querySelectorAll("button")[1].click();
      return { pressed: container.querySelector('[aria-pressed="true"]').textContent, chosen };
    },
    expected: { pressed: "Me", chosen: [1] },
  },
  {
    name: "a chained preset says what is sent first",
    run: () => {
      const { container, note } = bar([login, me]);
      container.querySelectorAll("button")[1].click();
      return { text: note.textContent, hidden: note.hidden };
    },
    expected: { text: "Sends “Log in” first, for {{token}}.", hidden: false },
  },
  { name: "select(-1) presses nothing", run: () => { const { container, handle } = bar([login, me]); handle.select(-1); return container.querySelectorAll('[aria-pressed="true"]').length; }, expected: 0 },
  {
    name: "showing a tab hides the other panels",
    run: () => {
      const { control } = tabSet();
      control.show("b");
      return ["a", "b", "c"].map((name) => document.getElementById(`panel-${name}`).hidden);
    },
    expected: [true, false, true],
  },
  {
    name: "arrow keys move between tabs and wrap around",
    run: () => {
      const { list, control } = tabSet();
      control.show("a");
      const [first] = list.querySelectorAll('[role="tab"]');
      first.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
      return [...list.querySelectorAll('[role="tab"]')].map((tab) => tab.getAttribute("aria-selected"));
    },
    expected: ["false", "false", "true"],
  },
  { name: "only the shown tab is in the tab order", run: () => { const { list, control } = tabSet(); control.show("c"); return [...list.children].map((t) => t.tabIndex); }, expected: [-1, -1, 0] },
  { name: "too many runs says when to try again", run: () => failureText({ status: 429, retryAfter: 12, message: "You can run code 60 times a minute. Try again in 11 seconds." }), expected: "You can run code 60 times a minute. Try again in 12 s." },
  { name: "any other refusal is said as it is", run: () => failureText({ status: 503, message: "Code cannot run right now." }), expected: "Code cannot run right now." },
];
