// Patent picker (panhuo/patents/picker.py): type a number in any spelling or title words, pick from the list.
// <input data-patent-picker data-scope="own|visible" [data-target="id_of_textarea"]> ; the list goes in the
// element named by aria-controls. With data-target the picked key is appended to that textarea (several
// patents), otherwise it replaces the input's value.
(function () {
  "use strict";
  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var url = input.getAttribute("data-url");
    var timer = null;
    var asked = "";
    function pick(item) {
      var targetId = input.getAttribute("data-target");
      if (targetId) {
        var target = document.getElementById(targetId);
        var current = target.value.split(/[,，;；、\n]+/).map(function (s) { return s.trim(); }).filter(Boolean);
        if (current.indexOf(item.key) < 0) { current.push(item.key); }
        target.value = current.join("\n");
        input.value = "";
      } else {
        input.value = item.key;
      }
      list.replaceChildren();
      input.focus();
    }
    function show(items) {
      list.replaceChildren();
      items.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "picker-item";
        var number = document.createElement("span");
        number.className = "picker-number";
        number.textContent = item.number_label + " " + item.key;
        var title = document.createElement("strong");
        title.textContent = item.title;
        var meta = document.createElement("span");
        meta.className = "picker-meta";
        meta.textContent = item.holder + " · " + item.state;
        button.append(title, number, meta);
        button.addEventListener("click", function () { pick(item); });
        li.append(button);
        list.append(li);
      });
      if (!items.length && input.value.trim().length >= 2) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "没有匹配的专利";
        list.append(none);
      }
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      if (q.length < 2) { show([]); return; }
      var query = url + "?scope=" + encodeURIComponent(input.getAttribute("data-scope") || "visible") +
        "&q=" + encodeURIComponent(q);
      fetch(query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { if (input.value.trim() === q) { show(items); } })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (event) {
      var first = list.querySelector("button");
      if (event.key === "Enter" && first && input.getAttribute("data-target")) {
        event.preventDefault();
        first.click();
      }
    });
  }
  document.querySelectorAll("input[data-patent-picker]").forEach(setup);
})();
