// The contact form: while the customer types the subject, articles that may answer it are shown.
// Opening one is counted (a deflection, unless the same visit then sends the form).
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  if (!form) { return; }
  var subject = document.getElementById("contact-subject");
  var box = document.getElementById("contact-suggestions");
  var list = box.querySelector("ul");
  var status = document.getElementById("contact-suggestions-status");
  var timer = null;
  var asked = "";

  function field(name) {
    var input = form.querySelector("input[name='" + name + "']");
    return input ? input.value : "";
  }

  function opened(url) {
    var data = new FormData();
    data.append("visit", field("visit"));
    data.append("department", field("department"));
    data.append("article", url);
    if (navigator.sendBeacon) {
      navigator.sendBeacon(form.dataset.visitUrl, data);
    } else {
      fetch(form.dataset.visitUrl, { method: "POST", body: data, keepalive: true });
    }
  }

  function show(articles) {
    list.textContent = "";
    articles.forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.url;
      link.textContent = article.title;
      link.target = "_blank";
      link.rel = "noopener";
      link.addEventListener("click", function () { opened(article.url); });
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = articles.length === 0;
    status.textContent = articles.length ? (box.dataset.found || "").replace("%s", articles.length) : "";
  }

  function ask() {
    var text = subject.value.trim();
    if (text === asked) { return; }
    asked = text;
    if (text.length < 3) { show([]); return; }
    fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { articles: [] }; })
      .then(function (data) { if (text === asked) { show(data.articles || []); } })
      .catch(function () { /* no suggestions: the form still works */ });
  }

  subject.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
  if (subject.value) { ask(); }
})();
