/* The kernel's place picker (ui/components/map_picker.html): a Leaflet map whose pin writes the latitude and
   longitude inputs, and whose inputs move the pin. Keyboard: arrow keys move the map, Enter puts the pin at its
   centre. 「現在地を使う」 asks the browser's geolocation. Without script the inputs alone are the picker. */
(function () {
  "use strict";
  function setup(box) {
    var id = box.getAttribute("data-map-picker");
    var configNode = document.getElementById(id + "-config") || document.getElementById("map-picker-config");
    var mapNode = document.getElementById(id + "-map");
    var lat = box.querySelector("input[name$='latitude']");
    var lon = box.querySelector("input[name$='longitude']");
    if (!configNode || !mapNode || !lat || !lon || typeof L === "undefined") return;
    var config = JSON.parse(configNode.textContent);
    mapNode.hidden = false;
    var actions = box.querySelector(".map-picker__actions");
    var status = box.querySelector(".map-picker__status");
    var map = L.map(mapNode, {keyboard: true}).setView(config.centre, config.zoom);
    L.tileLayer(config.tiles, {attribution: config.attribution, maxZoom: 18}).addTo(map);
    var marker = null;
    function place(latlng, pan) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.marker(latlng, {draggable: true, keyboard: false}).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      }
      if (pan) map.panTo(latlng);
    }
    function write(latlng) {
      lat.value = latlng.lat.toFixed(6); lon.value = latlng.lng.toFixed(6);
      if (status) status.textContent = box.getAttribute("data-chosen") || "";
    }
    function read() {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isFinite(a) && isFinite(b)) place([a, b], true);
    }
    map.on("click", function (event) { place(event.latlng, false); write(event.latlng); });
    mapNode.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); var c = map.getCenter(); place(c, false); write(c); }
    });
    lat.addEventListener("change", read); lon.addEventListener("change", read);
    read();
    if (actions && navigator.geolocation) {
      actions.hidden = false;
      actions.querySelector("[data-map-picker-here]").addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          var here = L.latLng(position.coords.latitude, position.coords.longitude);
          place(here, true); write(here);
        }, function () { if (status) status.textContent = box.getAttribute("data-failed") || ""; });
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map-picker]"), setup);
  });
})();
