// The upload form: the learner picks or drops a real file (or a sample), fills in the form's
// fields, and sends them as a real multipart body to their endpoint in the sandbox. Beside the
// response, the `uploads` instrument says what the endpoint received: the name and content type
// as sent, the type the bytes point to, the size, the fields, whether Starlette's spooled file
// had gone to disk, and the endpoint's peak memory.
import { codeEditor } from "../../kit/code-editor.js";
import { element, notice } from "../../kit/dom.js";
import { renderResponse } from "../../kit/response-view.js";
import { revealSolution } from "../../kit/reveal-solution.js";
import { runController } from "../../kit/run-controller.js";
import { taskList } from "../../kit/task-list.js";
import { formatSize, refusal, sampleBytes, toBase64 } from "./samples.js";

function row(name, value, key) {
  return element("tr", {}, element("th", { scope: "row", text: name }), element("td", { text: value, "data-received-item": key }));
}

function receivedTable(entry) {
  if (!entry) return [notice("The app did not record an upload for this request.", "info")];
  const parts = [];
  if (!entry.endpoint_ran) parts.push(notice("Your endpoint never ran: FastAPI refused the request first (see the response).", "info"));
  for (const file of entry.files) {
    const sniffNote = file.content_type && file.sniffed !== "empty" && file.sniffed !== file.content_type ? " (differs from what was sent)" : "";
    const disk = file.rolled_to_disk === null ? "unknown" : file.rolled_to_disk ? "yes: the spooled file had rolled over to disk" : "no: still in memory";
    const table = element("table", { class: "received" },
      row("Field", file.field || "?", "field"),
      row("File name", file.filename ?? "(none)", "filename"),
      row("Content type, as sent", file.content_type || "(none)", "content_type"),
      row("Content type, from the bytes", file.sniffed + sniffNote, "sniffed"),
      row("Size", file.size === null ? "unknown" : formatSize(file.size), "size"),
      row("Spooled to disk", disk + (file.spool_max_size ? ` (threshold ${formatSize(file.spool_max_size)})` : ""), "rolled"));
    parts.push(table);
  }
  const fields = Object.entries(entry.fields);
  if (fields.length) parts.push(element("table", { class: "received" }, ...fields.map(([name, value]) => row(`Form field ${name}`, value, `field-${name}`))));
  if (entry.peak_endpoint_kib !== null) parts.push(element("p", { class: "hint", "data-peak": "", text: `Peak Python memory while your endpoint ran: ${formatSize(Math.round(entry.peak_endpoint_kib * 1024))}.` }));
  return parts;
}

function mount(panel) {
  const widgetId = panel.dataset.widgetId;
  const maxKib = Number(panel.dataset.maxUploadKib);
  const instruments = panel.dataset.instruments.split(" ").filter(Boolean);
  const samples = JSON.parse(panel.querySelector("[data-samples]").textContent);
  const endpoint = JSON.parse(panel.querySelector("[data-endpoint]").textContent);
  const form = panel.querySelector("[data-upload-form]");
  const input = panel.querySelector("[data-file-input]");
  const note = panel.querySelector("[data-file-note]");
  const zone = panel.querySelector("[data-drop-zone]");
  const received = panel.querySelector("[data-received]");
  const responseBox = panel.querySelector("[data-response]");
  const status = panel.querySelector("[data-run-status]");
  const editor = codeEditor(panel.querySelector('[data-editor="code"]'), {
    widgetId,
    status: panel.querySelector("[data-save-status]"),
    onRun: () => send(),
  });
  const reveal = revealSolution(panel.querySelector("[data-reveal]"), widgetId, editor, { onMessage: (text) => (status.textContent = text) });
  const runs = runController({ panel, status, stop: panel.querySelector("[data-stop]"), reveal });
  // The file to send: {name, type, bytes()}; a picked file is read only when it is sent.
  let chosen = null;

  function choose(file) {
    chosen = file;
    note.textContent = file ? `${file.name.length > 80 ? file.name.slice(0, 80) + "…" : file.name} · ${file.type || "no content type"} · ${formatSize(file.size)}` : "No file chosen.";
  }

  function fromFile(file) {
    return { name: file.name, type: file.type || "application/octet-stream", size: file.size, bytes: async () => new Uint8Array(await file.arrayBuffer()) };
  }

  async function send() {
    if (!chosen) {
      status.textContent = "Choose a file first: pick one, drop one, or press a sample.";
      return;
    }
    const refused = refusal(chosen.name, chosen.size, maxKib);
    if (refused) {
      panel.dataset.outcome = "refused";
      status.textContent = refused;
      responseBox.replaceChildren(notice(refused));
      return;
    }
    const formValues = Object.fromEntries([...form.querySelectorAll("[data-form-field]")].map((field) => [field.name, field.value]));
    const upload = { field: endpoint.file_field, filename: chosen.name || "file", content_type: chosen.type, content_base64: toBase64(await chosen.bytes()) };
    const request = { method: endpoint.method, path: endpoint.path, form: formValues, files: [upload] };
    editor.clearErrors();
    const outcome = await runs.run(
      { widget: widgetId, code: editor.getCode(), requests: [request], instruments },
      { label: `${endpoint.method} ${endpoint.path}`, onFailure: (text) => responseBox.replaceChildren(notice(text)) },
    );
    if (!outcome) return;
    const { result } = outcome;
    const response = (result.responses || [])[0];
    responseBox.replaceChildren(...(response ? renderResponse(response) : [notice(result.message)]));
    const uploads = result.instrumentation && result.instrumentation.uploads;
    if (uploads && uploads.error) received.replaceChildren(notice(uploads.error, "warning"));
    else if (uploads) received.replaceChildren(...receivedTable(uploads.requests[0]));
    else received.replaceChildren(notice(result.message));
    if (result.error && result.error.line) editor.markErrors([{ line: result.error.line, column: result.error.column, message: `${result.error.type}: ${result.error.message}` }]);
  }

  input.addEventListener("change", () => choose(input.files[0] ? fromFile(input.files[0]) : null));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer.files[0];
    if (file) choose(fromFile(file));
  });
  panel.querySelectorAll("[data-sample]").forEach((button) => {
    button.addEventListener("click", () => {
      const sample = samples[Number(button.dataset.sample)];
      const bytes = sampleBytes(sample);
      choose({ name: sample.filename, type: sample.content_type, size: bytes.length, bytes: async () => bytes });
      send();
    });
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  panel.querySelector("[data-reset]").addEventListener("click", () => editor.reset());
  panel.editor = editor;
  taskList(panel, { code: () => editor.getCode(), editor });
  panel.dataset.ready = "true";
}

document.querySelectorAll('[data-widget="upload-form"]').forEach(mount);
