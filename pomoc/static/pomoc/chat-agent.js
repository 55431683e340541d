// The live chat panel of a chat ticket: its own socket (/ws/chat-agent/<conversation>/).
//
// Lines are kept by seq: a seq already shown is never shown twice, a gap (a frame with a seq beyond
// the next) asks the server again with "hello" and the last seq held. After every reconnect the
// panel says "hello" with that seq and gets exactly what it missed: no reload. Visitor text is
// put in as text (never HTML); web addresses become links with rel="noopener noreferrer nofollow".
(function () {
  "use strict";

  var panel = document.getElementById("chat-panel");
  if (!panel || !("WebSocket" in window)) return;

  var gettext = window.gettext || function (text) { return text; };
  var list = panel.querySelector("[data-chat-lines]");
  var typingLine = panel.querySelector("[data-chat-typing]");
  var statusBadge = panel.querySelector("[data-chat-status]");
  var liveState = panel.querySelector("[data-chat-live]");
  var form = panel.querySelector("[data-chat-compose]");
  var input = panel.querySelector("[data-chat-input]");
  var template = panel.querySelector("[data-chat-line-template]");
  var MAX_BACKOFF = 30000;
  var TYPING_SEND_EVERY = 2500;
  var TYPING_SHOWN_FOR = 6000;
  var STATUS_NAMES = { queued: gettext("Waiting"), open: gettext("Open"), ended: gettext("Ended") };
  var STATE_NAMES = { sent: gettext("Sent"), delivered: gettext("Delivered"), read: gettext("Read") };

  var held = {};
  var lastSeq = 0;
  Array.prototype.forEach.call(list.querySelectorAll("[data-seq]"), function (item) {
    var seq = parseInt(item.dataset.seq, 10);
    if (seq) { held[seq] = true; lastSeq = Math.max(lastSeq, seq); }
  });
  var socket = null;
  var attempts = 0;
  var lastTypingSent = 0;
  var typingTimer = null;
  var pending = [];

  function setLive(state) {
    panel.dataset.live = state; // tests and styles read it
    liveState.textContent = state === "live" ? "" : gettext("Reconnecting…");
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function linkified(text, into) {
    var pattern = /\bhttps?:\/\/[^\s<>"']+/gi;
    var at = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var url = match[0].replace(/[.,;:!?)\]]+$/, "");
      into.appendChild(document.createTextNode(text.slice(at, match.index)));
      var link = document.createElement("a");
      link.href = url;
      link.rel = "noopener noreferrer nofollow";
      link.target = "_blank";
      link.textContent = url;
      into.appendChild(link);
      at = match.index + url.length;
      pattern.lastIndex = at;
    }
    into.appendChild(document.createTextNode(text.slice(at)));
  }

  function render(frame) {
    var item = template.content.firstElementChild.cloneNode(true);
    item.className = "chat-line chat-line-" + frame.author;
    item.dataset.seq = frame.seq;
    item.querySelector(".chat-line-who").textContent =
      frame.author === "system" ? "·" : (frame.name || panel.dataset.visitorName || gettext("Visitor"));
    var body = item.querySelector(".chat-line-body");
    body.textContent = "";
    linkified(frame.body || "", body);
    (frame.attachments || []).forEach(function (file) {
      // the ticket's attachment download (it checks the agent's access); a bare name without a url
      var link = document.createElement(file.url ? "a" : "span");
      link.className = "chat-file";
      if (file.url && file.url.charAt(0) === "/") link.href = file.url;
      link.textContent = file.name;
      item.insertBefore(link, item.querySelector("time"));
    });
    var at = new Date(frame.at);
    var time = item.querySelector("time");
    time.dateTime = frame.at;
    time.textContent = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    var state = item.querySelector(".chat-line-state");
    state.dataset.state = frame.state;
    state.textContent = frame.author === "agent" ? (STATE_NAMES[frame.state] || "") : "";
    return item;
  }

  function add(frame) {
    if (held[frame.seq]) return;
    if (frame.seq > lastSeq + 1) { send({ type: "hello", after: lastSeq }); return; } // a gap: ask again
    held[frame.seq] = true;
    lastSeq = Math.max(lastSeq, frame.seq);
    list.appendChild(render(frame));
    list.scrollTop = list.scrollHeight;
    if (frame.author === "visitor") {
      typingLine.hidden = true;
      if (document.visibilityState === "visible") send({ type: "read", seq: frame.seq });
    }
  }

  function markAgentLines(upto, state) {
    Array.prototype.forEach.call(list.querySelectorAll(".chat-line-agent"), function (item) {
      var label = item.querySelector(".chat-line-state");
      if (parseInt(item.dataset.seq, 10) <= upto && label.dataset.state !== "read") {
        label.dataset.state = state;
        label.textContent = STATE_NAMES[state] || "";
      }
    });
  }

  function onFrame(frame) {
    if (frame.type === "message") add(frame);
    else if (frame.type === "status") {
      panel.dataset.status = frame.status;
      statusBadge.textContent = STATUS_NAMES[frame.status] || frame.status;
      statusBadge.className = "chat-status chat-status-" + frame.status;
    } else if (frame.type === "state" && frame.author === "agent") markAgentLines(frame.seq, frame.state);
    else if (frame.type === "typing" && frame.author === "visitor") {
      typingLine.hidden = !frame.on;
      typingLine.textContent = gettext("The visitor is typing…");
      clearTimeout(typingTimer);
      if (frame.on) typingTimer = setTimeout(function () { typingLine.hidden = true; }, TYPING_SHOWN_FOR);
    } else if (frame.type === "error") {
      liveState.textContent = frame.message || "";
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + panel.dataset.socket);
    socket.onopen = function () {
      attempts = 0;
      setLive("live");
      send({ type: "hello", after: lastSeq });
      // the lines the page showed are read when the agent is looking at it
      if (lastSeq && document.visibilityState === "visible") send({ type: "read", seq: lastSeq });
      while (pending.length) send(pending.shift());
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (error) { return; }
      onFrame(frame);
    };
    socket.onclose = function (event) {
      setLive("offline");
      if (event.code === 4403 || event.code === 4401) return;
      attempts += 1;
      var wait = Math.min(MAX_BACKOFF, 500 * Math.pow(2, Math.min(attempts, 6)));
      setTimeout(connect, wait + Math.random() * 300);
    };
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      var frame = { type: "message", client_id: newId(), body: body };
      if (!send(frame)) pending.push(frame); // sent when the socket is back
      input.value = "";
      send({ type: "typing", on: false });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTypingSent > TYPING_SEND_EVERY) { lastTypingSent = now; send({ type: "typing", on: true }); }
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && lastSeq) send({ type: "read", seq: lastSeq });
  });
  window.addEventListener("online", function () {
    if (!socket || socket.readyState === WebSocket.CLOSED) connect();
  });
  connect();
})();
