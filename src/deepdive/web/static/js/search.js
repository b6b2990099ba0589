// The header's search box: "/" focuses it, results appear as you type (htmx fills the popup),
// the arrow keys move between results, Escape closes the results and leaves the box.
// Without JavaScript the form still submits to the /search results page.

const form = document.querySelector("[data-site-search]");

function editing(target) {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || target.closest("input, textarea, select, [contenteditable], .cm-editor, [data-editor]") !== null)
  );
}

if (form) {
  const input = form.querySelector("input[name=q]");
  const popup = form.querySelector(".search-popup");
  const hits = () => [...popup.querySelectorAll("[data-search-hit]")];
  const close = () => popup.replaceChildren();

  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (editing(event.target)) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  form.addEventListener("keydown", (event) => {
    const links = hits();
    const index = links.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      if (index >= 0) {
        input.focus();
      } else {
        input.blur();
      }
      close();
    } else if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) input.focus();
      else links[index - 1].focus();
    }
  });

  // Leaving the search (focus elsewhere on the page) closes the results.
  form.addEventListener("focusout", (event) => {
    if (!form.contains(event.relatedTarget)) close();
  });
}
