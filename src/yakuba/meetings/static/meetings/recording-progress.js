// Refresh a recording's progress every 5 seconds from its JSON variant; reload the page once it has finished, so the
// transcript (or the reason it stopped) shows.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  function set(name, value) {
    var el = box.querySelector("[data-field=" + name + "]");
    if (el) { el.textContent = value; }
  }
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status === null) { window.setTimeout(refresh, 10000); return; }
        if (status.finished) { window.location.reload(); return; }
        set("label", status.label);
        set("percent", status.percent);
        set("left", status.left);
        var bar = box.querySelector("progress");
        if (bar) { bar.value = status.percent; bar.textContent = status.percent + "%"; }
        window.setTimeout(refresh, 5000);
      })
      .catch(function () { window.setTimeout(refresh, 10000); });
  }
  window.setTimeout(refresh, 5000);
})();
