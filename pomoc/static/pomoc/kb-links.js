// "Insert article link" beside the reply box: search published articles as you type and insert the
// chosen one's title and address at the caret, through window.pomocComposer.insert(textarea,
// {text, html}) when the rich composer runs, else into the plain textarea.
(function () {
  "use strict";

  var picker = document.getElementById("kb-link-picker");
  if (!picker) return;
  var input = document.getElementById("kb-link-q");
  var list = document.getElementById("kb-link-options");
  var textarea = document.getElementById(picker.dataset.target);
  if (!input || !list || !textarea) return;
  var timer = null;
  var asked = 0;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function ask() {
    var query = input.value.trim();
    if (!query) { list.innerHTML = ""; return; }
    var mine = ++asked;
    fetch(picker.dataset.searchUrl + "?q=" + encodeURIComponent(query), { headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (mine === asked) list.innerHTML = html; });
  }

  function choose(option) {
    if (!option || !option.dataset.url) return;
    var url = option.dataset.url;
    var title = option.dataset.title;
    var value = { text: title + " " + url, html: '<a href="' + escapeHtml(url) + '">' + escapeHtml(title) + "</a>" };
    if (window.pomocComposer && window.pomocComposer.insert) {
      window.pomocComposer.insert(textarea, value);
    } else {
      var at = textarea.selectionStart || textarea.value.length;
      textarea.value = textarea.value.slice(0, at) + value.text + textarea.value.slice(at);
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    picker.open = false;
    input.value = "";
    list.innerHTML = "";
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // never submit the reply from here
      choose(list.querySelector("[data-url]"));
    }
    if (event.key === "ArrowDown") {
      var first = list.querySelector("[data-url]");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  list.addEventListener("click", function (event) {
    choose(event.target.closest("[data-url]"));
  });
  list.addEventListener("keydown", function (event) {
    var options = Array.prototype.slice.call(list.querySelectorAll("[data-url]"));
    var at = options.indexOf(document.activeElement);
    if (event.key === "Enter") { event.preventDefault(); choose(document.activeElement); }
    if (event.key === "ArrowDown" && at < options.length - 1) { event.preventDefault(); options[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? options[at - 1] : input).focus(); }
  });
})();
