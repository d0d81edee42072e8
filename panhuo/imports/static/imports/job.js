// Import job page: poll the status endpoint every 2 s until the job is finished, then reload for the rejects.
(function () {
  "use strict";
  var card = document.getElementById("job");
  if (!card || card.dataset.finished === "1") { return; }
  var url = card.dataset.statusUrl;
  function set(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = String(value); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        set("job-status", s.status_zh);
        document.getElementById("job-progress").value = s.progress;
        set("job-rows", s.rows_done + " / " + s.rows_estimate);
        ["total", "inserted", "updated", "unchanged", "rejected"].forEach(function (k) { set("job-" + k, s[k]); });
        if (s.error_zh) { set("job-error", s.error_zh + "（" + s.error_en + "）"); }
        if (s.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
