// The run panel: edit a FastAPI app, send it requests in the sandbox, see exactly what came back.
import { createEditor } from "../../../build/editor.js";
import { draftSaver } from "../../drafts.js";
import { element, errorMarkers, parseQuery, renderOutput, renderResponse } from "../../results.js";
import { startRun } from "../../runs.js";
import { offerSolution } from "../../solution.js";

function mount(panel) {
  const host = panel.querySelector("[data-editor]");
  const starter = panel.querySelector("template[data-starter]").content.textContent;
  const saveStatus = panel.querySelector("[data-save-status]");
  const runStatus = panel.querySelector("[data-run-status]");
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const revealButton = panel.querySelector("[data-reveal]");
  const frame = panel.querySelector("[data-docs-frame]");
  const docsNote = panel.querySelector("[data-docs-note]");
  const widgetId = panel.dataset.widgetId;
  let selected = presets[0] || { method: "GET", path: "/" };
  let running = null;
  let latestSpec = null;

  const drafts = draftSaver(widgetId, { onStatus: (text) => (saveStatus.textContent = text) });
  const initial = host.textContent;
  host.textContent = "";
  host.dataset.mounted = "true";
  const editor = createEditor(host, {
    doc: initial.replace(/\n$/, ""),
    label: host.dataset.label,
    onChange: (code) => drafts.save(code),
    onRun: () => send(selected),
  });

  const tabs = [...panel.querySelectorAll('[role="tab"]')];
  function showTab(name) {
    for (const tab of tabs) {
      const active = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(active));
      tab.tabIndex = active ? 0 : -1;
      panel.querySelector(`[data-panel="${tab.dataset.tab}"]`).hidden = !active;
    }
    if (name === "docs") showDocs();
  }
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => showTab(tab.dataset.tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(index + step + tabs.length) % tabs.length];
      next.focus();
      showTab(next.dataset.tab);
    });
  });

  function showDocs() {
    if (!frame.getAttribute("src")) {
      frame.setAttribute("src", "/docs-viewer");
      return; // the viewer asks for the document when it is ready
    }
    if (latestSpec) frame.contentWindow.postMessage({ type: "openapi", spec: latestSpec }, location.origin);
  }
  window.addEventListener("message", (event) => {
    if (event.origin === location.origin && event.source === frame.contentWindow && event.data.type === "docs-viewer-ready" && latestSpec) {
      frame.contentWindow.postMessage({ type: "openapi", spec: latestSpec }, location.origin);
    }
  });

  function show(name, nodes) {
    const target = panel.querySelector(`[data-panel="${name}"]`);
    target.replaceChildren(...nodes);
  }

  async function send(request) {
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    panel.dataset.state = "running";
    runStatus.textContent = `Running your app: ${request.method} ${request.path}…`;
    editor.clearErrors();
    const { label, ...sandboxRequest } = request;
    try {
      const { result, attempts } = await startRun(
        { widget: widgetId, code: editor.getCode(), requests: [sandboxRequest], instruments: ["openapi"] },
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.event === "queued") {
              runStatus.textContent = event.position > 0
                ? `Waiting for a free sandbox: ${event.position} run(s) ahead of yours…`
                : "Starting the sandbox…";
            } else if (event.event === "started") {
              runStatus.textContent = `Running your app: ${request.method} ${request.path}…`;
            }
          },
        },
      );
      panel.dataset.outcome = result.outcome;
      const took = result.usage ? ` in ${Math.round(result.usage.wall_ms)} ms` : "";
      runStatus.textContent = result.outcome === "ok" ? `Ran${took}.` : result.message;
      const response = (result.responses || [])[0];
      show("response", response ? renderResponse(response) : [element("div", { class: "notice notice-error", role: "alert", text: result.message })]);
      show("output", renderOutput(result));
      editor.markErrors(errorMarkers(result));
      if (result.isolation && result.isolation.warning) {
        runStatus.textContent += ` ${result.isolation.warning}`;
      }
      const openapi = result.instrumentation && result.instrumentation.openapi;
      docsNote.textContent = openapi && !openapi.available ? `No documentation this time: ${openapi.reason}.` : "";
      if (openapi && openapi.available) {
        latestSpec = openapi.schema;
        if (!panel.querySelector('[data-panel="docs"]').hidden) showDocs();
      }
      if (revealButton && attempts >= 1) revealButton.disabled = false;
      panel.dataset.attempts = String(attempts);
    } catch (error) {
      if (error.name === "AbortError") return;
      panel.dataset.outcome = "failed";
      runStatus.textContent = error.message;
      show("response", [element("div", { class: "notice notice-error", role: "alert", text: error.message })]);
    } finally {
      if (running === controller) {
        running = null;
        panel.dataset.state = "idle";
      }
    }
  }

  for (const button of panel.querySelectorAll("[data-preset]")) {
    button.addEventListener("click", () => {
      for (const other of panel.querySelectorAll("[data-preset]")) {
        other.classList.toggle("selected", other === button);
        other.setAttribute("aria-pressed", String(other === button));
      }
      selected = presets[Number(button.dataset.preset)];
      send(selected);
    });
  }

  const builder = panel.querySelector("[data-request-builder]");
  builder.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(builder);
    const request = { method: form.get("method"), path: form.get("path") || "/", query: parseQuery(form.get("query") || ""), headers: {} };
    if (!request.path.startsWith("/")) request.path = "/" + request.path;
    const body = (form.get("body") || "").trim();
    if (body) {
      try {
        request.json_body = JSON.parse(body);
      } catch (e) {
        request.body = body; // sent as it is: the app will answer what it does with broken JSON
        request.headers["content-type"] = "application/json";
      }
    }
    selected = request;
    send(request);
  });

  panel.querySelector("[data-reset]").addEventListener("click", () => {
    editor.setCode(starter.replace(/\n$/, ""));
    editor.clearErrors();
    editor.focus();
  });

  offerSolution(revealButton, widgetId, editor, { onMessage: (text) => (runStatus.textContent = text) });

  panel.editor = editor;
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="run-panel"]').forEach(mount);
