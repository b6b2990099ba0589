// The parameter form: rows of fields <-> a spec for code.js, with problems shown beside the fields.
import { isNumeric, problems } from "./code.js";

const FIELDS = ["name", "location", "type", "presence", "default", "ge", "le", "max_length"];
const MAX_PARAMS = 6;

export function paramForm(form, rowTemplate, { uid, onChange }) {
  const rows = form.querySelector("[data-param-rows]");
  const route = form.querySelector("[data-route]");
  const addButton = form.querySelector("[data-add-param]");
  let made = 0;

  function showRelevantFields(row) {
    const value = (field) => row.querySelector(`[data-field="${field}"]`).value;
    const presence = row.querySelector('[data-field="presence"]');
    const inPath = value("location") === "path";
    // A path parameter is part of the URL, so it cannot be left out.
    presence.disabled = inPath;
    if (inPath) presence.value = "required";
    row.querySelector('[data-when="default"]').hidden = value("presence") !== "default";
    for (const part of row.querySelectorAll('[data-when="number"]')) part.hidden = !isNumeric(value("type"));
    row.querySelector('[data-when="text"]').hidden = value("type") !== "str";
  }

  function number() {
    [...rows.children].forEach((row, index) => {
      row.querySelector("[data-number]").textContent = String(index + 1);
      row.querySelector("[data-remove-param]").setAttribute("aria-label", `Remove parameter ${index + 1}`);
    });
    addButton.disabled = rows.children.length >= MAX_PARAMS;
  }

  function addRow(values = {}) {
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    made += 1;
    for (const field of FIELDS) {
      const input = row.querySelector(`[data-field="${field}"]`);
      input.id = `${uid}-param${made}-${field}`;
      row.querySelector(`[data-for="${field}"]`).setAttribute("for", input.id);
      const fallback = { location: "query", type: "str", presence: "required" }[field] ?? "";
      input.value = values[field] ?? fallback;
    }
    const problemsBox = row.querySelector("[data-problems]");
    problemsBox.id = `${uid}-param${made}-problems`;
    row.querySelector("[data-remove-param]").addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      number();
      (next ? next.querySelector("[data-remove-param]") : addButton).focus();
      onChange();
    });
    rows.append(row);
    showRelevantFields(row);
    number();
    return row;
  }

  function spec() {
    const params = [...rows.children].map((row) => {
      const param = {};
      for (const field of FIELDS) param[field] = row.querySelector(`[data-field="${field}"]`).value;
      return param;
    });
    return { route: route.value.trim(), params };
  }

  /** Marks the fields that have problems; returns true when there are none. */
  function check() {
    const found = problems(spec());
    const rowList = [...rows.children];
    for (const input of form.querySelectorAll("input, select")) input.removeAttribute("aria-invalid");
    rowList.forEach((row) => {
      const box = row.querySelector("[data-problems]");
      const mine = found.filter((p) => rowList[p.index] === row);
      box.hidden = !mine.length;
      box.textContent = mine.map((p) => p.message).join(" ");
      for (const problem of mine) {
        const input = row.querySelector(`[data-field="${problem.field}"]`);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", box.id);
      }
    });
    const routeProblem = found.find((p) => p.index === -1);
    if (routeProblem) route.setAttribute("aria-invalid", "true");
    return { ok: !found.length, routeProblem };
  }

  function load(defaults) {
    route.value = defaults.route || "/books";
    rows.replaceChildren();
    for (const param of defaults.params || []) addRow(param);
  }

  form.addEventListener("input", (event) => {
    const row = event.target.closest("[data-param]");
    if (row) showRelevantFields(row);
    onChange();
  });
  addButton.addEventListener("click", () => {
    const row = addRow({ name: `param${rows.children.length + 1}` });
    row.querySelector('[data-field="name"]').focus();
    onChange();
  });

  return { load, spec, check };
}
