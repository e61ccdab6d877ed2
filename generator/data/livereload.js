// Live reload client, injected by `briefings serve` only (never into built files).
// An external same-origin script because the pages' Content-Security-Policy allows no inline script or style.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var base = me.dataset.base || "/";
  var page = me.dataset.page || "";  // output path of this page; "" for a not-found page
  var epoch = me.dataset.epoch || "0";
  var OVERLAY = "__livereload_error__";

  function style(el, props) {  // CSSOM assignments are allowed by a CSP without 'unsafe-inline'
    for (var k in props) el.style[k] = props[k];
  }

  function dress(box) {
    style(box, {position: "fixed", inset: "0", zIndex: "2147483647", overflow: "auto", padding: "2rem",
                background: "rgba(20, 0, 0, 0.88)", color: "#fff", font: "15px/1.5 system-ui, sans-serif"});
    var pre = box.querySelector("pre");
    if (pre) style(pre, {whiteSpace: "pre-wrap", font: "14px/1.5 ui-monospace, monospace", color: "#ffd7d7",
                         background: "transparent", border: "0", margin: "1rem 0 0"});
  }

  function showError(text) {
    var box = document.getElementById(OVERLAY);
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY;
      box.setAttribute("role", "alert");
      var p = document.createElement("p");
      p.textContent = "Build failed; the page below is the last good build. Fix the file and save: this page reloads.";
      box.appendChild(p);
      box.appendChild(document.createElement("pre"));
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = text;
    dress(box);
  }

  function outputPath(href) {  // "/sub/static/style.abc.css" -> "static/style.abc.css"
    var path = decodeURIComponent(new URL(href, location.href).pathname);
    return path.indexOf(base) === 0 ? path.slice(base.length) : null;
  }

  function stem(path) {  // fingerprinted names differ only in the 10-hex-digit hash
    return path.replace(/\.[0-9a-f]{10}(\.css)$/, "$1");
  }

  function swapStylesheets(changed) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    var css = changed.filter(function (p) { return /\.css$/.test(p); });
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var current = outputPath(link.href);
      if (current === null) continue;
      var next = null, rewritten = false;  // the old fingerprinted name is in `changed` too: it was removed
      for (var j = 0; j < css.length; j++) {
        if (css[j] === current) rewritten = true;
        else if (stem(css[j]) === stem(current)) next = base + css[j];
      }
      if (!next && rewritten) next = base + current + "?t=" + Date.now();  // same name, new bytes
      if (next) link.href = next;
    }
  }

  var overlay = document.getElementById(OVERLAY);
  if (overlay) dress(overlay);

  var source = new EventSource(me.dataset.events + "?epoch=" + encodeURIComponent(epoch));
  source.addEventListener("open", function () {  // lets tests (and the curious) see the channel is up
    document.documentElement.setAttribute("data-livereload", "open");
  });
  source.addEventListener("build", function (message) {
    var event = JSON.parse(message.data);
    if (event.error) { showError(event.error); return; }
    if (document.getElementById(OVERLAY)) { location.reload(); return; }  // the error was fixed
    var changed = event.changed;
    if (changed === null) { location.reload(); return; }
    if (event.css_only && changed.length) { swapStylesheets(changed); return; }
    if (page === "" ? changed.length > 0 : changed.indexOf(page) >= 0) location.reload();
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
