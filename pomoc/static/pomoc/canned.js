// Canned responses in the reply box: type "#" and a few letters; the matching canned responses
// appear under the box (search as you type), each previewed for this ticket with its placeholders
// filled; Enter, Tab or a click inserts the chosen one in place of "#…", and its attachments join
// the reply's files. Inserting goes through window.pomocComposer.insert(textarea, {text, html}) when
// the composer provides it, else into the textarea at the caret. Strings come from the Django
// JavaScript catalog.
(function () {
  "use strict";

  var picker = document.getElementById("canned-picker");
  var textarea = document.getElementById("reply-body");
  if (!picker || !textarea) return;

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  var list = document.getElementById("canned-options");
  var preview = document.getElementById("canned-picker-preview");
  var searchUrl = picker.dataset.searchUrl;
  var baseUrl = picker.dataset.useUrl;
  var ticket = picker.dataset.ticket || "";
  var form = textarea.form;
  var TOKEN = /(^|\s)#([^\s#]{0,50})$/;
  var DELAY = 120; // ms of quiet typing before asking the server

  var items = [];
  var active = -1;
  var token = null; // {start, end, query} of the "#…" being typed
  var timer = null;
  var asked = 0; // the newest request: older answers arriving late are dropped

  function csrf() {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // In the rich editor the caret lives there, not in the (hidden) textarea: pomocComposer knows it.
  function editorApi() {
    return window.pomocComposer && window.pomocComposer.textBeforeCaret ? window.pomocComposer : null;
  }

  function currentToken() {
    var before;
    if (editorApi()) {
      before = editorApi().textBeforeCaret(textarea);
    } else {
      if (textarea.selectionStart !== textarea.selectionEnd) return null;
      before = textarea.value.slice(0, textarea.selectionStart);
    }
    var match = TOKEN.exec(before);
    if (!match) return null;
    var caret = textarea.selectionStart;
    return { start: caret - match[2].length - 1, end: caret, length: match[2].length + 1, query: match[2] };
  }

  function close() {
    picker.hidden = true;
    textarea.removeAttribute("aria-activedescendant");
    textarea.setAttribute("aria-expanded", "false");
    items = [];
    active = -1;
    token = null;
  }

  function show(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      if (i === active) {
        textarea.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({ block: "nearest" });
      }
    });
    var item = items[active];
    preview.textContent = item ? item.preview : "";
    if (item && item.attachments.length) {
      var files = document.createElement("p");
      files.className = "hint";
      files.textContent = interpolate(gettext("Attachments: %(names)s"), { names: item.attachments.join(", ") }, true);
      preview.appendChild(files);
    }
  }

  function render(query) {
    if (!items.length && /^[0-9]+$/.test(query)) { close(); return; } // "#1234": a ticket number, most likely
    list.textContent = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "canned-option-" + item.id;
      li.setAttribute("role", "option");
      li.dataset.index = String(i);
      var name = document.createElement("code");
      name.textContent = "#" + item.name;
      var scope = document.createElement("span");
      scope.className = "muted";
      scope.textContent = item.department || item.scope_label;
      li.appendChild(name);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(scope);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the caret in the textarea
        choose(i);
      });
      list.appendChild(li);
    });
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = query
        ? interpolate(gettext("No canned response matches “%(query)s”."), { query: query }, true)
        : gettext("No canned responses yet.");
      list.appendChild(none);
    }
    picker.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    show(items.length ? 0 : -1);
  }

  function search() {
    token = currentToken();
    if (!token) { close(); return; }
    var number = ++asked;
    var query = token.query;
    var url = searchUrl + "?q=" + encodeURIComponent(query) + "&ticket=" + encodeURIComponent(ticket);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (data) {
        if (number !== asked || !token) return;
        items = data.items || [];
        render(query);
      })
      .catch(function () { if (number === asked) close(); });
  }

  function insertAtCaret(text) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    textarea.setRangeText(text, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attach(files) {
    var input = form && form.querySelector("input[type=file][name=attachments]");
    if (!input || !files.length || typeof DataTransfer === "undefined") return Promise.resolve();
    return Promise.all(files.map(function (file) {
      return fetch(file.url, { credentials: "same-origin" })
        .then(function (response) { return response.blob(); })
        .then(function (blob) { return new File([blob], file.name, { type: file.content_type }); });
    })).then(function (loaded) {
      var transfer = new DataTransfer();
      Array.prototype.forEach.call(input.files || [], function (file) { transfer.items.add(file); });
      loaded.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function choose(index) {
    var item = items[index];
    var where = token;
    if (!item || !where) return;
    close();
    var body = new FormData();
    body.append("ticket", ticket);
    fetch(baseUrl + item.id + "/use/", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
    })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (data) {
        // Take out the "#…" typed, then insert where it was.
        if (editorApi()) {
          editorApi().replaceBeforeCaret(textarea, where.length, { text: data.text, html: data.html });
        } else {
          textarea.setRangeText("", where.start, Math.min(where.end, textarea.value.length), "start");
          textarea.focus();
          insertAtCaret(data.text);
        }
        return attach(data.attachments || []);
      })
      .catch(function () {
        preview.textContent = gettext("The canned response could not be inserted. Try again.");
        picker.hidden = false;
      });
  }

  // Right under the text being typed, wherever the page put the picker.
  textarea.insertAdjacentElement("afterend", picker);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", "canned-options");
  textarea.setAttribute("aria-expanded", "false");

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    if (!currentToken()) { close(); return; }
    timer = setTimeout(search, DELAY);
  });

  var keys = textarea.closest("[data-composer]") || textarea; // the editor's keys bubble to its box
  keys.addEventListener("keydown", function (event) {
    if (picker.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      show((active + step + items.length) % items.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      event.stopPropagation();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });

  keys.addEventListener("focusout", function () { setTimeout(close, 150); });
})();
