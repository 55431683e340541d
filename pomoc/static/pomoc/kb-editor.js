// The article editor: a live preview of the Markdown, rendered and sanitized by the server
// (the same code that renders the published article), asked for after a pause in typing.
(function () {
  "use strict";

  var preview = document.getElementById("kb-preview");
  var body = document.querySelector("textarea.kb-markdown");
  if (!preview || !body) return;
  var form = body.form;
  var timer = null;
  var asked = 0;

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function refresh() {
    var mine = ++asked;
    var data = new FormData();
    data.append("body", body.value);
    fetch(preview.dataset.previewUrl, { method: "POST", body: data, headers: { "X-CSRFToken": csrf() } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (mine === asked) preview.innerHTML = html; });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  refresh();
})();
