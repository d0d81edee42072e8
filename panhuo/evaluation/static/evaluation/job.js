// Polls the rescore job's JSON status and updates the progress bar (no inline scripts: CSP).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-text");
  function tick() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      bar.max = d.total || 1;
      bar.value = d.done;
      text.textContent = d.state_label + " " + d.done + " / " + d.total + "（" + d.percent + "%）" +
        (d.seconds !== null ? " 用时 " + d.seconds + " 秒" : "") + (d.error ? " 错误：" + d.error : "");
      if (d.state === "done" || d.state === "failed") { return; }
      window.setTimeout(tick, 1000);
    }).catch(function () { window.setTimeout(tick, 3000); });
  }
  tick();
})();
