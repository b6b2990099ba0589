// Behaviour shared by every page: CSRF header for htmx, theme toggle, copy buttons, and the course
// page's deferred interactives.
import { csrfToken } from "./csrf.js";

document.body.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = csrfToken();
});

// htmx swaps error responses too (a 422 with a readable message, a body too large, a database that
// is down), instead of silently ignoring them.
const SHOWN_ERRORS = new Set([400, 403, 404, 413, 422, 429, 503]);
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (SHOWN_ERRORS.has(status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Interactives far down the course page are laid out after the first paint, a few of their parts per
// frame (so that no frame takes long), so that the first paint does not wait for the style and
// layout of all of them. A link into the page (or past a deferred interactive) shows what precedes
// its target at once; so do printing, a page opened in a background tab, and a reload or a step
// back in history (the browser restores the scroll position against the whole page).
const deferred = [...document.querySelectorAll("[data-deferred]")];
const PART_WEIGHT = 60; // about this many elements are laid out per frame (an editor counts as 30)
const partsLeft = new Map(); // shown interactive -> groups of its children still hidden
const pendingDeferred = () => deferred.filter((node) => node.hasAttribute("data-deferred") || partsLeft.has(node));

function showDeferred(nodes) {
  for (const node of nodes) {
    node.removeAttribute("data-deferred");
    for (const part of node.querySelectorAll("[data-deferred-part]")) part.removeAttribute("data-deferred-part");
    partsLeft.delete(node);
  }
}

function partsOf(node) {
  const groups = [];
  let group = [];
  let weight = 0;
  for (const child of (node.querySelector(".interactive") || node).children) {
    const own = 1 + child.getElementsByTagName("*").length + (child.classList.contains("editor") ? 30 : 0);
    if (group.length && weight + own > PART_WEIGHT) {
      groups.push(group);
      group = [];
      weight = 0;
    }
    group.push(child);
    weight += own;
  }
  if (group.length) groups.push(group);
  return groups;
}

/** Shows the next few parts of the first interactive still hidden; false when none is left. */
function showNextPart() {
  const [node] = pendingDeferred();
  if (!node) return false;
  if (!partsLeft.has(node)) {
    const [, ...later] = partsOf(node);
    for (const part of later.flat()) part.setAttribute("data-deferred-part", "");
    node.removeAttribute("data-deferred");
    partsLeft.set(node, later);
  }
  const later = partsLeft.get(node);
  const group = later.shift();
  if (group) for (const part of group) part.removeAttribute("data-deferred-part");
  if (!later.length) partsLeft.delete(node);
  return true;
}

function showUpTo(target) {
  if (!target) return false;
  const before = pendingDeferred().filter(
    (node) => node === target || node.compareDocumentPosition(target) & (Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY),
  );
  showDeferred(before);
  return before.length > 0;
}

function hashTarget() {
  try {
    return location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  } catch (e) {
    return null;
  }
}

if (deferred.length) {
  const navigation = performance.getEntriesByType?.("navigation")?.[0];
  if (document.visibilityState !== "visible" || (navigation && navigation.type !== "navigate")) {
    showDeferred(deferred);
  } else {
    showUpTo(hashTarget());
  }
  const next = () => {
    if (document.visibilityState !== "visible") showDeferred(deferred);
    else if (showNextPart()) {
      requestAnimationFrame(() => setTimeout(next, 0));
      return;
    }
    document.documentElement.classList.remove("deferring");
  };
  requestAnimationFrame(() => setTimeout(next, 0));
  addEventListener("hashchange", () => {
    const target = hashTarget();
    if (showUpTo(target)) target.scrollIntoView();
  });
  addEventListener("beforeprint", () => showDeferred(deferred));
}

function currentTheme() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen) return chosen;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function showTheme(button) {
  const dark = currentTheme() === "dark";
  button.setAttribute("aria-pressed", String(dark));
  button.querySelector("[data-theme-label]").textContent = dark ? "Dark" : "Light";
}

const toggle = document.querySelector("[data-theme-toggle]");
if (toggle) {
  showTheme(toggle);
  toggle.addEventListener("click", () => {
    const next = currentTheme() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem("deepdive-theme", next);
    } catch (e) {
      /* the choice lasts for this page only */
    }
    showTheme(toggle);
  });
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-code]");
  if (!button) return;
  const label = button.dataset.label || "Copy";
  const code = button.closest(".code-block, .output-block").querySelector("code").cloneNode(true);
  code.querySelectorAll(".linenos").forEach((n) => n.remove());
  try {
    await navigator.clipboard.writeText(code.textContent);
    button.textContent = "Copied";
  } catch (e) {
    button.textContent = "Select and copy";
  }
  setTimeout(() => (button.textContent = label), 1500);
});
