// A multilingual site's search page: the links to the same search in the other languages follow the query
// typed (search.js keeps it in the address bar). Results stay in the reader's language unless they follow one.
"use strict";
(function () {
  function follow() {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    for (const link of document.querySelectorAll("a[data-search-language]")) {
      const base = link.getAttribute("data-search-language");
      link.href = query ? base + "?q=" + encodeURIComponent(query) : base;
    }
  }
  document.addEventListener("DOMContentLoaded", () => {
    follow();
    const box = document.getElementById("search");
    if (box) box.addEventListener("input", () => window.setTimeout(follow, 300));
    window.addEventListener("popstate", follow);
  });
})();
