// The JWT auth flow: every step of a login flow sent to the learner's app in one sandbox run,
// then stepped through: each response, each token taken apart, and what the app's own
// jwt.decode said about it. A field sends any token the learner types.
import { asRequest } from "../../kit/chain.js";
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { errorMarkers, renderOutput, renderResponse } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { challenge, pyjwtSaid, relative, sentText, tokenTimes, verdict } from "./flow.js";

const json = (node) => JSON.parse(node.textContent);

function tokenView(token, now, caption) {
  const box = element("div", { class: "token-view", "data-token": "" }, element("h5", { text: caption }));
  if (token.problem) {
    box.append(notice(token.problem, "warning"));
    box.append(element("p", { class: "hint", text: `Its first characters: ${token.preview || "(none)"}` }));
    return box;
  }
  const parts = element("div", { class: "token-parts" });
  parts.append(
    element("div", { class: "token-part token-header", "data-part": "header" }, element("strong", { text: "Header" }), element("pre", {}, element("code", { text: JSON.stringify(token.header, null, 2) }))),
    element("div", { class: "token-part token-payload", "data-part": "payload" }, element("strong", { text: "Payload" }), element("pre", {}, element("code", { text: JSON.stringify(token.payload, null, 2) }))),
    element("div", { class: "token-part token-signature", "data-part": "signature" }, element("strong", { text: "Signature" }), element("pre", {}, element("code", { text: token.signature || "(empty: the token is not signed)" }))),
  );
  box.append(parts);
  const times = element("ul", { class: "token-times", "data-token-times": "" });
  for (const line of tokenTimes(token, now)) times.append(element("li", {}, element("code", { text: line.claim }), document.createTextNode(` ${line.text}`)));
  if (times.childElementCount) box.append(times);
  box.append(element("p", { class: "hint", text: "Read without any key: header and payload are only base64url-encoded JSON." }));
  return box;
}

