/* Time tracking on the ticket page: while the tab is visible and the agent has used the keyboard or
   mouse lately, the time panel reports activity once per heartbeat (htmx posts it and swaps in the new
   totals). Hidden tab or idle agent: no report, so the clock stops. The page shows no text of its own. */
(function () {
  "use strict";
  var lastInput = Date.now();
  function mark() { lastInput = Date.now(); }
  ["keydown", "pointerdown", "pointermove", "wheel", "scroll", "input", "focusin"].forEach(function (type) {
    document.addEventListener(type, mark, { passive: true, capture: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { mark(); }
  });

  function totals() { return document.getElementById("time-totals"); }

  var started = false;
  function start() {
    var panel = totals();
    if (started || !panel || !window.htmx) { return; }
    started = true;
    var seconds = parseInt(panel.getAttribute("data-heartbeat-seconds"), 10) || 30;
    // Reading counts too: idle only after two heartbeats without any input.
    var idleAfter = 2 * seconds * 1000;
    window.setInterval(function () {
      var target = totals();
      if (!target || target.hasAttribute("data-stopped")) { return; }
      if (document.visibilityState !== "visible" || Date.now() - lastInput > idleAfter) { return; }
      window.htmx.trigger(target, "pomoc:active");
    }, seconds * 1000);
  }
  // The sidebar holding the panel arrives after the page (htmx swaps it in): start once it is there.
  document.addEventListener("htmx:load", start);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
