// Site-wide behaviour for portal/base.html. Everything here is an enhancement: without
// JavaScript the menu is shown open (see the <noscript> rule) and every form still posts.
(function () {
  "use strict";

  function setupMenu() {
    var button = document.querySelector("[data-nav-toggle]");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !nav) return;

    function setOpen(open, returnFocus) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
      if (!open && returnFocus) button.focus();
    }

    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true", false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false, true);
      }
    });
    // Leaving the menu with Tab (or tapping elsewhere) closes it on phones.
    document.addEventListener("click", function (event) {
      if (button.getAttribute("aria-expanded") === "true" && !nav.contains(event.target) && !button.contains(event.target)) {
        setOpen(false, false);
      }
    });
    nav.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !nav.contains(event.relatedTarget) && event.relatedTarget !== button) {
        setOpen(false, false);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupMenu);
  } else {
    setupMenu();
  }
})();
