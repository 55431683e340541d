// @mentions in the note box: typing "@" and a few letters offers the agents who can see the ticket;
// choosing one (click, Enter or Tab) writes "@username". Arrow keys move, Escape closes.
(function () {
  "use strict";

  var box = document.getElementById("note-body");
  var holder = document.getElementById("mention-suggestions");
  if (!box || !holder) return;

  var url = holder.dataset.url;
  var gettext = window.gettext || function (text) { return text; };
  var list = document.createElement("ul");
  list.className = "mention-list";
  list.id = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", gettext("Agents to mention"));
  list.hidden = true;
  holder.appendChild(list);
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", "mention-list");

  var active = -1;
  var agents = [];
  var asked = "";
  var timer = null;

  // In the rich editor the caret lives there, not in the (hidden) textarea: pomocComposer knows it.
  function editorApi() {
    return window.pomocComposer && window.pomocComposer.textBeforeCaret ? window.pomocComposer : null;
  }

  function currentQuery() {
    var before = editorApi() ? editorApi().textBeforeCaret(box) : box.value.slice(0, box.selectionStart);
    var found = /(^|[^\w@])@([\w.+-]{0,30})$/.exec(before);
    return found ? found[2] : null;
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    agents = [];
    active = -1;
    box.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
      item.classList.toggle("is-active", i === index);
    });
    if (index >= 0) box.setAttribute("aria-activedescendant", "mention-" + index);
  }

  function choose(index) {
    var agent = agents[index];
    if (!agent) return;
    if (editorApi()) {
      var typed = currentQuery();
      close();
      editorApi().replaceBeforeCaret(box, (typed || "").length + 1, { text: "@" + agent.username + " " });
      return;
    }
    var position = box.selectionStart;
    var before = box.value.slice(0, position).replace(/@([\w.+-]{0,30})$/, "@" + agent.username + " ");
    box.value = before + box.value.slice(position);
    box.selectionStart = box.selectionEnd = before.length;
    close();
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function render() {
    list.textContent = "";
    agents.forEach(function (agent, index) {
      var item = document.createElement("li");
      item.id = "mention-" + index;
      item.setAttribute("role", "option");
      item.className = "mention-option";
      var name = document.createElement("span");
      name.textContent = agent.name;
      var handle = document.createElement("span");
      handle.className = "muted";
      handle.textContent = "@" + agent.username;
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(handle);
      item.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box
        choose(index);
      });
      list.appendChild(item);
    });
    list.hidden = !agents.length;
    highlight(agents.length ? 0 : -1);
  }

  function lookUp() {
    var query = currentQuery();
    if (query === null) {
      close();
      return;
    }
    if (query === asked && agents.length) return;
    asked = query;
    fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.json() : { agents: [] }; })
      .then(function (answer) {
        if (currentQuery() !== query) return; // typed on meanwhile
        agents = answer.agents || [];
        render();
      })
      .catch(close);
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    if (currentQuery() === null) {
      close();
      return;
    }
    timer = setTimeout(lookUp, 150);
  });
  var keys = box.closest("[data-composer]") || box; // the editor's keys bubble to its box
  keys.addEventListener("keydown", function (event) {
    if (list.hidden || !agents.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + agents.length) % agents.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      choose(active < 0 ? 0 : active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  keys.addEventListener("focusout", function () { setTimeout(close, 150); });
})();
