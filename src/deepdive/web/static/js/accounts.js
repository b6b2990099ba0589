// Account and admin forms answer an error with the form again and a message in it (422 wrong
// input, 400 wrong password, 429 too many tries, 503 a server part down): show it.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-account-form]");
  if (form && event.detail.xhr.status >= 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
