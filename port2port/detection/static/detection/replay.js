// Replay mode: the events and alerts of a time window, stepped through on the map
// with a slider. Events show for five minutes after their time; an alert shows
// from when it was first seen until it was handled.
(function () {
  "use strict";
  var configElement = document.getElementById("rp-config");
  if (!configElement || typeof L === "undefined") { return; }
  var config = JSON.parse(configElement.textContent);
  var EVENT_SHOWN_MS = 5 * 60 * 1000;
  var map = L.map("cr-map");
  if (config.tile_url) { L.tileLayer(config.tile_url, { maxZoom: 19 }).addTo(map); }
  var layer = L.layerGroup().addTo(map);
  var slider = document.getElementById("rp-time");
  var output = document.getElementById("rp-now");
  var log = document.getElementById("rp-log");
  var summary = document.getElementById("rp-summary");
  var form = document.getElementById("replay-form");
  var data = { events: [], alerts: [] };
  var timer = null;

  fetch(config.map_url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (base) {
      var shapes = L.geoJSON(base.features, {
        style: function (f) { return f.properties.layer === "zone" ? { color: "#2563eb", weight: 1, fillOpacity: 0.05 } : { color: "#374151", weight: 2 }; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 4, color: "#374151" }); }
      }).addTo(map);
      var bounds = shapes.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); }
      else if (base.centre) { map.setView([base.centre[1], base.centre[0]], 13); }
      else { map.setView([51.2, 4.3], 11); }
    });

  function ms(iso) { return new Date(iso).getTime(); }

  function render() {
    var t = Number(slider.value);
    output.textContent = new Date(t).toLocaleString();
    layer.clearLayers();
    log.textContent = "";
    var lines = [];
    data.events.forEach(function (e) {
      var at = ms(e.time);
      if (at > t) { return; }
      lines.push({ at: at, text: e.kind + " · " + e.source, alert: false, exercise: e.exercise });
      if (t - at > EVENT_SHOWN_MS || e.lat === null || e.lon === null) { return; }
      L.marker([e.lat, e.lon], {
        icon: L.divIcon({ className: "cr-event" + (e.exercise ? " cr-event--exercise" : ""), iconSize: [10, 10] }),
        title: e.kind
      }).bindTooltip(e.kind + " · " + e.source).addTo(layer);
    });
    data.alerts.forEach(function (a) {
      var from = ms(a.first_seen);
      if (from > t) { return; }
      lines.push({ at: from, text: config.alert_label + ": " + a.title, alert: true, exercise: a.exercise });
      var until = a.handled_at ? ms(a.handled_at) : Infinity;
      if (t > until || a.lat === null || a.lon === null) { return; }
      L.marker([a.lat, a.lon], {
        icon: L.divIcon({ className: "cr-alert cr-alert--new cr-alert--" + a.severity + (a.exercise ? " cr-alert--exercise" : ""), iconSize: [18, 18] }),
        title: a.title
      }).bindTooltip(a.title).addTo(layer);
    });
    lines.sort(function (x, y) { return y.at - x.at; });
    lines.slice(0, 200).forEach(function (line) {
      var li = document.createElement("li");
      if (line.alert) { li.className = "is-alert"; }
      li.textContent = new Date(line.at).toLocaleTimeString() + " " + line.text +
        (line.exercise ? " (" + config.exercise_label + ")" : "");
      log.appendChild(li);
    });
  }

  // The window's ends in the browser's own time zone, from the server's times.
  function localInput(date) {
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  if (config.start && config.end) {
    form.start.value = localInput(new Date(config.start));
    form.end.value = localInput(new Date(config.end));
  }

  function load() {
    var start = new Date(form.start.value);
    var end = new Date(form.end.value);
    var url = config.replay_url + "&start=" + encodeURIComponent(start.toISOString()) +
      "&end=" + encodeURIComponent(end.toISOString());
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (result) {
        data = result;
        slider.min = String(ms(result.start));
        slider.max = String(ms(result.end));
        slider.value = slider.min;
        summary.textContent = result.events.length + " / " + result.alerts.length;
        summary.dataset.events = String(result.events.length);
        summary.dataset.alerts = String(result.alerts.length);
        render();
      });
  }

  form.addEventListener("submit", function (e) {
    if (form.port.value !== new URLSearchParams(config.replay_url.split("?")[1]).get("port")) { return; }
    e.preventDefault();
    load();
  });
  slider.addEventListener("input", render);
  document.getElementById("rp-step").addEventListener("click", function () {
    var t = Number(slider.value);
    var next = data.events.concat(data.alerts.map(function (a) { return { time: a.first_seen }; }))
      .map(function (e) { return ms(e.time); })
      .filter(function (at) { return at > t; })
      .sort(function (x, y) { return x - y; })[0];
    if (next !== undefined) { slider.value = String(next); render(); }
  });
  document.getElementById("rp-play").addEventListener("click", function () {
    var button = this;
    if (timer) { clearInterval(timer); timer = null; button.setAttribute("aria-pressed", "false"); return; }
    button.setAttribute("aria-pressed", "true");
    // One minute of the window per tenth of a second.
    timer = setInterval(function () {
      var t = Number(slider.value) + 60 * 1000;
      if (t >= Number(slider.max)) { t = Number(slider.max); clearInterval(timer); timer = null; button.setAttribute("aria-pressed", "false"); }
      slider.value = String(t);
      render();
    }, 100);
  });
  load();
})();
