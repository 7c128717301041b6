/* Parcours — a table wider than the screen scrolls sideways inside its .table-wrap (a phone, or
   a zoomed page: WCAG 1.4.10). Such a wrapper then takes the keyboard focus, so that the arrow
   keys scroll it (WCAG 2.1.1), and is named after its table's caption. A wrapper that fits gets
   nothing: no useless tab stop. Wrappers given a tabindex in the template are left alone. */
(function () {
  "use strict";
  var MARK = "data-scroll-focus";

  function name(wrap) {
    var caption = wrap.querySelector("caption");
    var text = caption ? caption.textContent : "";
    if (!text.trim()) {
      var section = wrap.closest("[aria-labelledby]");
      var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
      text = heading ? heading.textContent : "";
    }
    return text.replace(/\s+/g, " ").trim();
  }

  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var managed = wrap.hasAttribute(MARK);
      if (!managed && wrap.hasAttribute("tabindex")) return;
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !managed) {
        wrap.setAttribute(MARK, "");
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "group");
        var label = name(wrap);
        if (label) wrap.setAttribute("aria-label", label);
      } else if (!scrolls && managed) {
        [MARK, "tabindex", "role", "aria-label"].forEach(function (attribute) {
          wrap.removeAttribute(attribute);
        });
      }
    });
  }

  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      update();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
