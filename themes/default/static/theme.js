/* Colour scheme: follow the system until the reader chooses, then remember the choice.
   Loaded (small, blocking) in <head> so the first paint already has the right scheme. */
(function () {
  var KEY = "briefings-theme";
  var root = document.documentElement;
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { /* storage blocked: follow the system */ }
  if (saved === "dark" || saved === "light") root.setAttribute("data-theme", saved);

  function isDark() {
    var chosen = root.getAttribute("data-theme");
    return chosen ? chosen === "dark" : !!(media && media.matches);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    function sync() { button.setAttribute("aria-pressed", isDark() ? "true" : "false"); }
    button.hidden = false;
    sync();
    button.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* the choice lasts for this page only */ }
      sync();
    });
    if (media && media.addEventListener) media.addEventListener("change", sync);
  });
})();
