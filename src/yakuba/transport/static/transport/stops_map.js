/* The staff map of 乗降ポイント: a marker for each stop (a hollow one when not in use) linking to its page; the
   table below the map says the same without it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("stops-map");
    var configNode = document.getElementById("stops-map-config");
    if (!node || !configNode || typeof L === "undefined") return;
    var config = JSON.parse(configNode.textContent);
    node.hidden = false;
    var map = L.map(node).setView(config.centre, config.zoom);
    L.tileLayer(config.tiles, {attribution: config.attribution, maxZoom: 18}).addTo(map);
    var bounds = [];
    config.points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {radius: 8, color: "#1a1a1a", weight: 2,
        fillColor: p.active ? "#1F6FB2" : "#ffffff", fillOpacity: 1});
      var link = document.createElement("a");
      link.href = p.url; link.textContent = p.title + "（" + p.code + "・" + p.zone + "）";
      marker.bindPopup(link).bindTooltip(p.title).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length > 1) map.fitBounds(bounds, {padding: [20, 20], maxZoom: 16});
  });
})();
