/* Port2Port shell behaviour: the phone menu, the user menu, copy and print buttons.
 *
 * Loaded synchronously in <head> so that the "js" class is set before the page is
 * drawn (the phone menu then starts folded without a flash). Everything else waits
 * for the document. No inline scripts or handlers: the CSP forbids them.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function setupMenu() {
    var button = document.querySelector("[data-menu-toggle]");
    if (!button) {
      return;
    }
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  function setupUserMenu() {
    var menus = document.querySelectorAll("[data-usermenu]");
    if (!menus.length) {
      return;
    }
    document.addEventListener("click", function (event) {
      menus.forEach(function (details) {
        if (details.open && !details.contains(event.target)) {
          details.open = false;
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      menus.forEach(function (details) {
        if (details.open) {
          details.open = false;
          var summary = details.querySelector("summary");
          if (summary) {
            summary.focus();
          }
        }
      });
    });
  }

  // <button data-copy-target="id" data-copied-label="Copied">: copy the text of #id.
  function setupCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent.trim();
        var done = function () {
          var label = button.getAttribute("data-copied-label");
          if (label) {
            button.textContent = label;
          }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () {
            selectText(target);
          });
        } else {
          selectText(target);
        }
      });
    });
  }

  // <button data-print hidden>: print the page (shown only where scripts run).
  function setupPrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  ready(function () {
    setupMenu();
    setupUserMenu();
    setupCopyButtons();
    setupPrintButtons();
  });
})();
