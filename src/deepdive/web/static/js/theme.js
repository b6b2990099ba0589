// Applies the learner's chosen theme before the first paint (loaded in <head>, not deferred).
(function () {
  try {
    var theme = localStorage.getItem("deepdive-theme");
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch (e) {
    /* storage unavailable: follow the system setting */
  }
})();
