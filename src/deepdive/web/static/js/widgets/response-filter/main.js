// Response filtering: run one endpoint under different response models and compare, side by side,
// the value the endpoint returned (recorded in the sandbox) with the response that left the server,
// plus what the app's own OpenAPI document promises for that route.
import { createEditor } from "../../../build/editor.js";
import { csrfToken } from "../../csrf.js";
import { draftSaver } from "../../drafts.js";
import { element, errorMarkers, parseQuery, renderOutput } from "../../results.js";
import { startRun } from "../../runs.js";
import { findRoute, statusChange, statusOf } from "./decorator.js";
import { docsView } from "./docs-view.js";
import { jsonView } from "./json-view.js";
import { valueView } from "./value-view.js";

const INSTRUMENTS = ["returned_values", "openapi"];

function trimEnd(code) {
  return code.replace(/\n$/, "");
}

function notice(text, kind = "error") {
  return element("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "note", text });
}

// Each variant's requests: a preset label, or {send, after, label} to send others first in the same run.
function requestsOf(variant, presets) {
  const byLabel = new Map(presets.map((preset) => [preset.label, preset]));
  return (variant.requests || []).map((entry) => {
    const spec = typeof entry === "string" ? { send: entry } : entry;
    const strip = ({ label, ...request }) => request;
    return {
      label: spec.label || spec.send,
      main: strip(byLabel.get(spec.send)),
      setup: (spec.after || []).map((label) => strip(byLabel.get(label))),
    };
  });
}

function mount(panel) {
  const config = JSON.parse(panel.querySelector("[data-config]").textContent);
  const variants = config.groups.flatMap((group) => group.variants);
  const host = panel.querySelector("[data-editor]");
  const select = panel.querySelector("[data-variant]");
  const statusSelect = panel.querySelector("[data-status-code]");
  const statusHint = panel.querySelector("[data-status-hint]");
  const runStatus = panel.querySelector("[data-run-status]");
  const setupNote = panel.querySelector("[data-setup-note]");
  const saveStatus = panel.querySelector("[data-save-status]");
  const requestBar = panel.querySelector("[data-request-bar]");
  const revealButton = panel.querySelector("[data-reveal]");
  const outputBox = panel.querySelector("[data-output-box]");
  const widgetId = panel.dataset.widgetId;
  const pane = (name) => panel.querySelector(`[data-${name}]`);

  const sources = {};
  const codes = {};
  for (const variant of variants) {
    sources[variant.id] = trimEnd(panel.querySelector(`template[data-variant-source="${variant.id}"]`).content.textContent);
    const saved = panel.querySelector(`template[data-variant-draft="${variant.id}"]`);
    codes[variant.id] = saved ? trimEnd(saved.content.textContent) : sources[variant.id];
  }
  const lastDraft = panel.querySelector("template[data-current-draft]");
  let current = variants[0].id;
  if (lastDraft) {
    // The last code the learner ran or typed names the variant they were working on.
    const code = trimEnd(lastDraft.content.textContent);
    const match = variants.find((variant) => codes[variant.id] === code);
    if (match) current = match.id;
    else codes[current] = code;
  }

  // Each edit is saved twice: as the variant's own code, and as the widget's current code (which
  // tells the page, on the next visit, which variant was open). "Saved" means both arrived, for
  // the latest edit.
  const mainDraft = draftSaver(widgetId, { onStatus: noteSave });
  const partDrafts = {};
  const partDraft = (id) => (partDrafts[id] ||= draftSaver(widgetId, { part: id, onStatus: noteSave }));
  let saveProblem = null;
  let saveTimer = null;
  let edits = 0;
  let pendingSave = null;
  function noteSave(text) {
    if (text !== "Saved") saveProblem = text;
  }
  async function saveNow() {
    clearTimeout(saveTimer);
    if (!pendingSave) return;
    const { code, id, edit } = pendingSave;
    pendingSave = null;
    mainDraft.save(code);
    partDraft(id).save(code);
    await Promise.all([mainDraft.flush(), partDraft(id).flush()]);
    if (edit === edits) {
      saveStatus.textContent = saveProblem || "Saved";
      saveProblem = null;
    }
  }
  function saveDrafts(code) {
    edits += 1;
    pendingSave = { code, id: current, edit: edits };
    saveStatus.textContent = "Saving…";
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, 600);
  }
  window.addEventListener("pagehide", saveNow);

  let selected = null;
  let running = null;
  let statusTimer = null;
  let sendTimer = null;

  // Arrow keys on a focused <select> change it once per press: run only when the choice settles.
  function sendSoon() {
    clearTimeout(sendTimer);
    sendTimer = setTimeout(() => selected && send(selected), 350);
  }

  host.textContent = "";
  host.dataset.mounted = "true";
  const editor = createEditor(host, {
    doc: codes[current],
    label: host.dataset.label,
    onChange: (code) => {
      codes[current] = code;
      saveDrafts(code);
      clearTimeout(statusTimer);
      statusTimer = setTimeout(syncStatusControl, 250);
    },
    onRun: () => selected && send(selected),
  });

  // -- variants and their requests ------------------------------------------------------------

  function showVariant(id) {
    current = id;
    select.value = id;
    for (const note of panel.querySelectorAll("[data-note-for]")) note.hidden = note.dataset.noteFor !== id;
    const variant = variants.find((v) => v.id === id);
    const file = panel.querySelector(`template[data-variant-source="${id}"]`).dataset.file;
    if (revealButton) revealButton.hidden = file !== panel.dataset.starterFile;
    const requests = requestsOf(variant, config.presets);
    const buttons = requests.map((request, index) => {
      const button = element("button", { type: "button", class: "preset", "aria-pressed": String(index === 0), text: request.label });
      button.addEventListener("click", () => {
        choose(request, button);
        send(request);
      });
      return button;
    });
    requestBar.replaceChildren(...buttons);
    if (buttons.length) choose(requests[0], buttons[0]);
  }

  function choose(request, button) {
    selected = request;
    for (const other of requestBar.querySelectorAll(".preset")) {
      other.classList.toggle("selected", other === button);
      other.setAttribute("aria-pressed", String(other === button));
    }
    syncStatusControl();
  }

  select.addEventListener("change", () => {
    saveNow();
    const previous = current;
    current = select.value;
    if (codes[current] !== codes[previous]) editor.setCode(codes[current]);
    else saveDrafts(codes[current]);
    editor.clearErrors();
    showVariant(current);
    if (selected) sendSoon();
  });

  // -- the status_code control ----------------------------------------------------------------

  function targetRoute() {
    if (!selected) return null;
    return findRoute(editor.getCode(), selected.main.method || "GET", selected.main.path);
  }

  function syncStatusControl() {
    const route = targetRoute();
    statusSelect.querySelector("[data-custom]")?.remove();
    if (!route) {
      statusSelect.disabled = true;
      statusHint.textContent = selected ? `No decorator in the code serves ${selected.main.method || "GET"} ${selected.main.path}.` : "";
      return;
    }
    statusSelect.disabled = false;
    const { code, text } = statusOf(route);
    let value = code === null ? "" : String(code);
    if (text !== null && !statusSelect.querySelector(`option[value="${value}"]`)) {
      value = "custom";
      statusSelect.append(element("option", { value, "data-custom": "", text: `${text} (as written)` }));
    }
    statusSelect.value = value;
    statusHint.textContent = `Edits @…${(selected.main.method || "GET").toLowerCase()}("${route.template}") on line ${route.line}.`;
  }

  statusSelect.addEventListener("change", () => {
    const route = targetRoute();
    if (!route || statusSelect.value === "custom") return;
    const option = statusSelect.selectedOptions[0];
    const choice = statusSelect.value ? { code: Number(statusSelect.value), constant: option.dataset.constant } : null;
    const change = statusChange(editor.getCode(), route, choice);
    if (change) {
      if (editor.view) editor.view.dispatch({ changes: change });
      else {
        const code = editor.getCode();
        editor.setCode(code.slice(0, change.from) + change.insert + code.slice(change.to));
      }
    }
    syncStatusControl();
    sendSoon();
  });

  // -- running --------------------------------------------------------------------------------

  function describeSetup(result, count) {
    const sent = (result.responses || []).slice(0, count);
    setupNote.hidden = !sent.length;
    setupNote.textContent = sent.length
      ? `Sent first, in the same run: ${sent.map((r) => `${r.method} ${r.path} → ${r.status} ${r.reason}`).join("; ")}.`
      : "";
  }

  function returnedNodes(result, entry, response) {
    if (!entry) {
      return [notice(result.outcome === "ok" ? "Nothing was recorded for this request." : "Your app did not get as far as this request: see the message above.", result.outcome === "ok" ? "warning" : "error")];
    }
    const call = entry.calls[entry.calls.length - 1];
    if (!call) {
      const why = response && response.status === 422
        ? "FastAPI rejected the request (422) before calling your endpoint: there was nothing to return."
        : entry.route
          ? "Your endpoint was not called."
          : `No route matched ${response ? `${response.method} ${response.path}` : "this request"}, so no endpoint ran.`;
      return [element("p", { text: why })];
    }
    const where = call.line ? ` (line ${call.line})` : "";
    const head = element("p", {}, element("code", { text: `${call.endpoint}()` }), document.createTextNode(where));
    if (!call.returned) {
      const raised = call.raised || { type: "an exception", message: "" };
      head.append(document.createTextNode(` raised ${raised.type}: ${raised.message}`));
      return [head, element("p", { class: "hint", text: "Nothing was returned; FastAPI turned the exception into the response on the right." })];
    }
    head.append(document.createTextNode(" returned:"));
    const errors = call.response_errors || [];
    const sent = response && response.is_json ? response.json_body : undefined;
    const parts = [head, valueView(call.value, { sent: errors.length ? undefined : sent, errors })];
    parts.push(processingNote(call.processing));
    if (response && !response.body && (response.status < 200 || [204, 205, 304].includes(response.status))) {
      parts.push(element("p", { class: "hint", text: `A ${response.status} may not carry a body, so FastAPI sent none.` }));
    }
    if (errors.length) {
      const list = element("ul", { class: "rf-errors" });
      for (const error of errors) {
        list.append(element("li", {}, element("code", { text: error.loc.join(" → ") }), document.createTextNode(`: ${error.msg} (got ${error.input.repr || error.input.type})`)));
      }
      parts.push(element("div", { class: "notice notice-error", role: "alert" },
        element("strong", { text: "ResponseValidationError: " }),
        document.createTextNode("this value does not fit the response model, so the client gets a 500."), list));
    }
    return parts;
  }

  function processingNote(processing) {
    const note = element("p", { class: "rf-processing" }, element("strong", { text: "Then FastAPI: " }));
    if (!processing) {
      note.append("did not get to process it.");
    } else if (processing.kind === "response") {
      note.append(`sent the ${processing.response_class} as it is: no validation, no filtering.`);
    } else if (processing.kind === "encoder") {
      note.append("had no response model, so jsonable_encoder converted the value as it was: nothing was checked or left out.");
    } else {
      note.append("validated it as ", element("code", { text: processing.model }), " and serialised only that model's fields");
      const options = [...processing.flags.map((flag) => `response_model_${flag}`)];
      if (processing.include) options.push(`include=${processing.include}`);
      if (processing.exclude) options.push(`exclude=${processing.exclude}`);
      note.append(options.length ? `, with ${options.join(", ")}.` : ".");
    }
    return note;
  }

  function sentNodes(result, response) {
    if (!response) return { parts: [notice(result.message)], leaks: [] };
    const line = element("p", { class: `rf-status-line status-${String(response.status)[0]}xx` },
      element("strong", { "data-status": String(response.status), text: `HTTP/1.1 ${response.status} ${response.reason || ""}`.trim() }),
      element("span", { class: "hint", text: ` · ${response.method} ${response.path} · ${response.size_bytes} bytes` }));
    const headers = element("details", { class: "rf-headers" }, element("summary", { text: `Headers (${response.headers.length})` }));
    const table = element("table");
    for (const [name, value] of response.headers) table.append(element("tr", {}, element("th", { scope: "row", text: name }), element("td", { text: value })));
    headers.append(table);
    const parts = [line, headers];
    let leaks = [];
    if (response.is_json) {
      const view = jsonView(response.json_body);
      leaks = view.leaks;
      parts.push(view.pre);
    } else {
      parts.push(element("pre", { class: "rf-code" }, element("code", { text: response.body || "(empty body)" })));
    }
    if (leaks.length) {
      parts.splice(2, 0, element("p", { class: "rf-leak-summary", "data-leaks": String(leaks.length) },
        element("strong", { text: `${leaks.length} sensitive field${leaks.length > 1 ? "s" : ""} left the server: ` }),
        document.createTextNode(leaks.map((leak) => `${leak.path} (${leak.reason})`).join(", "))));
    }
    return { parts, leaks };
  }

  function docsNodes(result, entry, response) {
    const openapi = (result.instrumentation || {}).openapi;
    if (!openapi || !openapi.available) {
      return [element("p", { class: "hint", text: `No documentation this time: ${(openapi && openapi.reason) || "the app did not load"}.` })];
    }
    if (!entry || !entry.route) return [element("p", { class: "hint", text: "No route served this request, so there is no operation to show." })];
    return docsView(openapi.schema, { method: response ? response.method : "GET", path: entry.route.path, status: response && response.status });
  }

  function markEndpoint(result, entry) {
    const markers = errorMarkers(result);
    const call = entry && entry.calls[entry.calls.length - 1];
    if (call && call.response_errors && call.response_errors.length && call.file === "app.py" && call.line) {
      markers.push({ line: call.line, message: `ResponseValidationError: ${call.endpoint}() returned a value that does not fit the response model` });
    }
    editor.markErrors(markers);
  }

  async function send(request) {
    clearTimeout(sendTimer);
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    panel.dataset.state = "running";
    const { main, setup } = request;
    runStatus.textContent = `Running your app: ${main.method || "GET"} ${main.path}…`;
    editor.clearErrors();
    try {
      const { result, attempts } = await startRun(
        { widget: widgetId, code: editor.getCode(), requests: [...setup, main], instruments: INSTRUMENTS },
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.event === "queued" && event.position > 0) {
              runStatus.textContent = `Waiting for a free sandbox: ${event.position} run(s) ahead of yours…`;
            }
          },
        },
      );
      const responses = result.responses || [];
      const response = responses.length > setup.length ? responses[responses.length - 1] : null;
      const returns = (result.instrumentation || {}).returned_values || {};
      const entry = (returns.requests || []).find((e) => e.request === setup.length) || null;
      describeSetup(result, setup.length);
      pane("returned").replaceChildren(...returnedNodes(result, response ? entry : null, response));
      const sent = sentNodes(result, response);
      pane("sent").replaceChildren(...sent.parts);
      pane("docs").replaceChildren(...docsNodes(result, response ? entry : null, response));
      pane("output").replaceChildren(...renderOutput(result));
      outputBox.open = result.outcome !== "ok" && !response;
      markEndpoint(result, entry);
      panel.dataset.outcome = result.outcome;
      panel.dataset.runs = String(Number(panel.dataset.runs || 0) + 1);
      const took = result.usage ? ` in ${Math.round(result.usage.wall_ms)} ms` : "";
      let status = result.outcome === "ok" ? `Ran${took}: ${response ? `${response.status} ${response.reason}` : "no response"}.` : result.message;
      if (result.outcome !== "ok" && response) status = `${response.status} ${response.reason}. ${result.message}`;
      if (sent.leaks.length) status += ` ${sent.leaks.length} sensitive field(s) left the server.`;
      if (result.isolation && result.isolation.warning) status += ` ${result.isolation.warning}`;
      runStatus.textContent = status;
      if (revealButton && attempts >= 1) revealButton.disabled = false;
      panel.dataset.attempts = String(attempts);
    } catch (error) {
      if (error.name === "AbortError") return;
      panel.dataset.outcome = "failed";
      runStatus.textContent = error.message;
      pane("sent").replaceChildren(notice(error.message));
    } finally {
      if (running === controller) {
        running = null;
        panel.dataset.state = "idle";
      }
    }
  }

  // -- request builder, reset, solution -------------------------------------------------------

  const builder = panel.querySelector("[data-request-builder]");
  builder.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(builder);
    let [path, query = ""] = String(form.get("path") || "/").split("?");
    if (!path.startsWith("/")) path = "/" + path;
    const main = { method: form.get("method"), path, query: parseQuery(query), headers: {} };
    const body = String(form.get("body") || "").trim();
    if (body) {
      try {
        main.json_body = JSON.parse(body);
      } catch (e) {
        main.body = body; // sent as it is: the app answers what it does with broken JSON
        main.headers["content-type"] = "application/json";
      }
    }
    choose({ label: `${main.method} ${path}`, main, setup: [] }, null);
    send(selected);
  });

  panel.querySelector("[data-reset]").addEventListener("click", () => {
    editor.setCode(sources[current]);
    editor.clearErrors();
    editor.focus();
  });

  revealButton?.addEventListener("click", async () => {
    const [slug, interactiveId] = widgetId.split("/");
    const response = await fetch(`/api/widgets/${slug}/${interactiveId}/solution`, { headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } });
    const data = await response.json();
    if (!response.ok) {
      runStatus.textContent = data.message;
      return;
    }
    if (window.confirm("Replace this variant's code with the solution? Ctrl+Z in the editor brings your version back.")) {
      editor.setCode(trimEnd(data.code));
      editor.focus();
    }
  });

  showVariant(current);
  panel.dataset.state = "idle";
  panel.editor = editor;
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="response-filter"]').forEach(mount);
