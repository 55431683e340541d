// Drafts on the ticket page: what the agent types into the reply and note boxes is saved on the
// server as they type (debounced, at most one save every two seconds per box), restored when they
// come back (on this device or another), and the other agents' drafts are shown in #draft-notice.
//
// Contract with the composer: #reply-body / #note-body always hold the plain text and fire "input";
// a hidden body_html in the same form may hold the HTML. A restored draft goes through
// window.pomocComposer.set(textarea, {text, html}) when a composer is there.
(function () {
  "use strict";

  var body = document.body;
  var data = document.getElementById("ticket-drafts");
  var notice = document.getElementById("draft-notice");
  if (!body || !data || !notice) return;

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  var DEBOUNCE = 800; // ms after the last keystroke
  var MIN_INTERVAL = 2000; // ms between two saves of one box
  var userId = parseInt(body.dataset.userId || "", 10) || null;
  var baseUrl = notice.dataset.draftsUrl;
  var boxes = { reply: document.getElementById("reply-body"), note: document.getElementById("note-body") };
  var state = {}; // kind -> {timer, lastSaved, lastSent, sending}

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function statusOf(kind) {
    var box = boxes[kind];
    var element = box.form && box.form.querySelector(".draft-status");
    if (!element) {
      element = document.createElement("span");
      element.className = "draft-status";
      element.setAttribute("role", "status");
      var actions = box.form && box.form.querySelector(".actions");
      (actions || box.parentNode).appendChild(element);
    }
    return element;
  }

  function showStatus(kind, text, failed) {
    var element = statusOf(kind);
    element.textContent = text;
    element.classList.toggle("is-failed", !!failed);
  }

  function content(kind) {
    var box = boxes[kind];
    var html = box.form ? box.form.querySelector("[name=body_html]") : null;
    return { text: box.value, html: html ? html.value : "" };
  }

  function save(kind, keepalive) {
    var s = state[kind];
    clearTimeout(s.timer);
    s.timer = null;
    var now = content(kind);
    var key = now.text + "\u0000" + now.html;
    if (key === s.lastSent) return;
    var wait = s.lastSaved + MIN_INTERVAL - Date.now();
    if (wait > 0 && !keepalive) {
      s.timer = setTimeout(function () { save(kind); }, wait);
      return;
    }
    s.lastSent = key;
    s.lastSaved = Date.now();
    var form = new FormData();
    form.append("text", now.text);
    form.append("html", now.html);
    showStatus(kind, gettext("Saving draft…"));
    fetch(baseUrl + kind + "/", {
      method: "POST", body: form, credentials: "same-origin", keepalive: !!keepalive,
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      showStatus(kind, answer.saved ? gettext("Draft saved") : "");
      body.dataset.draftState = "saved"; // lets tests wait for the save
    }).catch(function () {
      s.lastSent = null; // try again with the next keystroke
      showStatus(kind, gettext("Draft not saved"), true);
    });
  }

  function onInput(kind) {
    var s = state[kind];
    clearTimeout(s.timer);
    body.dataset.draftState = "typing";
    s.timer = setTimeout(function () { save(kind); }, DEBOUNCE);
  }

  function restore(kind, draft) {
    var box = boxes[kind];
    if (!box || !draft || box.value.trim()) return; // the page came back with what was typed: keep it
    if (window.pomocComposer && typeof window.pomocComposer.set === "function") {
      window.pomocComposer.set(box, { text: draft.text, html: draft.html });
    } else {
      box.value = draft.text;
    }
    state[kind].lastSent = draft.text + "\u0000" + (draft.html || "");
    showStatus(kind, gettext("Draft restored"));
  }

  function renderNotice(others) {
    var list = notice.querySelector(".draft-notice-list");
    list.textContent = "";
    others.forEach(function (draft) {
      if (draft.user === userId) return;
      var item = document.createElement("li");
      var format = draft.kind === "note"
        ? gettext("%(name)s has an unsent note on this ticket")
        : gettext("%(name)s has an unsent reply on this ticket");
      item.textContent = interpolate(format, { name: draft.name }, true);
      list.appendChild(item);
    });
    notice.hidden = !list.children.length;
  }

  function refreshNotice() {
    fetch(baseUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) renderNotice(answer.others || []); })
      .catch(function () { /* the notice stays as it was */ });
  }

  var drafts = {};
  try {
    drafts = JSON.parse(data.textContent || "{}");
  } catch (error) {
    drafts = {};
  }

  Object.keys(boxes).forEach(function (kind) {
    var box = boxes[kind];
    if (!box) return;
    state[kind] = { timer: null, lastSaved: 0, lastSent: box.value + "\u0000" };
    box.addEventListener("input", function () { onInput(kind); });
    if (box.form) {
      // The server ends the draft once the message is stored; a save still waiting must not bring it back.
      box.form.addEventListener("submit", function () {
        clearTimeout(state[kind].timer);
        state[kind].lastSent = content(kind).text + "\u0000" + content(kind).html;
      });
    }
  });

  function restoreAll() {
    Object.keys(boxes).forEach(function (kind) {
      if (boxes[kind]) restore(kind, (drafts.mine || {})[kind]);
    });
    body.dataset.draftsRestored = "true";
  }

  // After every deferred script (a composer among them) has run.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restoreAll);
  } else {
    restoreAll();
  }
  window.addEventListener("pagehide", function () {
    Object.keys(state).forEach(function (kind) {
      if (state[kind].timer) save(kind, true);
    });
  });
  body.addEventListener("pomoc:draft-changed", function (event) {
    if (event.detail && event.detail.user !== userId) refreshNotice();
  });
})();
