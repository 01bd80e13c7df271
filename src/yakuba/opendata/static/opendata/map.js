/* The town map (統合型GIS): Leaflet from the vendored files. The page gives the layers (json_script "map-config");
   each layer's features come from its GeoJSON. The list view beside the map needs none of this. */
(function () {
  "use strict";
  const element = document.getElementById("town-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  const config = JSON.parse(document.getElementById(element.dataset.config).textContent);
  const labels = config.labels || {};
  const ADDRESS = ["所在地_連結表記", "住所", "所在地", "場所名称"];
  element.hidden = false;

  const map = L.map(element, {zoomControl: false, scrollWheelZoom: false});
  L.control.zoom({zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut}).addTo(map);
  if (config.tiles) {
    L.tileLayer(config.tiles, {attribution: config.attribution, maxZoom: 18}).addTo(map);
  }
  if (config.bounds) {
    map.fitBounds(config.bounds, {padding: [24, 24], maxZoom: 16});
  } else {
    map.setView([36.2, 138.25], 5);
  }
  const narrow = window.matchMedia("(max-width: 40em)").matches;
  const control = L.control.layers(null, null, {collapsed: narrow}).addTo(map);
  const toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
  if (toggle) {
    toggle.title = labels.layers;
    toggle.setAttribute("aria-label", labels.layers);
  }

  function escaped(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function overlayName(spec) {
    // Leaflet writes the name as HTML: the title is escaped; the swatch is an SVG (no style attribute, for the CSP).
    const colour = /^#[0-9a-fA-F]{3,8}$/.test(spec.colour) ? spec.colour : "#333";
    return '<svg class="map-swatch" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">' +
      '<circle cx="8" cy="8" r="6.5" fill="' + colour + '" stroke="#1a1a1a" stroke-width="1.5"/></svg>' +
      escaped(spec.title + "（" + spec.count + "）");
  }

  function popup(feature) {
    const properties = feature.properties || {};
    const box = document.createElement("div");
    const title = document.createElement(properties._url ? "a" : "strong");
    title.textContent = properties._title || properties["名称"] || String(feature.id || "");
    if (properties._url) {
      title.href = properties._url;
    }
    box.appendChild(title);
    const address = ADDRESS.map(function (key) { return properties[key]; }).find(Boolean);
    if (address) {
      const line = document.createElement("p");
      line.textContent = address;
      box.appendChild(line);
    }
    return box;
  }

  const bounds = L.latLngBounds([]);
  let pending = config.layers.length;
  let markers = 0;

  function done() {
    pending -= 1;
    if (pending > 0) {
      return;
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, {padding: [24, 24], maxZoom: 16});
    }
    element.dataset.markers = String(markers);
    element.dataset.ready = "true";
  }

  config.layers.forEach(function (spec) {
    const group = L.geoJSON(null, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {radius: 8, color: "#1a1a1a", weight: 1.5, fillColor: spec.colour,
                                       fillOpacity: 0.9});
      },
      onEachFeature: function (feature, layer) { layer.bindPopup(popup(feature)); }
    }).addTo(map);
    control.addOverlay(group, overlayName(spec));
    fetch(spec.url, {credentials: "same-origin", headers: {Accept: "application/geo+json, application/json"}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        group.addData(data);
        markers += group.getLayers().length;
        if (group.getLayers().length) {
          bounds.extend(group.getBounds());
        }
      })
      .catch(function () { /* this layer stays empty on the map; the list view still shows it */ })
      .finally(done);
  });
  if (!config.layers.length) {
    pending = 1;
    done();
  }
}());
