/* The main menu on narrow screens: folded behind one disclosure button (aria-expanded, aria-controls).
   Loaded in <head> without defer so the page is marked before it is painted: the stylesheet folds
   the menu only on pages marked "has-menu-script", so without JavaScript the menu simply stays open.
   Enter and Space toggle (a native button); Escape closes the menu and returns focus to the button. */
(function () {
  "use strict";
  document.documentElement.classList.add("has-menu-script");

  function setOpen(header, button, open) {
    header.classList.toggle("menu-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function wire() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-toggle");
    if (!button) return;
    setOpen(header, button, false);
    button.addEventListener("click", function () {
      setOpen(header, button, button.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      var folded = getComputedStyle(button).display !== "none";
      if (event.key === "Escape" && folded && button.getAttribute("aria-expanded") === "true") {
        setOpen(header, button, false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
