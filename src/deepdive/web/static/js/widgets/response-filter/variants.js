// The variants of the response filter: each one's starting code (its file, or the learner's saved
// draft of it), which one was open last, and its requests (preset labels, or setup requests).
import { asRequest } from "../../kit/chain.js";
import { draftSaver } from "../../drafts.js";

const trimEnd = (code) => code.replace(/\n$/, "");

/** {sources, codes, current}: each variant's file and current code, and the variant to open. */
export function variantCodes(panel, variants) {
  const sources = {};
  const codes = {};
  for (const variant of variants) {
    sources[variant.id] = trimEnd(panel.querySelector(`template[data-variant-source="${variant.id}"]`).content.textContent);
    const saved = panel.querySelector(`template[data-variant-draft="${variant.id}"]`);
    codes[variant.id] = saved ? trimEnd(saved.content.textContent) : sources[variant.id];
  }
  let current = variants[0].id;
  const lastDraft = panel.querySelector("template[data-current-draft]");
  if (lastDraft) {
    // The last code the learner ran or typed names the variant they were working on.
    const code = trimEnd(lastDraft.content.textContent);
    const match = variants.find((variant) => codes[variant.id] === code);
    if (match) current = match.id;
    else codes[current] = code;
  }
  return { sources, codes, current };
}

/**
 * Each edit is saved twice: as the variant's own code, and as the widget's current code (which
 * tells the page, on the next visit, which variant was open). "Saved" means both arrived, for
 * the latest edit. Returns {edited(code, variantId), now()}.
 */
export function variantDrafts(widgetId, saveStatus) {
  let problem = null;
  let timer = null;
  let edits = 0;
  let pending = null;
  const note = (text) => {
    if (text !== "Saved") problem = text;
  };
  const main = draftSaver(widgetId, { onStatus: note });
  const parts = {};
  const part = (id) => (parts[id] ||= draftSaver(widgetId, { part: id, onStatus: note }));

  async function now() {
    clearTimeout(timer);
    if (!pending) return;
    const { code, id, edit } = pending;
    pending = null;
    main.save(code);
    part(id).save(code);
    await Promise.all([main.flush(), part(id).flush()]);
    if (edit === edits) {
      saveStatus.textContent = problem || "Saved";
      problem = null;
    }
  }
  window.addEventListener("pagehide", now);
  return {
    edited(code, id) {
      edits += 1;
      pending = { code, id, edit: edits };
      saveStatus.textContent = "Saving…";
      clearTimeout(timer);
      timer = setTimeout(now, 600);
    },
    now,
  };
}

/** A variant's request buttons: a preset label, or {send, after, label} to send others first. */
export function requestsOf(variant, presets) {
  const byLabel = new Map(presets.map((preset) => [preset.label, preset]));
  return (variant.requests || []).map((entry) => {
    const spec = typeof entry === "string" ? { send: entry } : entry;
    return {
      label: spec.label || spec.send,
      main: asRequest(byLabel.get(spec.send)),
      setup: (spec.after || []).map((label) => asRequest(byLabel.get(label))),
    };
  });
}
