// Runs before the first paint (loaded in <head>, not deferred): applies the learner's chosen theme,
// holds back deferred interactives, and folds the course contents on a narrow screen.
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

  // On a narrow screen the course contents come before the page itself, a whole screen of them:
  // there they start folded under their summary, folded as soon as they are parsed, so nothing
  // moves once the page shows. What the learner then chooses holds until they leave the page,
  // also when a progress update replaces the contents. A window that becomes wide (where the
  // summary is hidden) shows them, and folds them again if it narrows back.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 60rem)");
  if (!narrow || !window.MutationObserver || !window.WeakSet) return;
  var wantOpen = false;
  var seen = new WeakSet();
  var contents = function () {
    return document.querySelector("#toc > details");
  };
  var show = function (details) {
    var open = wantOpen || !narrow.matches;
    if (details.open !== open) details.open = open;
  };
  new MutationObserver(function () {
    var details = contents();
    if (details && !seen.has(details)) {
      seen.add(details);
      show(details);
    }
  }).observe(root, { childList: true, subtree: true });
  document.addEventListener(
    "toggle",
    function (event) {
      if (narrow.matches && event.target === contents()) wantOpen = event.target.open;
    },
    true
  );
  var resized = function () {
    var details = contents();
    if (details) show(details);
  };
  if (narrow.addEventListener) narrow.addEventListener("change", resized);
  else if (narrow.addListener) narrow.addListener(resized);
})();
