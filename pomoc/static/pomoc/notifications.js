// The bell in the top bar, live: live.js turns "notification.created" and "notifications.read" into
// "pomoc:notification" events on <body>; this keeps the count and, when the agent allowed it in this
// browser, shows a browser notification. The preferences page has the switch for this browser.
(function () {
  "use strict";

  var body = document.body;
  var bell = document.getElementById("bell");
  if (!body || !bell) return;

  var gettext = window.gettext || function (text) { return text; };
  var count = document.getElementById("bell-count");
  var STORAGE_KEY = "pomoc.browserNotifications"; // "on" when the agent turned them on here
  var supported = "Notification" in window;

  function browserOn() {
    try {
      return supported && Notification.permission === "granted" && window.localStorage.getItem(STORAGE_KEY) === "on";
    } catch (error) {
      return false;
    }
  }

  function setCount(unread) {
    var value = parseInt(unread, 10) || 0;
    count.textContent = value > 99 ? "99+" : String(value);
    count.hidden = value === 0;
    bell.classList.toggle("has-unread", value > 0);
    bell.dataset.unread = String(value); // lets tests wait for a count
  }

  // --- the chat ring: a sound of its own for a visitor waiting in the chat queue -----------------
  // (notifications of tickets make no sound). Agents switch it off in their notification
  // preferences; then the server sends them no such notification at all.
  var audio = null;
  function ring() {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      if (audio.state === "suspended") audio.resume();
      var start = audio.currentTime;
      [0, 0.45].forEach(function (offset) { // two double-tones: a telephone's ring, short
        [[880, 0], [1175, 0.12]].forEach(function (tone) {
          var oscillator = audio.createOscillator();
          var gain = audio.createGain();
          oscillator.type = "sine";
          oscillator.frequency.value = tone[0];
          var at = start + offset + tone[1];
          gain.gain.setValueAtTime(0.0001, at);
          gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.11);
          oscillator.connect(gain).connect(audio.destination);
          oscillator.start(at);
          oscillator.stop(at + 0.12);
        });
      });
      body.dataset.chatRang = String((parseInt(body.dataset.chatRang || "0", 10) || 0) + 1); // for tests
    } catch (error) {
      // no sound in this browser: the bell still rings
    }
  }
  // browsers start sound only after the page was touched once
  document.addEventListener("pointerdown", function () {
    if (audio && audio.state === "suspended") audio.resume();
  }, { once: true });

  body.addEventListener("pomoc:notification", function (event) {
    var data = event.detail || {};
    if (typeof data.unread === "number") setCount(data.unread);
    if (data.event !== "notification.created") return;
    if (data.sound === "ring") ring();
    bell.classList.remove("rang");
    void bell.offsetWidth; // restart the animation
    bell.classList.add("rang");
    if (!browserOn()) return;
    try {
      var shown = new Notification(data.title || gettext("Notifications"), { body: data.body || "", tag: "pomoc-" + data.id });
      shown.onclick = function () {
        window.focus();
        if (data.url) window.location.href = data.url;
        shown.close();
      };
    } catch (error) {
      // Some browsers only allow notifications from a service worker: the bell still counts.
    }
  });

  // --- the switch on the preferences page --------------------------------------------------------
  var toggle = document.querySelector("[data-browser-notifications-toggle]");
  var state = document.querySelector("[data-browser-notifications-state]");
  if (!toggle || !state) return;

  function renderSwitch() {
    toggle.hidden = !supported || (supported && Notification.permission === "denied");
    if (!supported) {
      state.textContent = gettext("This browser cannot show notifications.");
    } else if (Notification.permission === "denied") {
      state.textContent = gettext("This browser blocks notifications from Pomoc; allow them in its site settings.");
    } else if (browserOn()) {
      toggle.textContent = gettext("Turn off in this browser");
      state.textContent = gettext("On in this browser.");
    } else {
      toggle.textContent = gettext("Turn on in this browser");
      state.textContent = gettext("Off in this browser.");
    }
  }

  toggle.addEventListener("click", function () {
    if (browserOn()) {
      window.localStorage.setItem(STORAGE_KEY, "off");
      renderSwitch();
      return;
    }
    Notification.requestPermission().then(function (permission) {
      if (permission === "granted") window.localStorage.setItem(STORAGE_KEY, "on");
      renderSwitch();
    });
  });
  renderSwitch();
})();
