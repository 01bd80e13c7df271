/* Maps of a page (a 地図 block, a facility's or an event's place): Leaflet from the files the open data map vendors.
   Each figure keeps its link to 地理院地図, so a page without scripts, or without a base map, still says where. */
(function () {
  "use strict";
  const figures = document.querySelectorAll("figure[data-map]");
  const source = document.getElementById("site-map-config");
  if (!figures.length || !source || typeof L === "undefined") {
    return;
  }
  const config = JSON.parse(source.textContent);
  figures.forEach(function (figure) {
    const lat = parseFloat(figure.dataset.lat);
    const lng = parseFloat(figure.dataset.lng);
    if (isNaN(lat) || isNaN(lng)) {
      return;
    }
    const canvas = document.createElement("div");
    canvas.className = "page-map__canvas";
    canvas.setAttribute("role", "region");
    canvas.setAttribute("aria-label", figure.dataset.label || "");
    figure.insertBefore(canvas, figure.firstChild);
    const map = L.map(canvas, {scrollWheelZoom: false, zoomControl: false}).setView([lat, lng], 16);
    L.control.zoom({zoomInTitle: config.zoomIn || "+", zoomOutTitle: config.zoomOut || "-"}).addTo(map);
    if (config.tiles) {
      L.tileLayer(config.tiles, {attribution: config.attribution, maxZoom: 18}).addTo(map);
    }
    L.marker([lat, lng], {title: figure.dataset.label || "", alt: figure.dataset.label || ""}).addTo(map);
  });
})();
