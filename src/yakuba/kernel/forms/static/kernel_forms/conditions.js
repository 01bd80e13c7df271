/* Questions shown only for some answers (forms engine): the server draws each such question in a box
   「…を選んだ方のみ」 and ignores it when the answer does not call for it. With script, a box is hidden while the
   answer does not call for it: `hidden` keeps it out of the tab order and from screen readers, and its inputs
   are disabled so nothing in it is sent. */
(function () {
  "use strict";

  function chosen(form, name, type) {
    var values = [];
    var inputs = form.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.name !== name || input.disabled || !input.checked) continue;
      values.push(type === "consent" ? "true" : input.value);
    }
    if (type === "consent" && values.length === 0) values.push("false");
    return values;
  }

  function update(form) {
    // Boxes come in document order and a condition reads an earlier answer, so one pass settles chains.
    var boxes = form.querySelectorAll(".field-condition[data-when-name]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var wanted = JSON.parse(box.getAttribute("data-when-values"));
      var have = chosen(form, box.getAttribute("data-when-name"), box.getAttribute("data-when-type"));
      var show = have.some(function (value) { return wanted.indexOf(value) !== -1; });
      if (box.hidden === !show) continue;
      box.hidden = !show;
      var controls = box.querySelectorAll("input, select, textarea, button");
      for (var j = 0; j < controls.length; j++) {
        var control = controls[j];
        if (!show && !control.disabled) {
          control.disabled = true;
          control.setAttribute("data-when-disabled", "");
        } else if (show && control.hasAttribute("data-when-disabled")) {
          control.disabled = false;
          control.removeAttribute("data-when-disabled");
        }
      }
    }
  }

  function start() {
    var boxes = document.querySelectorAll(".field-condition[data-when-name]");
    var forms = [];
    for (var i = 0; i < boxes.length; i++) {
      var form = boxes[i].closest("form");
      if (form && forms.indexOf(form) === -1) forms.push(form);
    }
    forms.forEach(function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
