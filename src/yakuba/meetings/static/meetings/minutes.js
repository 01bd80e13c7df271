// 会議録の編集: play the recording from a segment, save a segment in place (showing a conflict when another clerk
// saved first), split at the cursor. Without this script every form still posts and the page reloads.
(function () {
  "use strict";

  function onceToken() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function messages() {
    var node = document.getElementById("minutes-messages");
    return node ? node.dataset : {};
  }

  function setupPlayer() {
    var audio = document.getElementById("minutes-audio");
    if (!audio) return;
    document.querySelectorAll("[data-play]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        audio.currentTime = parseFloat(button.dataset.play) || 0;
        var playing = audio.play();
        if (playing && playing.catch) playing.catch(function () {});
      });
    });
  }

  function showConflict(form, data) {
    var text = messages();
    var box = form.querySelector(".segment__conflict");
    if (!box) {
      box = document.createElement("div");
      box.className = "notice notice--error segment__conflict";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.querySelector(".segment__fields"));
    }
    box.textContent = "";
    var lines = [[null, data.message]];
    if (data.current) lines.push([text.conflictCurrent, data.current.text]);
    lines.push([text.conflictYours, data.yours]);
    lines.forEach(function (pair) {
      if (pair[0]) {
        var title = document.createElement("p");
        var strong = document.createElement("strong");
        strong.textContent = pair[0];
        title.appendChild(strong);
        box.appendChild(title);
      }
      var body = document.createElement("p");
      body.className = pair[0] ? "segment__saved" : "";
      body.textContent = pair[1] || "";
      box.appendChild(body);
    });
    if (data.current) form.elements.revision.value = data.current.revision;
  }

  function saveInPlace(form, action) {
    var status = form.querySelector(".segment__status");
    var data = new FormData(form);
    data.set("action", action);
    data.set("_once", onceToken());
    status.textContent = messages().saving || "";
    // Not form.action: the buttons named "action" shadow it.
    return fetch(form.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin",
                               headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (result) {
        status.textContent = result.message || "";
        if (result.ok) {
          form.elements.revision.value = result.segment.revision;
          var conflict = form.querySelector(".segment__conflict");
          if (conflict) conflict.remove();
          var split = form.parentNode.querySelector("[data-nojs-split] input[name=revision]");
          if (split) split.value = result.segment.revision;
        } else {
          showConflict(form, result);
        }
      })
      .catch(function () { status.textContent = messages().failed || ""; });
  }

  function setupForms() {
    document.querySelectorAll("form[data-segment]").forEach(function (form) {
      var textarea = form.elements.text;
      var split = form.querySelector("[data-split]");
      if (split) split.hidden = false;
      var fallback = form.parentNode.querySelector("[data-nojs-split]");
      if (fallback) fallback.hidden = true;
      form.addEventListener("submit", function (event) {
        var action = event.submitter ? event.submitter.value : "save";
        if (action === "split") {
          form.elements.offset.value = textarea.selectionStart;
          return;  // the page reloads with the two segments
        }
        if (action === "save" || action === "speaker_run") {
          if (action === "speaker_run") return;  // changes several segments: reload to show them
          event.preventDefault();
          saveInPlace(form, action);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupPlayer();
    setupForms();
  });
})();
