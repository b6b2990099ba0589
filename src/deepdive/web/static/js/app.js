// Behaviour shared by every page: CSRF header for htmx, theme toggle, copy buttons.
import { csrfToken } from "./csrf.js";

document.body.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRF-Token"] = csrfToken();
});

// htmx swaps error responses too (422 with a readable message), instead of silently ignoring them.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 422 || status === 400 || status === 404 || status === 429) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

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
