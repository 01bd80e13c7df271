/* The public map of 通報: each report a mark of its status (red circle 受付, yellow triangle 対応中, green square
   対応済) linking to its page; the list below says the same without the map. */
(function () {
  "use strict";
  var SHAPES = {
    circle: '<circle cx="10" cy="10" r="8"/>',
    triangle: '<polygon points="10,1 19,18 1,18"/>',
    square: '<rect x="2" y="2" width="16" height="16"/>'
  };
  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("reports-map");
    var configNode = document.getElementById("reports-map-config");
    if (!node || !configNode || typeof L === "undefined") return;
    var config = JSON.parse(configNode.textContent);
    node.hidden = false;
    var map = L.map(node).setView(config.centre, config.zoom);
    L.tileLayer(config.tiles, {attribution: config.attribution, maxZoom: 18}).addTo(map);
    var bounds = [];
    config.points.forEach(function (p) {
      var svg = '<svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false" fill="' +
        p.colour + '" stroke="#1a1a1a" stroke-width="1.5">' + SHAPES[p.shape] + "</svg>";
      var icon = L.divIcon({html: svg, className: "report-mark", iconSize: [20, 20]});
      var marker = L.marker([p.lat, p.lon], {icon: icon, title: p.title + " (" + p.status + ")", alt: p.title + " " + p.status});
      var link = document.createElement("a");
      link.href = p.url; link.textContent = p.title + "（" + p.status + "）";
      marker.bindPopup(link).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length > 1) map.fitBounds(bounds, {padding: [20, 20], maxZoom: 16});
  });
})();
