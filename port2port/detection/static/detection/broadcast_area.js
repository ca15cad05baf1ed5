// Drawing the area of a broadcast: each click on the map adds a corner; the
// polygon goes into the form as GeoJSON. No area means the whole port.
(function () {
  "use strict";
  var configElement = document.getElementById("b-config");
  if (!configElement || typeof L === "undefined") { return; }
  var config = JSON.parse(configElement.textContent);
  var map = L.map("b-map");
  if (config.tile_url) { L.tileLayer(config.tile_url, { maxZoom: 19 }).addTo(map); }
  var input = document.getElementById("b-area");
  var corners = [];
  var shape = L.polygon([], { color: "#b00020" }).addTo(map);

  function update() {
    shape.setLatLngs(corners);
    if (corners.length < 3) { input.value = ""; return; }
    var ring = corners.map(function (c) { return [c.lng, c.lat]; });
    ring.push(ring[0]);
    input.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
  }

  fetch(config.map_url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var shapes = L.geoJSON(data.features, {
        style: function () { return { color: "#2563eb", weight: 1, fillOpacity: 0.05 }; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 3 }); }
      }).addTo(map);
      var bounds = shapes.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds); }
      else if (data.centre) { map.setView([data.centre[1], data.centre[0]], 12); }
      else { map.setView([51.2, 4.3], 11); }
    });
  map.on("click", function (e) { corners.push(e.latlng); update(); });
  document.getElementById("b-clear").addEventListener("click", function () { corners = []; update(); });
})();
