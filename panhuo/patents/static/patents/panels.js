// Patent-page extension point: fetch each <section class="panel" data-fragment-url> and insert its HTML.
// Fragments come from this site's own apps (same origin, session cookie); a failure shows a short notice.
(function () {
  "use strict";
  function load(section) {
    var url = section.getAttribute("data-fragment-url");
    var body = section.querySelector(".panel-body") || section;
    if (!url || url.charAt(0) !== "/") { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status === 204 || response.status === 403 || response.status === 404) {
          section.remove();  // the app has nothing for this user on this patent
          return null;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        body.innerHTML = html;
        section.classList.add("loaded");
        if (window.panhuoTables) { window.panhuoTables(body); }  // phone: label the new tables' cells
      })
      .catch(function () {
        body.textContent = "暂时无法加载";
        section.classList.add("failed");
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var panels = document.querySelectorAll("section.panel[data-fragment-url]");
    for (var i = 0; i < panels.length; i++) { load(panels[i]); }
  });
})();
