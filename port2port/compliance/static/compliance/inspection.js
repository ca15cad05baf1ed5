/* Carrying out an inspection on a phone: every answer is kept on the device
 * (localStorage) until the server confirms it, and sent again when the
 * connection comes back. Saves are idempotent on the server: an answer carries
 * the time it was given on the device, and an older save never replaces a newer
 * one, so a queue replayed out of order ends in the latest answer. */
(function () {
  "use strict";

  var form = document.getElementById("inspection-form");
  if (!form) {
    return;
  }
  var statusBox = document.getElementById("save-status");
  var storeKey = "p2p-inspection-" + form.dataset.inspection;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var MAX_SIDE = 1600;
  var sending = false;
  var offline = !navigator.onLine;
  var errors = {};

  function empty() {
    return { answers: {}, photos: {} };
  }

  function load() {
    try {
      var raw = JSON.parse(window.localStorage.getItem(storeKey));
      if (raw && raw.answers && raw.photos) {
        return raw;
      }
    } catch (e) {
      /* A damaged entry is replaced below. */
    }
    return empty();
  }

  var state = load();

  function save() {
    try {
      window.localStorage.setItem(storeKey, JSON.stringify(state));
    } catch (e) {
      errors._storage = e.message;
    }
  }

  function uuid4() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" +
      h.slice(16, 20) + "-" + h.slice(20);
  }

  function itemBox(key) {
    return form.querySelector('.run-item[data-item="' + key + '"]');
  }

  function collect(key) {
    var box = itemBox(key);
    var body = { choice: "", number: null, text: "", comment: "" };
    var type = box.dataset.type;
    if (type === "yes_no_na") {
      var checked = box.querySelector('input[type=radio]:checked');
      body.choice = checked ? checked.value : "";
    } else if (type === "number") {
      var value = box.querySelector('input[type=number]').value;
      body.number = value === "" ? null : value;
    } else if (type === "text") {
      body.text = box.querySelector('textarea[name="' + key + '"]').value;
    } else if (type === "photo" && !box.querySelector(".run-photo-list img")) {
      body.choice = "";
    }
    var comment = box.querySelector("textarea[data-comment-for]");
    body.comment = comment ? comment.value : "";
    body.client_saved_at = new Date().toISOString();
    return body;
  }

  function answerable(key, body) {
    var type = itemBox(key).dataset.type;
    if (type === "yes_no_na") {
      return body.choice !== "";
    }
    if (type === "number") {
      return body.number !== null;
    }
    if (type === "text") {
      return body.text.trim() !== "";
    }
    return body.comment.trim() !== "";
  }

  function restore() {
    Object.keys(state.answers).forEach(function (key) {
      var box = itemBox(key);
      var body = state.answers[key];
      if (!box) {
        return;
      }
      if (body.choice) {
        var radio = box.querySelector('input[type=radio][value="' + body.choice + '"]');
        if (radio) {
          radio.checked = true;
        }
      }
      var number = box.querySelector("input[type=number]");
      if (number && body.number !== null) {
        number.value = body.number;
      }
      var text = box.querySelector('textarea[name="' + key + '"]');
      if (text) {
        text.value = body.text;
      }
      var comment = box.querySelector("textarea[data-comment-for]");
      if (comment) {
        comment.value = body.comment;
      }
    });
    Object.keys(state.photos).forEach(function (id) {
      thumb(state.photos[id].item, state.photos[id].data);
    });
  }

  function thumb(key, src) {
    var list = form.querySelector('[data-photos-of="' + key + '"]');
    if (!list) {
      return;
    }
    var img = document.createElement("img");
    img.className = "thumb";
    img.width = 56;
    img.height = 56;
    img.alt = "";
    img.src = src;
    list.appendChild(img);
  }

  function render() {
    var pending = Object.keys(state.answers).length + Object.keys(state.photos).length;
    Object.keys(state.answers).forEach(function (key) {
      var mark = form.querySelector('[data-state-of="' + key + '"]');
      if (mark) {
        mark.textContent = "…";
      }
    });
    var text;
    var mode;
    var refused = Object.keys(errors).filter(function (k) { return k !== "_storage"; });
    if (refused.length) {
      mode = "error";
      text = statusBox.dataset.textError + " " + refused.map(function (k) {
        return errors[k];
      }).join(" ");
    } else if (pending && offline) {
      mode = "offline";
      text = statusBox.dataset.textOffline + " (" + pending + ")";
    } else if (pending) {
      mode = "saving";
      text = statusBox.dataset.textPending + " " + pending;
    } else {
      mode = "saved";
      text = statusBox.dataset.textSaved;
    }
    statusBox.dataset.state = mode;
    statusBox.dataset.pending = String(pending);
    statusBox.textContent = text;
  }

  function request(method, url, body) {
    return window.fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf
      },
      body: JSON.stringify(body)
    });
  }

  /* Final answers: the server took the save, or refused it for good (bad input,
   * a finished inspection). Anything else (no connection, a server error, a
   * lost session) keeps the save on the device for the next try. */
  function final(status) {
    return (status >= 200 && status < 300) || status === 400 || status === 404 ||
      status === 409;
  }

  function message(response) {
    return response.json().then(function (body) {
      return body && body.error ? body.error.message : String(response.status);
    }, function () {
      return String(response.status);
    });
  }

  function sendAnswer(key) {
    var body = state.answers[key];
    var url = form.dataset.answerUrl.replace("ITEM", encodeURIComponent(key));
    return request("PUT", url, body).then(function (response) {
      offline = false;
      if (!final(response.status)) {
        throw new Error("retry");
      }
      var mark = form.querySelector('[data-state-of="' + key + '"]');
      /* Only forget the save the server answered for; a newer one waits. */
      if (state.answers[key] && state.answers[key].client_saved_at === body.client_saved_at) {
        delete state.answers[key];
      }
      save();
      if (response.ok) {
        delete errors[key];
        if (mark) {
          mark.textContent = "✓";
        }
        return null;
      }
      return message(response).then(function (text) {
        errors[key] = text;
        if (mark) {
          mark.textContent = "✗ " + text;
        }
      });
    });
  }

  function sendPhoto(id) {
    var photo = state.photos[id];
    return request("POST", form.dataset.photoUrl, {
      client_id: id,
      content_type: photo.content_type,
      data: photo.data,
      item: photo.item
    }).then(function (response) {
      offline = false;
      if (!final(response.status)) {
        throw new Error("retry");
      }
      delete state.photos[id];
      save();
      if (!response.ok) {
        return message(response).then(function (text) {
          errors["photo-" + id] = text;
        });
      }
      return null;
    });
  }

  function flush() {
    if (sending) {
      return;
    }
    var jobs = Object.keys(state.answers).map(function (key) {
      return function () { return sendAnswer(key); };
    }).concat(Object.keys(state.photos).map(function (id) {
      return function () { return sendPhoto(id); };
    }));
    if (!jobs.length) {
      render();
      return;
    }
    sending = true;
    var chain = Promise.resolve();
    jobs.forEach(function (job) {
      chain = chain.then(job);
    });
    chain.catch(function () {
      offline = true;
    }).then(function () {
      sending = false;
      render();
    });
  }

  function keyOf(target) {
    var box = target.closest(".run-item");
    return box ? box.dataset.item : null;
  }

  function remember(key) {
    var body = collect(key);
    if (!answerable(key, body)) {
      return;
    }
    state.answers[key] = body;
    save();
    render();
    flush();
  }

  var timers = {};
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.dataset.photoFor) {
      takePhoto(target);
      return;
    }
    var key = keyOf(target);
    if (key) {
      window.clearTimeout(timers[key]);
      remember(key);
    }
  });
  form.addEventListener("input", function (event) {
    var key = keyOf(event.target);
    if (!key || event.target.type === "radio" || event.target.type === "file") {
      return;
    }
    window.clearTimeout(timers[key]);
    timers[key] = window.setTimeout(function () { remember(key); }, 800);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  function takePhoto(input) {
    var file = input.files && input.files[0];
    var key = input.dataset.photoFor;
    input.value = "";
    if (!file) {
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        var data = canvas.toDataURL("image/jpeg", 0.8);
        var id = uuid4();
        state.photos[id] = { item: key, content_type: "image/jpeg", data: data };
        save();
        thumb(key, data);
        render();
        flush();
      };
      img.src = reader.result;
    };
    reader.readAsDataURL(file);
  }

  window.addEventListener("online", function () {
    offline = false;
    flush();
  });
  window.addEventListener("offline", function () {
    offline = true;
    render();
  });
  window.setInterval(flush, 5000);
  restore();
  render();
  flush();
}());
