// Applies the learner's chosen theme before the first paint (loaded in <head>, not deferred).
(function () {
  try {
    var theme = localStorage.getItem("deepdive-theme");
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch (e) {
    /* storage unavailable: follow the system setting */
  }
  // Interactives marked data-deferred stay out of the layout until app.js shows them, a few parts per
  // frame; should app.js never run, they are all shown a few seconds after the page has loaded.
  var root = document.documentElement;
  root.classList.add("deferring");
  window.addEventListener("load", function () {
    setTimeout(function () {
      root.classList.remove("deferring");
    }, 4000);
  });
})();
