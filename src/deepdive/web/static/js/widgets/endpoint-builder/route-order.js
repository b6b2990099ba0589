// Route order: the same routes declared in both orders, each version run for real, side by side.
import { codeEditor } from "../../kit/code-editor.js";
import { element } from "../../kit/dom.js";
import { errorMarkers } from "../../kit/response-view.js";
import { runController } from "../../kit/run-controller.js";
import { handlerName, learnerRoutes, routingOf } from "./run.js";

function routeList(result, requests) {
  const list = element("ol", { class: "eb-routes", "aria-label": "Routes, in the order the router tries them" });
  const chosen = new Map();
  requests.forEach((request, index) => {
    const seen = routingOf(result, index);
    if (seen && seen.route) chosen.set(seen.route.position, [...(chosen.get(seen.route.position) || []), request.path]);
  });
  const routes = learnerRoutes(result);
  const builtIn = routes.filter((route) => !route.learner).length;
  for (const route of routes.filter((r) => r.learner)) {
    const item = element("li", {}, element("code", { text: `${route.methods.join(", ")} ${route.path}` }), " → ", element("code", { text: handlerName(route) }));
    for (const path of chosen.get(route.position) || []) item.append(" ", element("span", { class: "eb-chosen", text: `answered ${path}` }));
    list.append(item);
  }
  const note = builtIn ? element("p", { class: "hint", text: `Tried after FastAPI's own ${builtIn} routes (/openapi.json, /docs, …), in this order:` }) : null;
  return [note, list];
}

function answer(request, response, seen) {
  const body = response.is_json ? JSON.stringify(response.json_body) : response.body;
  const statusClass = `status-${String(response.status)[0]}xx`;
  return element("div", { class: "eb-answer", "data-request": `${request.method} ${request.path}` },
    element("p", { class: `response-status ${statusClass}` },
      element("span", { text: `${request.method} ${request.path} → ` }),
      element("strong", { text: `${response.status} ${response.reason || ""}`.trim(), "data-status": String(response.status) })),
    element("p", { class: "eb-handler" }, element("span", { class: "eb-label", text: "Handled by " }), element("code", { text: seen ? handlerName(seen.route) : "?" })),
    element("pre", { class: "response-body" }, element("code", { text: body || "(empty body)" })));
}

function failure(result) {
  const line = result.error && result.error.line ? ` (line ${result.error.line})` : "";
  return element("div", { class: "notice notice-error", role: "alert" },
    element("strong", { text: result.error ? `${result.error.type}${line}: ` : "" }),
    document.createTextNode(result.error ? result.error.message : result.message));
}

/** One sentence comparing who answered the first request in each version (from the real runs). */
function verdict(outcomes, variants) {
  const clauses = [];
  let asked = "";
  for (const variant of variants) {
    const result = outcomes.get(variant.dataset.variant);
    const response = result.responses && result.responses[0];
    if (!response) return null;
    asked = `${response.method} ${response.path}`;
    const seen = routingOf(result, 0);
    const who = seen && seen.route ? seen.route.function || seen.route.name : "no route";
    clauses.push(`with ${variant.dataset.first} first, ${who} answered ${response.status}`);
  }
  return `${asked}: ${clauses.join("; ")}.`;
}

export function routeOrder(section, widgetId, instruments) {
  const variants = [...section.querySelectorAll("[data-variant]")];
  const requests = JSON.parse(section.querySelector("[data-order-requests]").textContent);
  const status = section.querySelector("[data-order-status]");
  const saveStatus = section.querySelector("[data-order-save-status]");
  const verdictBox = section.querySelector("[data-verdict]");
  const runs = runController({ panel: section, status, stop: section.querySelector("[data-stop]") });
  const editors = new Map(
    variants.map((v) => [
      v.dataset.variant,
      codeEditor(v.querySelector("[data-editor]"), { widgetId, part: v.dataset.variant, status: saveStatus, onRun: () => runBoth() }),
    ]),
  );
  let shown = variants[0].dataset.variant;
  // Each outcome column as the page drew it ("Not run yet."), to go back to on Reset.
  const emptyColumns = new Map(
    [...section.querySelectorAll("[data-outcome-of]")].map((column) => [column.dataset.outcomeOf, [...column.children].map((node) => node.cloneNode(true))]),
  );

  function show(part) {
    shown = part;
    for (const variant of variants) variant.hidden = variant.dataset.variant !== part;
    for (const column of section.querySelectorAll("[data-outcome-of]")) column.classList.toggle("is-shown", column.dataset.outcomeOf === part);
  }

  function draw(variant, result) {
    const part = variant.dataset.variant;
    const column = section.querySelector(`[data-outcome-of="${part}"]`);
    const nodes = [column.querySelector("h5")];
    if (result.outcome !== "ok" || !result.responses.length) {
      nodes.push(failure(result));
    } else {
      nodes.push(...routeList(result, requests).filter(Boolean));
      result.responses.forEach((response, index) => nodes.push(answer(requests[index], response, routingOf(result, index))));
    }
    column.replaceChildren(...nodes);
    column.dataset.outcome = result.outcome;
    editors.get(part).markErrors(errorMarkers(result));
  }

  async function runBoth() {
    verdictBox.hidden = true;
    for (const editor of editors.values()) editor.clearErrors();
    const payloads = variants.map((variant) => ({
      widget: `${widgetId}:${variant.dataset.variant}`,
      code: editors.get(variant.dataset.variant).getCode(),
      requests,
      instruments,
    }));
    const outcomes = await runs.run(payloads, { label: "both versions" });
    if (!outcomes) return;
    const results = outcomes.map((outcome) => outcome.result);
    variants.forEach((variant, i) => draw(variant, results[i]));
    const sentence = verdict(new Map(variants.map((variant, i) => [variant.dataset.variant, results[i]])), variants);
    verdictBox.textContent = sentence || "";
    verdictBox.hidden = !sentence;
    runs.say(results.every((r) => r.outcome === "ok") ? "Ran both versions." : "One version did not run: see its column.");
  }

  for (const radio of section.querySelectorAll("[data-order-choice]")) radio.addEventListener("change", () => show(radio.value));
  section.querySelector("[data-run-orders]").addEventListener("click", runBoth);
  section.querySelector("[data-reset-order]").addEventListener("click", () => {
    editors.get(shown).reset();
    // This version's answers and the comparison belonged to the code that Reset replaced.
    const column = section.querySelector(`[data-outcome-of="${shown}"]`);
    column.replaceChildren(...emptyColumns.get(shown).map((node) => node.cloneNode(true)));
    delete column.dataset.outcome;
    verdictBox.hidden = true;
    verdictBox.textContent = "";
    runs.reset("Back to the starter code of this version. Run both versions to compare again.");
  });
  show(shown);
  return { editors };
}
