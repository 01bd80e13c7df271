// 打刻端末: a keyboard-wedge scanner types into the focused field and presses Enter (no script needed); where the
// browser has BarcodeDetector, a button reads the QR code with the camera and sends the form.
(function () {
  "use strict";
  var form = document.getElementById("kiosk-form");
  var field = document.getElementById("code");
  var button = document.getElementById("kiosk-camera");
  var video = document.getElementById("kiosk-video");
  if (!form || !field) { return; }
  field.focus();
  // After a punch the field is empty again, so the next person's scan goes straight in.
  document.addEventListener("click", function (event) {
    if (event.target === document.body) { field.focus(); }
  });
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !button || !video) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var look = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (track) { track.stop(); });
            field.value = codes[0].rawValue;
            form.submit();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { window.requestAnimationFrame(look); });
      };
      look();
    }).catch(function () { button.hidden = true; });
  });
})();
