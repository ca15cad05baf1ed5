// The control-room page: the port's map with its zones, sources and open alerts,
// and the alert queue, both kept up to date by the server-sent event stream.
(function () {
  "use strict";
  var configElement = document.getElementById("cr-config");
  if (!configElement || typeof L === "undefined") { return; }
  var config = JSON.parse(configElement.textContent);
  var map = L.map("cr-map");
  if (config.tile_url) { L.tileLayer(config.tile_url, { maxZoom: 19 }).addTo(map); }
  var alertLayer = L.layerGroup().addTo(map);
  var vesselLayer = L.layerGroup().addTo(map);
  var markers = {};
  var vessels = {};

  function style(feature) {
    var p = feature.properties;
    if (p.layer === "zone") { return { color: "#2563eb", weight: 1, fillOpacity: 0.05 }; }
    if (p.kind === "fence_segment") { return { color: "#111827", weight: 4 }; }
    if (p.kind === "camera") { return { color: "#7c3aed", weight: 1, fillOpacity: 0.15 }; }
    return { color: "#374151" };
  }

  function showAlert(alert) {
    var old = markers[alert.id];
    if (old) { alertLayer.removeLayer(old); delete markers[alert.id]; }
    var open = alert.status === "new" || alert.status === "acknowledged";
    if (!open || alert.lat === null || alert.lon === null) { return; }
    var icon = L.divIcon({
      className: "cr-alert cr-alert--" + alert.status + " cr-alert--" + alert.severity +
        (alert.exercise ? " cr-alert--exercise" : ""),
      iconSize: [18, 18]
    });
    var marker = L.marker([alert.lat, alert.lon], { icon: icon, title: alert.title });
    marker.bindTooltip((alert.exercise ? config.exercise_label + " · " : "") + alert.title + " ×" + alert.count);
    markers[alert.id] = marker.addTo(alertLayer);
  }

  // A vessel is a small arrow turned to its course, with its track behind it.
  function showVessel(vessel) {
    var old = vessels[vessel.mmsi];
    if (old) { vesselLayer.removeLayer(old); }
    if (vessel.lat === null || vessel.lon === null) { return; }
    var group = L.layerGroup();
    if (vessel.track && vessel.track.length > 1) {
      L.polyline(vessel.track.map(function (p) { return [p[1], p[0]]; }), {
        color: "#0e7490", weight: 2, opacity: 0.6, dashArray: "4 4", interactive: false
      }).addTo(group);
    }
    var course = vessel.heading !== null && vessel.heading < 360 ? vessel.heading : (vessel.cog || 0);
    // Built as an element: the page's content security policy refuses style attributes.
    var arrow = document.createElement("span");
    arrow.textContent = "\u25B2";
    arrow.style.transform = "rotate(" + Math.round(course) + "deg)";
    var icon = L.divIcon({ className: "cr-vessel", html: arrow, iconSize: [16, 16] });
    var label = (vessel.name || vessel.mmsi) + (vessel.sog !== null ? " · " + vessel.sog.toFixed(1) + " kn" : "");
    L.marker([vessel.lat, vessel.lon], { icon: icon, title: label, keyboard: false })
      .bindTooltip(label).addTo(group);
    vessels[vessel.mmsi] = group.addTo(vesselLayer);
  }

  function refreshQueue() {
    fetch(config.queue_url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { document.getElementById("cr-queue").innerHTML = html; })
      .catch(function () { /* The next change tries again. */ });
  }

  fetch(config.map_url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var shapes = L.geoJSON(data.features, {
        style: style,
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 5, color: "#374151" });
        },
        onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); }
      }).addTo(map);
      var bounds = shapes.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); }
      else if (data.centre) { map.setView([data.centre[1], data.centre[0]], 13); }
      else { map.setView([51.2, 4.3], 11); }
      data.alerts.forEach(showAlert);
      (data.vessels || []).forEach(showVessel);
    });

  var live = document.getElementById("cr-live");
  var timer = null;
  var source = new EventSource(config.stream_url);
  source.addEventListener("open", function () { live.textContent = "live"; });
  source.addEventListener("error", function () { live.textContent = ""; });
  source.addEventListener("vessels", function (message) {
    JSON.parse(message.data).forEach(showVessel);
  });
  source.addEventListener("alert", function (message) {
    showAlert(JSON.parse(message.data));
    // Several changes in a burst refresh the queue once.
    clearTimeout(timer);
    timer = setTimeout(refreshQueue, 200);
  });
})();
