/* Port2Port reporting: the proof of work of the public forms, and the map pin.
 *
 * A form with data-pow carries a signed challenge (input pow_token) and the
 * number of leading zero bits asked (data-pow-bits). Before the form is sent,
 * this script looks for a number n such that SHA-256(token + ":" + n) starts
 * with that many zero bits, puts it in pow_solution and sends the form. The
 * search runs in slices so that the page stays responsive. Without scripts the
 * form is sent as it is, and the server applies a smaller shared allowance.
 *
 * No inline scripts or handlers: the Content Security Policy forbids them.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
  ];
  var W = new Int32Array(64);

  // SHA-256 of an ASCII string; returns the first 32-bit word and the second,
  // which is all the zero-bit test needs (difficulties stay under 64 bits).
  function sha256Head(text) {
    var length = text.length;
    var words = ((length + 9 + 63) >> 6) << 4;
    var m = new Int32Array(words);
    for (var i = 0; i < length; i++) {
      m[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8);
    }
    m[length >> 2] |= 0x80 << (24 - (length & 3) * 8);
    m[words - 1] = length * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
    var h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var block = 0; block < words; block += 16) {
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (var t = 0; t < 64; t++) {
        if (t < 16) {
          W[t] = m[block + t];
        } else {
          var w15 = W[t - 15], w2 = W[t - 2];
          var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
          var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
          W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
        }
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0;
        d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return [h0 >>> 0, h1 >>> 0];
  }

  function zeroBits(head) {
    if (head[0] !== 0) {
      return Math.clz32(head[0]);
    }
    return 32 + Math.clz32(head[1]);
  }

  function solve(token, bits, done) {
    var counter = 0;
    var prefix = token + ":";
    function slice() {
      var end = counter + 20000;
      for (; counter < end; counter++) {
        if (zeroBits(sha256Head(prefix + counter)) >= bits) {
          done(String(counter));
          return;
        }
      }
      window.setTimeout(slice, 0);
    }
    slice();
  }

  function setupForm(form) {
    var token = form.querySelector("input[name=pow_token]");
    var solution = form.querySelector("input[name=pow_solution]");
    var status = form.querySelector("[data-pow-status]");
    var bits = parseInt(form.getAttribute("data-pow-bits") || "0", 10);
    if (!token || !solution) {
      return;
    }
    var solved = false;
    form.addEventListener("submit", function (event) {
      if (solved) {
        return;
      }
      event.preventDefault();
      var buttons = form.querySelectorAll("button[type=submit]");
      buttons.forEach(function (button) {
        button.disabled = true;
      });
      if (status) {
        status.hidden = false;
      }
      solve(token.value, bits, function (answer) {
        solution.value = answer;
        solved = true;
        form.submit();
      });
    });
  }

  // The optional map pin: a click puts the pin and fills the hidden fields.
  function setupMap() {
    var element = document.getElementById("report-map");
    var config = document.getElementById("report-map-ports");
    var lat = document.querySelector("input[name=latitude]");
    var lon = document.querySelector("input[name=longitude]");
    var clear = document.querySelector("[data-map-clear]");
    if (!element || !config || !lat || !lon || typeof window.L === "undefined") {
      return;
    }
    var L = window.L;
    element.hidden = false;
    var map = L.map(element, { attributionControl: false, zoomControl: true });
    var ports = JSON.parse(config.textContent || "[]");
    var layers = [];
    var all = null;
    ports.forEach(function (port) {
      if (port.boundary) {
        var area = L.geoJSON(port.boundary, {
          style: { color: "#0f7f79", weight: 1, fillOpacity: 0.08 },
          interactive: false,
        });
        layers.push(area);
        all = all ? all.extend(area.getBounds()) : area.getBounds();
      }
      if (port.centre && port.centre.coordinates) {
        var c = port.centre.coordinates;
        layers.push(
          L.circleMarker([c[1], c[0]], { radius: 3, color: "#173c66", interactive: false })
        );
      }
    });
    // The view first: layers drawn on a map without one cannot be placed.
    if (all) {
      map.fitBounds(all, { padding: [10, 10] });
    } else {
      map.setView([51.1, 4.0], 8);
    }
    layers.forEach(function (layer) {
      layer.addTo(map);
    });
    var pin = null;
    function place(latlng) {
      if (pin) {
        pin.setLatLng(latlng);
      } else {
        pin = L.circleMarker(latlng, { radius: 9, color: "#b3261e", weight: 3 }).addTo(map);
      }
      lat.value = latlng.lat.toFixed(5);
      lon.value = latlng.lng.toFixed(5);
      if (clear) {
        clear.hidden = false;
      }
    }
    if (lat.value && lon.value) {
      place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
    }
    map.on("click", function (event) {
      place(event.latlng);
    });
    if (clear) {
      clear.addEventListener("click", function () {
        if (pin) {
          map.removeLayer(pin);
          pin = null;
        }
        lat.value = "";
        lon.value = "";
        clear.hidden = true;
      });
    }
  }

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  ready(function () {
    document.querySelectorAll("form[data-pow]").forEach(setupForm);
    setupMap();
  });
})();
