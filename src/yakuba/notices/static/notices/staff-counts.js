// Refresh the delivery figures of a notice every 5 seconds until the broadcast is finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-counts-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-counts-url");
  function finished() { return !!box.querySelector("[data-finished=true]"); }
  function refresh() {
    if (finished()) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) { box.innerHTML = html; }
        window.setTimeout(refresh, 5000);
      })
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 5000);
})();
