/* Port2Port map: ports, port areas, facilities, zones and access points.
 *
 * Configuration comes from <script type="application/json" id="map-config">
 * (Django's json_script):
 *   features_url      GeoJSON FeatureCollection of the caller's visible features
 *   port              optional UN/LOCODE: only that port's features
 *   focus             optional {layer, id}: fit the map to that feature
 *   tile_url          optional raster tile URL; without it only vector layers are
 *                     drawn, so that the map works on a closed network
 *   tile_attribution  attribution of the tiles
 *   labels            translated labels
 * The #map element may add translated labels as data-label-* attributes.
 *
 * Popups are built as DOM nodes with textContent, never as HTML strings, so that
 * names from the registry cannot inject markup (and no inline style is needed).
 */
(function () {
  "use strict";

  var configElement = document.getElementById("map-config");
  var mapElement = document.getElementById("map");
  var statusElement = document.getElementById("map-status");
  if (!configElement || !mapElement || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var config = JSON.parse(configElement.textContent || "{}");
  var configLabels = config.labels || {};

  // data-label-port-areas="..." becomes dataset.labelPortAreas.
  function label(key, fallback) {
    var dataKey =
      "label" +
      key
        .split("_")
        .map(function (part) {
          return part.charAt(0).toUpperCase() + part.slice(1);
        })
        .join("");
    if (mapElement.dataset[dataKey]) {
      return mapElement.dataset[dataKey];
    }
    if (configLabels[key]) {
      return configLabels[key];
    }
    return fallback;
  }

  function setStatus(text, isError) {
    if (!statusElement) {
      return;
    }
    statusElement.textContent = text || "";
    statusElement.classList.toggle("map-status--error", Boolean(isError));
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  // Styles ---------------------------------------------------------------------

  var NAVY = "#0f2b4c";
  var LEVEL_COLOURS = { 1: "#1d7a3a", 2: "#f2b01e", 3: "#b3261e" };
  var ZONE_COLOURS = { public: "#64748b", controlled: "#d98a00", restricted: "#c0262d" };

  var focus = config.focus || null;

  function isFocused(props) {
    return Boolean(focus && props.layer === focus.layer && String(props.id) === String(focus.id));
  }

  function facilityStyle(feature) {
    var focused = isFocused(feature.properties || {});
    return {
      color: focused ? NAVY : "#0b6e69",
      weight: focused ? 3.5 : 2,
      fillColor: "#0f7f79",
      fillOpacity: focused ? 0.3 : 0.25,
    };
  }

  function zoneStyle(feature) {
    var kind = (feature.properties || {}).kind;
    var colour = ZONE_COLOURS[kind] || ZONE_COLOURS.public;
    return {
      color: colour,
      weight: 1.5,
      dashArray: kind === "restricted" ? null : "5 4",
      fillColor: colour,
      fillOpacity: kind === "restricted" ? 0.25 : 0.15,
    };
  }

  function portAreaStyle() {
    return {
      color: "#173c66",
      weight: 1.5,
      dashArray: "6 6",
      fill: true,
      fillColor: "#173c66",
      fillOpacity: 0.03,
      interactive: false,
    };
  }

  // Popups ---------------------------------------------------------------------

  function popup(title, rows, url) {
    var root = document.createElement("div");
    root.className = "p2p-popup";
    var heading = document.createElement("strong");
    heading.className = "p2p-popup__title";
    heading.textContent = title || "";
    root.appendChild(heading);
    rows.forEach(function (row) {
      if (row === null || row === undefined || row === "") {
        return;
      }
      var p = document.createElement("div");
      p.className = "p2p-popup__row";
      if (row instanceof Node) {
        p.appendChild(row);
      } else {
        p.textContent = String(row);
      }
      root.appendChild(p);
    });
    if (url) {
      var link = document.createElement("a");
      link.className = "p2p-popup__link";
      link.href = url;
      link.textContent = label("open", "Open") + " →";
      root.appendChild(link);
    }
    return root;
  }

  function levelRow(level) {
    if (!level) {
      return null;
    }
    var fragment = document.createDocumentFragment();
    fragment.appendChild(document.createTextNode(label("security_level", "Security level") + ":"));
    var badge = document.createElement("span");
    badge.className = "level level--" + level;
    badge.textContent = String(level);
    fragment.appendChild(badge);
    return fragment;
  }

  function prefixed(key, fallback, value) {
    return label(key, fallback) + ": " + value;
  }

  function zoneKindLabel(props) {
    if (props.kind_label) {
      return props.kind_label;
    }
    return label("zone_" + props.kind, props.kind || "");
  }

  // Layers ---------------------------------------------------------------------

  var map = L.map(mapElement, {
    zoomControl: true,
    attributionControl: Boolean(config.tile_url),
    preferCanvas: false,
    zoomSnap: 0.25,
    maxZoom: 19,
  });
  if (config.tile_url) {
    L.tileLayer(config.tile_url, {
      maxZoom: 19,
      attribution: config.tile_attribution || "",
    }).addTo(map);
    map.attributionControl.setPrefix(false);
  }
  L.control.scale({ imperial: false }).addTo(map);
  // A neutral view of Belgium until the data arrive.
  map.setView([50.85, 4.35], 8);

  var groups = {
    port_area: L.featureGroup(),
    facility: L.featureGroup(),
    zone: L.featureGroup(),
    access_point: L.featureGroup(),
    port: L.featureGroup(),
  };
  // Drawing order, bottom to top.
  var ORDER = ["port_area", "facility", "zone", "access_point", "port"];
  var focusedLayer = null;

  function addFeature(feature) {
    var props = feature.properties || {};
    var group = groups[props.layer];
    if (!group || !feature.geometry) {
      return;
    }
    var layer;
    if (props.layer === "port") {
      layer = L.geoJSON(feature, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {
            radius: 9,
            color: NAVY,
            weight: 2,
            fillColor: LEVEL_COLOURS[props.security_level] || LEVEL_COLOURS[1],
            fillOpacity: 0.95,
          });
        },
      });
      layer.bindTooltip(escapeHtml(props.name || props.id), {
        permanent: true,
        direction: "right",
        offset: [10, 0],
        className: "p2p-port-label",
      });
      layer.bindPopup(
        popup(props.name, [props.id, levelRow(props.security_level)], props.url)
      );
    } else if (props.layer === "port_area") {
      layer = L.geoJSON(feature, { style: portAreaStyle });
    } else if (props.layer === "facility") {
      layer = L.geoJSON(feature, { style: facilityStyle });
      layer.bindPopup(
        popup(
          props.name,
          [
            props.kind,
            props.isps ? label("isps", "ISPS facility") : label("not_isps", "Not an ISPS facility"),
          ],
          props.url
        )
      );
      layer.bindTooltip(escapeHtml(props.name || ""), { sticky: true });
    } else if (props.layer === "zone") {
      layer = L.geoJSON(feature, { style: zoneStyle });
      layer.bindPopup(popup(props.name, [prefixed("zone", "Zone", zoneKindLabel(props))], null));
    } else if (props.layer === "access_point") {
      layer = L.geoJSON(feature, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {
            radius: 5,
            color: NAVY,
            weight: 2,
            fillColor: "#ffffff",
            fillOpacity: 1,
          });
        },
      });
      layer.bindPopup(popup(props.name, [props.code, props.kind], null));
      layer.bindTooltip(escapeHtml(props.code || props.name || ""), { direction: "top" });
    }
    if (!layer) {
      return;
    }
    group.addLayer(layer);
    if (isFocused(props)) {
      focusedLayer = layer;
    }
  }

  function restack() {
    ORDER.forEach(function (name) {
      if (map.hasLayer(groups[name])) {
        groups[name].bringToFront();
      }
    });
  }

  function fit() {
    var bounds = null;
    if (focusedLayer && focusedLayer.getBounds) {
      bounds = focusedLayer.getBounds();
    }
    if (!bounds || !bounds.isValid()) {
      bounds = L.latLngBounds([]);
      ORDER.forEach(function (name) {
        var b = groups[name].getBounds();
        if (b.isValid()) {
          bounds.extend(b);
        }
      });
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: focusedLayer ? 17 : 16 });
      return true;
    }
    return false;
  }

  var overlays = {};
  var layerNames = {
    port: label("ports", label("port", "Ports")),
    port_area: label("port_areas", "Port areas"),
    facility: label("facilities", label("facility", "Facilities")),
    zone: label("zones", label("zone", "Zones")),
    access_point: label("access_points", label("access_point", "Access points")),
  };
  ["port", "port_area", "facility", "zone", "access_point"].forEach(function (name) {
    // Leaflet writes the name as HTML: escape it.
    overlays[escapeHtml(layerNames[name])] = groups[name];
  });
  ORDER.forEach(function (name) {
    groups[name].addTo(map);
  });
  L.control
    .layers(null, overlays, {
      collapsed: mapElement.clientHeight < 450 || window.matchMedia("(max-width: 700px)").matches,
    })
    .addTo(map);
  map.on("overlayadd", restack);

  // Data -----------------------------------------------------------------------

  var url = config.features_url;
  if (config.port) {
    url += (url.indexOf("?") < 0 ? "?" : "&") + "port=" + encodeURIComponent(config.port);
  }
  setStatus(label("loading", "Loading the map…"), false);
  fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/geo+json, application/json" },
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (data) {
      (data.features || []).forEach(addFeature);
      restack();
      if (fit()) {
        setStatus("", false);
      } else {
        setStatus(label("empty", "There is nothing to show on the map."), false);
      }
    })
    .catch(function () {
      setStatus(label("error", "The map data could not be loaded."), true);
    });
})();
