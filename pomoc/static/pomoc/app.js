// Pomoc agent UI behaviour that is not htmx attributes. Loaded on every page (CSP: no inline JS).
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function isTyping(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-ticket-row]"));
  }

  function selectedRow() {
    return document.querySelector("[data-ticket-row].is-selected");
  }

  function selectRow(row) {
    var current = selectedRow();
    if (current) {
      current.classList.remove("is-selected");
      current.removeAttribute("aria-selected");
    }
    if (!row) return;
    row.classList.add("is-selected");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
  }

  function moveSelection(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(selectedRow());
    var next = index === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    selectRow(all[next]);
  }

  function openSelected() {
    var row = selectedRow();
    var link = row && row.querySelector("a.ticket-link");
    if (link) {
      window.location.assign(link.href);
      return true;
    }
    return false;
  }

  function toggleSelected() {
    var row = selectedRow();
    var box = row && row.querySelector("input[type=checkbox][name=ticket]");
    if (box) {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function focusField(id) {
    var field = document.getElementById(id);
    if (field) {
      field.focus();
      return true;
    }
    return false;
  }

  function showHelp() {
    var dialog = document.getElementById("shortcuts-help");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && isTyping(event.target)) {
      event.target.blur();
      return;
    }
    if (isTyping(event.target)) return;
    var dialog = document.getElementById("shortcuts-help");
    if (dialog && dialog.open) return;
    var handled = true;
    switch (event.key) {
      case "j": moveSelection(1); break;
      case "k": moveSelection(-1); break;
      case "o": handled = openSelected(); break;
      case "Enter":
        // Enter on a focused link or button keeps its usual meaning.
        handled = !(event.target instanceof Element && event.target.closest("a, button")) && openSelected();
        break;
      case "x": toggleSelected(); break;
      case "/": handled = focusField("global-search"); break;
      case "r": handled = focusField("reply-body"); break;
      case "n": handled = focusField("note-body"); break;
      case "?": showHelp(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    // A button that folds a part of the page on a phone (the menu, the inbox's filters): the part
    // it controls gets "is-open", and the stylesheet shows it.
    var toggle = target.closest("[data-toggle-open]");
    if (toggle) {
      var part = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = part && part.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    if (target.closest("[data-shortcuts-open]")) {
      showHelp();
      return;
    }
    var row = target.closest("[data-ticket-row]");
    if (row) selectRow(row);
  });

  // "Select all" checks every ticket box on the page (the boxes are re-rendered by htmx, so delegate).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.id === "select-all") {
      document.querySelectorAll("input[type=checkbox][name=ticket]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });

  // Live refreshes must not throw away what the agent is doing: a half-typed field, ticked
  // checkboxes or extra pages loaded with "Load more".
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-live-refresh")) return;
    var busy = elt.contains(document.activeElement) && isTyping(document.activeElement);
    if (elt.id === "inbox-table") {
      busy = busy || !!elt.querySelector("input[name=ticket]:checked") || elt.hasAttribute("data-extended");
    }
    if (busy) event.preventDefault();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.classList && target.classList.contains("load-more-row")) {
      var table = document.getElementById("inbox-table");
      if (table) table.setAttribute("data-extended", "1");
    }
  });

  // A panel loaded after the page (the ticket sidebar, the customer's value) that fails to load
  // says so and offers to try again, instead of "Loading…" forever.
  function lazyPanelFailed(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-lazy-panel") || !elt.getAttribute("hx-get")) return;
    elt.setAttribute("aria-busy", "false");
    var loading = elt.querySelector("[data-lazy-loading]");
    if (!loading || !window.htmx) return;
    var message = document.createElement("p");
    message.className = "lazy-failed";
    message.setAttribute("role", "alert");
    message.setAttribute("data-lazy-loading", "");
    message.textContent = gettext("This part of the page could not be loaded.") + " ";
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "link";
    retry.textContent = gettext("Try again");
    retry.addEventListener("click", function () {
      elt.setAttribute("aria-busy", "true");
      message.textContent = gettext("Loading…");
      window.htmx.ajax("GET", elt.getAttribute("hx-get"), { source: elt, target: elt, swap: "outerHTML" });
    });
    message.appendChild(retry);
    loading.replaceWith(message);
  }
  document.addEventListener("htmx:responseError", lazyPanelFailed);
  document.addEventListener("htmx:sendError", lazyPanelFailed);

  // Bulk apply with no ticket ticked says so where the agent is looking, instead of a round trip.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "bulk-form") return;
    var note = form.querySelector("[data-bulk-nothing]");
    if (document.querySelector("input[type=checkbox][name=ticket]:checked")) {
      if (note) note.hidden = true;
      return;
    }
    event.preventDefault();
    if (note) note.hidden = false;
  });
})();
