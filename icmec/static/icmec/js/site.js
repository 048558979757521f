// Progressive enhancement only: every core flow works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (!toggle || !nav) return;

  var narrow = window.matchMedia("(max-width: 52rem)");
  function sync() {
    if (narrow.matches) {
      toggle.hidden = false;
      nav.setAttribute("data-collapsed", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
    } else {
      toggle.hidden = true;
      nav.removeAttribute("data-collapsed");
    }
  }
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    sync();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      sync();
      toggle.focus();
    }
  });
  narrow.addEventListener("change", sync);
  sync();
})();
