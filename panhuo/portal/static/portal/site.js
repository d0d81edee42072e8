// Site behaviour loaded on every page (CSP: no inline script).
(function () {
  "use strict";
  // Navigation toggle on small screens.
  var toggle = document.getElementById("nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Tables become cards on a phone: each cell is labelled with its column heading (fragments call this too).
  function labelTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (!heads.length) { table.classList.add("plain"); return; }
      table.classList.add("cards");
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var i = 0;
        Array.prototype.forEach.call(tr.children, function (cell) {
          if (heads[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", heads[i]); }
          i += cell.colSpan || 1;
        });
      });
    });
  }
  window.panhuoTables = labelTables;
  labelTables(document);
  // Forms whose sections depend on a choice (deal kind): show only the chosen kind's sections.
  document.querySelectorAll("select[data-sections]").forEach(function (select) {
    var form = select.form;
    function apply() {
      form.querySelectorAll("[data-section]").forEach(function (section) {
        var kinds = section.getAttribute("data-section").split(" ");
        var on = kinds.indexOf(select.value) >= 0;
        section.hidden = !on;
        section.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
      });
    }
    select.addEventListener("change", apply);
    apply();
  });
  // Buttons that ask before acting (batch approval): data-confirm="text".
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    var form = el.tagName === "FORM" ? el : el.form;
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      var text = el.getAttribute("data-confirm");
      var count = Array.prototype.filter.call(form.elements, function (e) {
        return e.name === "records" && e.checked;
      }).length;
      if (!window.confirm(text.replace("{n}", String(count)))) { event.preventDefault(); }
    });
  });
  // "Select all on this page" for a batch form.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=records]").forEach(function (box) { box.checked = all.checked; });
    });
  }
})();
