// The /search/ page: Pagefind's UI over the index built with the site; ?q= from the header form starts a search.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: box.dataset.bundle,
    baseUrl: box.dataset.base,
    showSubResults: false,
    showImages: false,
    resetStyles: false,
    openFilters: ["country"],
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
