// Live updates for the agent interface: one websocket per page (/ws/live/).
//
// Pages opt in with data attributes on <body>: data-live-ticket="<ticket id>" on a ticket page,
// data-live-inbox on inbox pages. Events are turned into DOM events on <body>
// ("pomoc:ticket-changed", "pomoc:inbox-changed") that htmx regions listen to and re-fetch
// themselves on. Presence ("also viewing") and typing ("also replying") are shown in
// #presence and #collision-warning. Every string goes through the Django JavaScript catalog.
(function () {
  "use strict";

  var body = document.body;
  if (!body || !("WebSocket" in window)) return;

  var ticketId = parseInt(body.dataset.liveTicket || "", 10) || null;
  var watchInbox = body.dataset.liveInbox !== undefined;
  // data-live-notifications: the page shows the bell (notifications.js listens to "pomoc:notification").
  var watchNotifications = body.dataset.liveNotifications !== undefined;
  // data-live-chats: the live chats page ("pomoc:chats-changed" when its departments' chats change).
  var watchChats = body.dataset.liveChats !== undefined;
  if (!ticketId && !watchInbox && !watchNotifications && !watchChats) return;

  var userId = parseInt(body.dataset.userId || "", 10) || null;
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var TYPING_SEND_EVERY = 3000; // ms between "typing" messages while the agent types
  var TYPING_SHOWN_FOR = 8000; // ms a collision warning stays after the other agent stops
  var PING_EVERY = 25000; // keeps idle proxies from closing the socket
  var MAX_BACKOFF = 30000;
  var CLOSE_UNAUTHENTICATED = 4401;
  var CLOSE_FORBIDDEN = 4403;

  var socket = null;
  var attempts = 0;
  var connectedBefore = false;
  var pingTimer = null;
  var lastTypingSent = 0;
  var viewers = {}; // user id -> display name
  var typists = {}; // user id -> {name, until}
  var typingTimer = null;
  var inboxTimer = null;
  var chatsTimer = null;
  var CHATS_FALLBACK_EVERY = 10000; // ms: while the socket is not subscribed, the chats page polls

  function setState(state) {
    body.dataset.liveState = state; // lets tests and styles know whether the page is live
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function emit(name, detail) {
    body.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function inboxChanged(detail) {
    // Bursts (bulk changes) refresh the inbox once.
    clearTimeout(inboxTimer);
    inboxTimer = setTimeout(function () { emit("pomoc:inbox-changed", detail); }, 300);
  }

  // --- presence and typing -----------------------------------------------------------------
  function othersIn(map) {
    return Object.keys(map).filter(function (id) { return parseInt(id, 10) !== userId; });
  }

  function names(ids, map) {
    return ids.map(function (id) { return map[id].name || map[id]; }).join(", ");
  }

  function renderPresence() {
    var element = document.getElementById("presence");
    if (!element) return;
    var ids = othersIn(viewers);
    if (!ids.length) {
      element.textContent = "";
      element.hidden = true;
      return;
    }
    element.textContent = interpolate(gettext("Also on this ticket: %(names)s"), { names: names(ids, viewers) }, true);
    element.hidden = false;
  }

  function renderCollision() {
    var element = document.getElementById("collision-warning");
    if (!element) return;
    var now = Date.now();
    Object.keys(typists).forEach(function (id) {
      if (typists[id].until <= now) delete typists[id];
    });
    var ids = othersIn(typists);
    if (!ids.length) {
      element.textContent = "";
      element.hidden = true;
      return;
    }
    var format = ids.length === 1
      ? gettext("%(name)s is also replying to this ticket")
      : gettext("%(name)s are also replying to this ticket");
    element.textContent = interpolate(format, { name: names(ids, typists) }, true);
    element.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(renderCollision, 1000);
  }

  function onTypingInput(event) {
    // A person typing in the reply (the rich editor or the plain box): trusted events only, so a
    // draft restored by script or the editor's own copy into the textarea are not "typing".
    var target = event.target;
    if (!ticketId || !event.isTrusted || !target || !target.closest || !target.closest("#reply-form")) return;
    var now = Date.now();
    if (now - lastTypingSent < TYPING_SEND_EVERY) return;
    lastTypingSent = now;
    send({ action: "typing", ticket: ticketId });
  }

  function chatsChanged(detail) {
    clearTimeout(chatsTimer); // a burst (accepted and the queue changed) fetches once
    chatsTimer = setTimeout(function () { emit("pomoc:chats-changed", detail); }, 300);
  }

  // --- events from the server ----------------------------------------------------------------
  function handle(data) {
    if (!data || data.error) return;
    switch (data.event) {
      case "subscribed":
        setState("subscribed");
        return;
      case "pong":
        return;
      case "agent.viewing":
        if (data.ticket === ticketId) viewers[data.user] = data.name;
        renderPresence();
        return;
      case "agent.left":
        delete viewers[data.user];
        delete typists[data.user];
        renderPresence();
        renderCollision();
        return;
      case "agent.typing":
        if (data.ticket !== ticketId || data.user === userId) return;
        typists[data.user] = { name: data.name, until: Date.now() + TYPING_SHOWN_FOR };
        renderCollision();
        return;
      case "inbox.changed":
        if (watchInbox) inboxChanged(data);
        return;
      case "chats.changed":
        if (watchChats) chatsChanged(data);
        return;
      case "ticket.gone":
        if (data.ticket === ticketId) emit("pomoc:ticket-changed", data);
        return;
      case "notification.created":
      case "notifications.read":
        emit("pomoc:notification", data);
        return;
      case "draft.changed":
        if (data.ticket === ticketId) emit("pomoc:draft-changed", data);
        return;
    }
    // Ticket events: ticket.created, ticket.updated, message.added, ...
    if (ticketId && data.ticket === ticketId) {
      if (data.actor && typists[data.actor] && data.event === "message.added") {
        delete typists[data.actor]; // they sent what they were typing
        renderCollision();
      }
      if (data.actor !== userId) emit("pomoc:ticket-changed", data);
    }
    if (watchInbox) inboxChanged(data);
  }

  // --- the socket ----------------------------------------------------------------------------
  function url() {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + "/ws/live/";
  }

  function connect() {
    setState("connecting");
    socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      attempts = 0;
      setState("connected");
      if (ticketId) send({ action: "subscribe_ticket", ticket: ticketId });
      if (watchInbox || watchChats) send({ action: "subscribe_inbox" });
      if (connectedBefore) {
        // Events may have been missed while disconnected: refresh once.
        if (ticketId) emit("pomoc:ticket-changed", { event: "reconnected" });
        if (watchInbox) inboxChanged({ event: "reconnected" });
        if (watchChats) chatsChanged({ event: "reconnected" });
      }
      connectedBefore = true;
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ action: "ping" }); }, PING_EVERY);
    });
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handle(data);
    });
    socket.addEventListener("close", function (event) {
      clearInterval(pingTimer);
      viewers = {};
      typists = {};
      renderPresence();
      renderCollision();
      if (event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_FORBIDDEN) {
        setState("refused"); // logged out or not an agent: retrying would not help
        return;
      }
      setState("disconnected");
      var delay = Math.min(MAX_BACKOFF, 1000 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
      attempts += 1;
      setTimeout(connect, delay);
    });
  }

  if (watchChats) {
    // the fallback: without a subscribed socket the page still follows, every 10 s
    setInterval(function () {
      if (body.dataset.liveState !== "subscribed") emit("pomoc:chats-changed", { event: "poll" });
    }, CHATS_FALLBACK_EVERY);
  }

  document.addEventListener("input", onTypingInput);
  window.addEventListener("pagehide", function () {
    if (socket) socket.close(1000);
  });
  connect();
})();
