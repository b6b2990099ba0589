// The config generator: the learner's app runs in the sandbox with the presets (its health
// check); the form's choices become a Dockerfile, compose.yaml, .dockerignore and
// gunicorn.conf.py on the server, linted by hadolint; Download gives them with the app as a zip.
import { asRequest, chainFor } from "../../kit/chain.js";
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { presetBar } from "../../kit/preset-bar.js";
import { errorMarkers, renderResponse } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { tabs } from "../../kit/tabs.js";
import { taskList } from "../../kit/task-list.js";
import { choiceQuery, fileOrder, lintSentence } from "./form.js";

function formValues(form) {
  const values = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    if (field.type === "checkbox") values[field.name] = field.checked;
    else if (field.type === "radio") {
      if (field.checked) values[field.name] = field.value;
    } else values[field.name] = field.value;
  }
  return values;
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const uid = panel.dataset.uid;
  const presets = JSON.parse(panel.querySelector("[data-presets]").textContent);
  const form = panel.querySelector("[data-deploy-form]");
  const problem = panel.querySelector("[data-problem]");
  const lintLine = panel.querySelector("[data-lint]");
  const advice = panel.querySelector("[data-advice]");
  const tabList = panel.querySelector("[data-file-tabs]");
  const filesBox = panel.querySelector("[data-files]");
  const download = panel.querySelector("[data-download]");
  const workers = panel.querySelector("[data-workers]");
  let suggested = null;
  let generation = 0;

  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => send(chainFor(presets, 0).order.map((i) => presets[i])),
  });
  const status = panel.querySelector("[data-run-status]");
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });
  const responseBox = panel.querySelector("[data-response]");

  async function send(requests) {
    editor.clearErrors();
    const last = requests[requests.length - 1];
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: requests.map(asRequest), instruments: [] },
      { label: `${last.method || "GET"} ${last.path}`, onFailure: (text) => responseBox.replaceChildren(notice(text)) },
    );
    if (!outcome) return;
    const response = (outcome.result.responses || [])[requests.length - 1];
    responseBox.replaceChildren(...(response ? renderResponse(response) : [notice(outcome.result.message)]));
    editor.markErrors(errorMarkers(outcome.result));
  }

  function showFiles(files) {
    const names = fileOrder(Object.keys(files));
    const chosen = tabList.querySelector('[aria-selected="true"]')?.dataset.tab || names[0];
    tabList.replaceChildren(
      ...names.map((name) =>
        element("button", { type: "button", role: "tab", id: `tab-${uid}-${name}`, "aria-controls": `panel-${uid}-${name}`, "aria-selected": "false", "data-tab": name, tabindex: "-1", text: name }),
      ),
    );
    filesBox.replaceChildren(
      ...names.map((name) =>
        element(
          "div",
          { class: "result-panel", role: "tabpanel", id: `panel-${uid}-${name}`, "aria-labelledby": `tab-${uid}-${name}`, "data-panel": name, "data-file": name, hidden: "" },
          element("pre", { class: "deploy-file", tabindex: "0", text: files[name] }),
        ),
      ),
    );
    const view = tabs(tabList);
    view.show(names.includes(chosen) ? chosen : names[0]);
  }

  function showLint(lint) {
    lintLine.textContent = lintSentence(lint);
    panel.dataset.lint = lint.clean ? "clean" : lint.available ? "findings" : "unavailable";
    if (lint.findings.length) {
      lintLine.append(element("ul", {}, ...lint.findings.map((f) => element("li", { text: `line ${f.line}: ${f.code} (${f.level}) ${f.message}` }))));
    }
  }

  async function generate() {
    const mine = ++generation;
    const query = choiceQuery(formValues(form));
    let response;
    let data;
    try {
      response = await fetch(`/api/deploy/files?${query}`, { headers: { Accept: "application/json" } });
      data = await response.json();
    } catch (e) {
      if (mine === generation) problem.replaceChildren(notice("The files could not be generated: the server cannot be reached."));
      return;
    }
    if (mine !== generation) return;
    if (!response.ok || data.problem) {
      problem.replaceChildren(notice((data.problem || data).message || "These choices cannot be generated."));
      panel.dataset.generated = "refused";
      download.setAttribute("aria-disabled", "true");
      download.removeAttribute("href");
      return;
    }
    problem.replaceChildren();
    suggested = data.suggested_workers;
    advice.textContent = `Suggested: ${data.suggested_workers} workers. ${data.advice}`;
    showFiles(data.files);
    showLint(data.lint);
    download.removeAttribute("aria-disabled");
    download.setAttribute("href", `/api/deploy/bundle?widget=${encodeURIComponent(widgetId)}&${query}`);
    panel.dataset.generated = "ok";
  }

  form.addEventListener("input", generate);
  form.addEventListener("change", generate);
  form.addEventListener("submit", (event) => event.preventDefault());
  panel.querySelector("[data-suggest]").addEventListener("click", () => {
    if (suggested === null) return;
    workers.value = String(suggested);
    generate();
  });
  // The zip takes the saved draft: save what the editor holds before the browser asks for it.
  download.addEventListener("click", (event) => {
    if (!download.getAttribute("href")) {
      event.preventDefault();
      return;
    }
    if (editor.flush) {
      event.preventDefault();
      Promise.resolve(editor.flush()).finally(() => {
        const link = element("a", { href: download.getAttribute("href"), download: "" });
        document.body.append(link);
        link.click();
        link.remove();
      });
    }
  });

  presetBar(panel.querySelector("[data-preset-bar]"), presets, {
    note: panel.querySelector("[data-chain-note]"),
    onChoose: (preset, index) => send(chainFor(presets, index).order.map((i) => presets[i])),
  });
  panel.querySelector("[data-reset]").addEventListener("click", () => editor.reset());
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  generate();
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="config-generator"]').forEach(mount);