function describe(response, entry, { title, expect, explain }) {
  const nodes = [];
  if (title) nodes.push(element("h4", { class: "flow-title", text: title }));
  if (explain) nodes.push(explain);
  if (expect !== undefined) {
    const said = verdict(expect, response);
    nodes.push(element("p", { class: `flow-verdict ${said.ok ? "verdict-ok" : "verdict-off"}`, "data-verdict": said.ok ? "ok" : "off", text: `${said.ok ? "✓" : "✗"} ${said.text}` }));
  }
  if (!response || response.skipped) {
    if (response) nodes.push(notice(response.skipped, "warning"));
    return nodes;
  }
  const sent = element("p", { class: "flow-sent", "data-sent": "" }, element("strong", { text: `${response.method} ${response.path}` }), document.createTextNode(` · ${sentText(entry && entry.sent)}`));
  nodes.push(sent);
  if (entry && entry.clock.moved_s > 0) {
    nodes.push(element("p", { class: "flow-clock", "data-clock": "", text: `The sandbox's clock had been moved forward by ${relative(entry.clock.moved_s).replace(/^in /, "")} before this request.` }));
  }
  nodes.push(...renderResponse(response));
  const header = challenge(response);
  if (response.status === 401) {
    nodes.push(element("p", { class: "flow-challenge", "data-challenge": "", text: header ? `WWW-Authenticate: ${header}` : "No WWW-Authenticate header: a 401 should say how to authenticate (Bearer)." }));
  }
  if (entry) {
    const now = entry.clock.now;
    if (entry.sent && entry.sent.token && (entry.sent.token.payload || entry.sent.token.problem)) nodes.push(tokenView(entry.sent.token, now, "The token sent"));
    for (const token of entry.issued) nodes.push(tokenView(token, now, "The token the app issued"));
    const said = pyjwtSaid(entry.calls);
    if (said.length) {
      const list = element("ul", { class: "flow-pyjwt", "data-pyjwt": "" });
      for (const line of said) list.append(element("li", { class: line.ok ? "said-ok" : "said-refused", text: line.text }));
      nodes.push(element("h5", { text: "What PyJWT said inside your app" }), list);
    } else if (response.status === 401) {
      nodes.push(element("p", { class: "hint", text: "Your code never called jwt.decode: the request was refused before it ran." }));
    }
  }
  return nodes;
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const presets = json(panel.querySelector("[data-presets]"));
  const steps = json(panel.querySelector("[data-steps]"));
  const explanations = panel.querySelector("[data-explanations]").content;
  const list = panel.querySelector("[data-steps-list]");
  const detail = panel.querySelector("[data-step-detail]");
  const position = panel.querySelector("[data-step-position]");
  const previous = panel.querySelector("[data-step-prev]");
  const next = panel.querySelector("[data-step-next]");
  const output = panel.querySelector("[data-output]");
  const status = panel.querySelector("[data-run-status]");
  let flow = null; // {responses, entries, code} of the last run of the flow
  let current = 0;

  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => runFlow(),
    onChange: () => markStale(),
  });
  const stale = panel.querySelector("[data-stale]");
  function markStale() {
    stale.hidden = !flow || editor.getCode() === flow.code;
  }
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });

  const entriesOf = (result) => {
    const tokens = result.instrumentation && result.instrumentation.tokens;
    const byIndex = new Map();
    if (tokens && !tokens.error) for (const entry of tokens.requests) byIndex.set(entry.request, entry);
    return { byIndex, error: tokens && tokens.error };
  };

  function buttons() {
    return [...list.querySelectorAll("[data-step]")];
  }

  function select(index, focus = false) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    for (const button of buttons()) {
      if (Number(button.dataset.step) === current) button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
    }
    if (focus) buttons()[current].focus();
    previous.disabled = !flow || current === 0;
    next.disabled = !flow || current === steps.length - 1;
    if (!flow) return;
    position.textContent = `Step ${current + 1} of ${steps.length}`;
    const step = steps[current];
    const explain = explanations.querySelector(`[data-explain="${step.id}"]`).cloneNode(true);
    explain.className = "flow-explain";
    explain.removeAttribute("data-explain");
    const nodes = describe(flow.responses[current], flow.entries.get(current), { title: `${current + 1}. ${step.title}`, expect: step.expect, explain });
    detail.replaceChildren(...nodes);
    panel.dataset.step = String(current + 1);
  }

  async function runFlow() {
    const requests = steps.map((step) => asRequest(presets.find((preset) => preset.label === step.request)));
    const code = editor.getCode();
    editor.clearErrors();
    const outcome = await runs.run(
      { widget: widgetId, code, requests, instruments },
      { label: `${steps.length} steps`, onFailure: (text) => detail.replaceChildren(notice(text)) },
    );
    if (!outcome) return;
    const { result } = outcome;
    output.replaceChildren(...renderOutput(result));
    editor.markErrors(errorMarkers(result));
    const responses = result.responses || [];
    if (!responses.length) {
      flow = null;
      detail.replaceChildren(notice(result.message || "Your app did not start, so no step was sent. The Output below says why."));
      for (const badge of list.querySelectorAll("[data-badge]")) badge.textContent = "not sent";
      select(current);
      return;
    }
    const { byIndex, error } = entriesOf(result);
    flow = { responses, entries: byIndex, code };
    steps.forEach((step, i) => {
      const badge = buttons()[i].querySelector("[data-badge]");
      const response = responses[i];
      const said = verdict(step.expect, response);
      badge.textContent = response && !response.skipped ? String(response.status) : "not sent";
      badge.dataset.ok = String(said.ok);
      badge.title = said.text;
    });
    if (error) detail.before(notice(`The tokens could not be taken apart this time: ${error}`, "warning"));
    markStale();
    panel.dataset.flowRuns = String(Number(panel.dataset.flowRuns || 0) + 1);
    select(current);
  }

  previous.addEventListener("click", () => select(current - 1));
  next.addEventListener("click", () => select(current + 1));
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-step]");
    if (button) select(Number(button.dataset.step));
  });
  list.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowRight") select(current + 1, true);
    else if (event.key === "ArrowUp" || event.key === "ArrowLeft") select(current - 1, true);
    else return;
    event.preventDefault();
  });
  panel.querySelector("[data-run-flow]").addEventListener("click", () => runFlow());
  panel.querySelector("[data-reset]").addEventListener("click", () => editor.reset());

  // Your own token: one request carrying whatever the learner typed, in a run of its own.
  const form = panel.querySelector("[data-own-token]");
  const text = form.querySelector("[data-own-token-text]");
  const ownResult = form.querySelector("[data-own-result]");
  const samples = json(form.querySelector("[data-samples]"));
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-sample]");
    if (!button) return;
    const sample = samples[Number(button.dataset.sample)];
    text.value = sample.token.repeat(sample.repeat);
    sendOwn();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendOwn();
  });

  async function sendOwn() {
    const token = text.value.trim();
    const request = { method: form.dataset.method, path: form.dataset.path, headers: { Authorization: `Bearer ${token}` } };
    ownResult.hidden = false;
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: [request], instruments },
      { label: `${request.method} ${request.path} with your token`, onFailure: (message) => ownResult.replaceChildren(notice(message)) },
    );
    if (!outcome) return;
    const { result } = outcome;
    output.replaceChildren(...renderOutput(result));
    const response = (result.responses || [])[0];
    if (!response) {
      ownResult.replaceChildren(notice(result.message || "Your app did not start. The Output below says why."));
      return;
    }
    const { byIndex } = entriesOf(result);
    ownResult.replaceChildren(...describe(response, byIndex.get(0), { title: `Your token (${token.length.toLocaleString("en")} characters)` }));
  }

  select(0);
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="jwt-flow"]').forEach(mount);
