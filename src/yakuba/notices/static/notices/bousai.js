// 防災情報ボード: fetch the live part every minute and swap it in; say politely when something changed.
(function () {
  "use strict";
  var board = document.querySelector(".bousai[data-live-url]");
  if (!board || !window.fetch) { return; }
  var live = board.querySelector("[data-live]");
  var announce = board.querySelector("[data-announce]");
  var note = board.querySelector("[data-auto-note]");
  var seconds = parseInt(board.getAttribute("data-refresh-seconds"), 10) || 60;
  if (note) { note.hidden = false; }

  // The part that matters, without the 「最終更新」 time that changes on every fetch.
  function content(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var stamp = holder.querySelector("[data-updated]");
    if (stamp) { stamp.parentNode.removeChild(stamp); }
    return holder.innerHTML;
  }

  function refresh() {
    fetch(board.getAttribute("data-live-url"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var changed = content(html) !== content(live.innerHTML);
        live.innerHTML = html;
        if (changed && announce) {
          var stamp = live.querySelector("[data-updated]");
          announce.textContent = (announce.getAttribute("data-message") || "") + (stamp ? " " + stamp.textContent : "");
        }
      })
      .catch(function () { /* offline for a moment: keep what is shown and try again next time */ });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
})();
