// The live attendance list: refetch the server-rendered list every 10 seconds while
// the page is visible. The page works without this file (reload to refresh).
"use strict";
(function () {
  var box = document.querySelector("[data-live-src]");
  if (!box) { return; }
  var url = box.getAttribute("data-live-src");
  function refresh() {
    if (document.hidden || box.contains(document.activeElement)) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  window.setInterval(refresh, 10000);
}());
