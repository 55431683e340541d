// Knowledge base in the portal: suggestions as the visitor types in a search box that has
// data-suggest-url. Debounced; the server answers with a small HTML list (escaped by Django);
// answers that arrive after a newer question are dropped. Without JavaScript the form still works.
(function () {
  "use strict";

  var DELAY = 200; // ms of quiet typing before asking

  function enhance(input) {
    var box = document.getElementById(input.getAttribute("aria-controls"));
    if (!box) return;
    var timer = null;
    var asked = 0;

    function close() {
      box.innerHTML = "";
    }

    function ask() {
      var query = input.value.trim();
      if (query.length < 2) { close(); return; }
      var mine = ++asked;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(query), { headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (mine !== asked) return;
          box.innerHTML = html;
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); }
      if (event.key === "ArrowDown") {
        var first = box.querySelector("a");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    box.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(box.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
      if (event.key === "Escape") { close(); input.focus(); }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target) && event.target !== input) close();
    });
  }

  document.querySelectorAll("input[data-suggest-url]").forEach(enhance);
})();
