// The pack viewer: one page image at a time (buttons, page number, ←/→ keys, swipe), zoom, the page's text, and the
// member's own note and highlight rectangles. Without this script the page works with links and forms.
(function () {
  "use strict";
  var root = document.getElementById("viewer");
  if (!root) { return; }
  var pages = parseInt(root.dataset.pages, 10) || 1;
  var page = parseInt(root.dataset.page, 10) || 1;
  var image = document.getElementById("viewer-image");
  var sheet = document.getElementById("viewer-sheet");
  var stage = document.getElementById("viewer-stage");
  var marksLayer = document.getElementById("viewer-marks");
  var prev = document.getElementById("viewer-prev");
  var next = document.getElementById("viewer-next");
  var input = document.getElementById("viewer-page");
  var status = document.getElementById("viewer-status");
  var textBox = document.getElementById("viewer-text");
  var thumbs = document.getElementById("viewer-thumbs");
  var noteForm = document.getElementById("note-form");
  var noteText = document.getElementById("note-text");
  var noteStatus = document.getElementById("note-status");
  var markList = document.getElementById("note-marklist");
  var markSummary = document.getElementById("note-marks-summary");
  var drawButton = document.getElementById("note-draw");
  var zoomBox = document.getElementById("viewer-zoom");
  var labels = root.dataset;
  var zooms = [1, 1.5, 2, 3];
  var zoom = 0;
  var marks = [];
  var drawing = false;
  var loadToken = 0;

  function imageUrl(n) { return labels.imageUrl.replace(/\/1\.webp$/, "/" + n + ".webp"); }
  function csrf() {
    var field = noteForm && noteForm.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function say(box, message) { if (box) { box.textContent = message; } }

  function statusText() {
    return labels.labelStatus.replace("{n}", String(page)).replace("{pages}", String(pages));
  }

  function setLink(link, target) {
    if (target) {
      link.href = "?page=" + target;
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
  }

  function showText(text) {
    textBox.textContent = "";
    text.split(/\n{2,}/).forEach(function (part) {
      var p = document.createElement("p");
      p.textContent = part;
      textBox.appendChild(p);
    });
  }

  function go(target, focusImage) {
    target = Math.min(Math.max(parseInt(target, 10) || 1, 1), pages);
    if (target === page) { return; }
    page = target;
    var token = ++loadToken;
    image.src = imageUrl(page);
    image.alt = labels.labelAlt.replace("{title}", labels.title).replace("{n}", String(page));
    input.value = page;
    setLink(prev, page > 1 ? page - 1 : null);
    setLink(next, page < pages ? page + 1 : null);
    say(status, statusText());
    var suffix = document.title.indexOf(" | ");
    document.title = image.alt + (suffix >= 0 ? document.title.slice(suffix) : "");
    history.replaceState(null, "", "?page=" + page);
    if (thumbs) {
      thumbs.querySelectorAll("a[aria-current]").forEach(function (a) { a.removeAttribute("aria-current"); });
      var current = thumbs.querySelector("a[data-page='" + page + "']");
      if (current) { current.setAttribute("aria-current", "page"); }
    }
    if (noteForm) { noteForm.action = labels.notesUrl + "?page=" + page; }
    fetch(labels.jsonUrl + "?format=json&page=" + page, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (token === loadToken) { showText(data.text || ""); } });
    loadNote(token);
    if (focusImage) { stage.focus(); }
  }

  // Notes and marks -------------------------------------------------------------------------------------------
  function drawMarks() {
    marksLayer.textContent = "";
    if (markList) { markList.textContent = ""; }
    marks.forEach(function (mark, index) {
      var box = document.createElement("span");
      box.className = "viewer__mark";
      box.style.left = (mark.x * 100) + "%";
      box.style.top = (mark.y * 100) + "%";
      box.style.width = (mark.w * 100) + "%";
      box.style.height = (mark.h * 100) + "%";
      marksLayer.appendChild(box);
      if (markList) {
        var item = document.createElement("li");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button button--small button--secondary";
        remove.textContent = labels.labelRemove.replace("{n}", String(index + 1));
        remove.addEventListener("click", function () {
          marks.splice(index, 1);
          saveNote(labels.labelRemoved);
        });
        item.appendChild(remove);
        markList.appendChild(item);
      }
    });
    if (markSummary) { markSummary.textContent = markSummary.textContent.replace(/\d+/, String(marks.length)); }
  }

  function readMarksFromPage() {
    marksLayer.querySelectorAll(".viewer__mark").forEach(function (span) {
      marks.push({x: +span.dataset.x, y: +span.dataset.y, w: +span.dataset.w, h: +span.dataset.h});
    });
    drawMarks();
  }

  function loadNote(token) {
    marks = [];
    drawMarks();
    if (!noteForm) { return; }
    noteText.value = "";
    fetch(labels.notesUrl + "?page=" + page, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (token !== loadToken) { return; }
        noteText.value = data.text || "";
        marks = data.marks || [];
        drawMarks();
      });
  }

  function saveNote(message, remove) {
    var options = {method: remove ? "DELETE" : "POST", credentials: "same-origin",
                   headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}};
    if (!remove) { options.body = JSON.stringify({text: noteText.value, marks: marks}); }
    return fetch(labels.notesUrl + "?page=" + page, options)
      .then(function (r) { return r.json().then(function (data) { return {ok: r.ok, data: data}; }); })
      .then(function (result) {
        if (!result.ok) {
          say(noteStatus, (result.data.errors || [labels.labelFailed]).join(" "));
          return;
        }
        noteText.value = result.data.text;
        marks = result.data.marks;
        drawMarks();
        say(noteStatus, message || labels.labelSaved);
      })
      .catch(function () { say(noteStatus, labels.labelFailed); });
  }

  if (noteForm) {
    noteForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = event.submitter ? event.submitter.name : "save";
      if (action === "mark_page") {
        marks.push({x: 0, y: 0, w: 1, h: 1});
        saveNote(labels.labelMarked);
      } else if (action === "clear_marks") {
        marks = [];
        saveNote(labels.labelRemoved);
      } else if (action === "delete") {
        marks = [];
        saveNote(null, true);
      } else {
        saveNote();
      }
    });
    drawButton.hidden = false;
    drawButton.addEventListener("click", function () {
      drawing = !drawing;
      drawButton.setAttribute("aria-pressed", String(drawing));
      sheet.classList.toggle("viewer__sheet--drawing", drawing);
    });
    var start = null;
    var ghost = null;
    var point = function (event) {
      var box = sheet.getBoundingClientRect();
      return {x: Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1),
              y: Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1)};
    };
    var rect = function (a, b) {
      return {x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y)};
    };
    sheet.addEventListener("pointerdown", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      start = point(event);
      sheet.setPointerCapture(event.pointerId);
      ghost = document.createElement("span");
      ghost.className = "viewer__mark viewer__mark--ghost";
      marksLayer.appendChild(ghost);
    });
    sheet.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      var r = rect(start, point(event));
      ghost.style.left = (r.x * 100) + "%";
      ghost.style.top = (r.y * 100) + "%";
      ghost.style.width = (r.w * 100) + "%";
      ghost.style.height = (r.h * 100) + "%";
    });
    sheet.addEventListener("pointerup", function (event) {
      if (!start) { return; }
      var r = rect(start, point(event));
      start = null;
      if (ghost) { ghost.remove(); ghost = null; }
      if (r.w > 0.01 && r.h > 0.005) {
        marks.push({x: +r.x.toFixed(4), y: +r.y.toFixed(4), w: +r.w.toFixed(4), h: +r.h.toFixed(4)});
        saveNote(labels.labelMarked);
      }
    });
  }

  // Navigation ------------------------------------------------------------------------------------------------
  prev.addEventListener("click", function (event) { event.preventDefault(); go(page - 1); });
  next.addEventListener("click", function (event) { event.preventDefault(); go(page + 1); });
  document.getElementById("viewer-jump").addEventListener("submit", function (event) {
    event.preventDefault();
    go(input.value, true);
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || (target && target.closest &&
        target.closest("input, textarea, select, [contenteditable]"))) { return; }
    if (event.key === "ArrowLeft") { event.preventDefault(); go(page - 1); }
    if (event.key === "ArrowRight") { event.preventDefault(); go(page + 1); }
  });
  var touch = null;
  stage.addEventListener("touchstart", function (event) {
    touch = event.touches.length === 1 && !drawing && zoom === 0 ? event.touches[0] : null;
  }, {passive: true});
  stage.addEventListener("touchend", function (event) {
    if (!touch) { return; }
    var end = event.changedTouches[0];
    var dx = end.clientX - touch.clientX;
    var dy = end.clientY - touch.clientY;
    touch = null;
    if (Math.abs(dx) > 50 && Math.abs(dx) > 2 * Math.abs(dy)) { go(dx < 0 ? page + 1 : page - 1); }
  });
  if (thumbs) {
    thumbs.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-page]");
      if (!link) { return; }
      event.preventDefault();
      go(link.dataset.page, true);
    });
    thumbs.addEventListener("toggle", function () {
      var current = thumbs.querySelector("a[aria-current]");
      if (thumbs.open && current) { current.scrollIntoView({block: "nearest", inline: "center"}); }
    });
  }
  zoomBox.hidden = false;
  zoomBox.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-zoom]");
    if (!button) { return; }
    zoom = Math.min(Math.max(zoom + parseInt(button.dataset.zoom, 10), 0), zooms.length - 1);
    sheet.style.width = (zooms[zoom] * 100) + "%";
    say(status, statusText() + "（" + Math.round(zooms[zoom] * 100) + "%）");
  });
  readMarksFromPage();
}());
