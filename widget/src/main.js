// Pomoc's chat widget: one <script> tag on any site (docs/chat-widget.md). Everything it draws
// lives in a shadow root, so the host page's CSS and ours never meet. No framework: a few DOM
// helpers, the protocol in connection.js, the strings in i18n.js.
import { Connection, rank } from "./connection.js";
import { pickLanguage, translator } from "./i18n.js";
import css from "./style.css";

const EMOJIS = ["😀", "😂", "😊", "😍", "🙂", "😉", "🤔", "😮", "😅", "😢", "😡", "👍",
  "👎", "👏", "🙏", "👋", "🤝", "🎉", "❤️", "🔥", "⭐", "💡", "✅", "❌"];
const CHAT_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
const CLIP_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5"/></svg>';
const SMILE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><circle cx="12" cy="12" r="9"/><path d="M8 14s1.5 2 4 2 4-2 4-2M9 9.5h.01M15 9.5h.01"/></svg>';
const SEND_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><path d="M3 20.5 21 12 3 3.5 3 10l12 2-12 2z"/></svg>';

/** h("button.icon", {onclick, "aria-label": …}, child…): a small element builder. */
function h(tag, props = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "html") el.innerHTML = value; // our own constant icons only, never content
    else if (key in el && !key.includes("-") && key !== "list") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) if (child != null && child !== false) el.append(child);
  return el;
}

function readableOn(colour) {
  const match = /^#?([0-9a-f]{6})$/i.exec(colour || "");
  if (!match) return "#fff";
  const n = parseInt(match[1], 16);
  const [r, g, b] = [n >> 16, (n >> 8) & 255, n & 255].map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.35 ? "#111" : "#fff";
}

function humanSize(bytes, language) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  try {
    return new Intl.NumberFormat(language, { style: "unit", unit: units[unit], unitDisplay: "short", maximumFractionDigits: 1 }).format(value);
  } catch {
    return `${Math.round(value)} ${["B", "KB", "MB", "GB"][unit]}`;
  }
}

function accepted(file, types) {
  if (!types || !types.length) return true;
  const name = file.name.toLowerCase();
  return types.some((type) => {
    const t = String(type).toLowerCase();
    if (t.startsWith(".")) return name.endsWith(t);
    if (t.endsWith("/*")) return (file.type || "").startsWith(t.slice(0, -1));
    return file.type === t;
  });
}

class Widget {
  constructor(script) {
    this.script = script;
    this.base = new URL(script.src, location.href).origin;
    this.inbox = script.dataset.pomocInbox;
    this.language = pickLanguage(script.dataset.pomocLanguage, document.documentElement.lang, navigator.language);
    this.t = translator(this.language);
    this.identity = this.identityFromAttributes();
    this.config = null;
    this.status = "none";
    this.conversationStatus = {};
    this.isOpen = false;
    this.unread = 0;
    this.hiddenTitle = null;
    this.typingOn = false;
    this.view = "loading";
    this.prechatDone = false;
    this.invite = null;
    this.conn = new Connection({ base: this.base, inbox: this.inbox, emit: (type, detail) => this.on(type, detail) });
    this.openKey = `pomoc-chat:${this.inbox}:open`;
    this.build();
    document.addEventListener("visibilitychange", () => this.visibility());
  }

  identityFromAttributes() {
    const data = this.script.dataset;
    if (!data.pomocUserId && !data.pomocUserEmail) return null;
    return { user_id: data.pomocUserId || "", email: data.pomocUserEmail || "", name: data.pomocUserName || "", hash: data.pomocUserHash || "" };
  }

  // --- building the DOM once ---------------------------------------------------------------
  build() {
    const t = this.t;
    this.host = h("div", { "data-pomoc-chat": "" });
    const shadow = this.host.attachShadow({ mode: "open" });
    this.shadow = shadow;
    this.badge = h("span.badge", { hidden: true, "aria-hidden": "true" });
    this.launcher = h("button.launcher", {
      type: "button", "aria-label": t("open"), "aria-expanded": "false", "aria-controls": "pomoc-panel", html: CHAT_ICON,
      onclick: () => (this.isOpen ? this.close() : this.open()),
    });
    this.launcher.append(this.badge);
    this.titleEl = h("h2", { id: "pomoc-title" }, t("title"));
    this.statusEl = h("p.status", { "aria-live": "polite" });
    this.endButton = h("button", { type: "button", hidden: true, onclick: () => this.endChat() }, t("end"));
    this.banner = h("p.banner", { role: "status", hidden: true });
    this.body = h("div.body");
    this.panel = h("div.panel", { id: "pomoc-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "pomoc-title", hidden: true,
      onkeydown: (event) => this.keydown(event) },
    h("header", {}, h("div.heading", {}, this.titleEl, this.statusEl), this.endButton,
      h("button.x", { type: "button", "aria-label": t("close"), onclick: () => this.close() }, "×")),
    this.banner, this.body);
    this.root = h("div.root", {}, this.panel, this.launcher);
    // A constructed style sheet is not an inline <style>: a host page's strict style-src allows it.
    if (shadow.adoptedStyleSheets && globalThis.CSSStyleSheet?.prototype.replaceSync) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
      shadow.append(this.root);
    } else {
      shadow.append(h("style", {}, css), this.root);
    }
    this.buildChat();
    const gesture = () => this.unlockSound();
    this.host.addEventListener("pointerdown", gesture);
    this.host.addEventListener("keydown", gesture);
    document.body.append(this.host);
  }

  buildChat() {
    const t = this.t;
    this.log = h("ol.log");
    this.scroller = h("div.scroll", { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": t("title"), tabindex: "0" }, this.log);
    this.typingEl = h("p.typing", { "aria-live": "polite" });
    this.errorText = h("span");
    this.errorEl = h("div.error", { role: "alert", hidden: true }, this.errorText,
      h("button", { type: "button", "aria-label": t("dismiss"), onclick: () => (this.errorEl.hidden = true) }, "×"));
    this.uploads = h("div.uploads");
    this.input = h("textarea", { rows: 1, placeholder: t("placeholder"), "aria-label": t("placeholder"),
      oninput: () => this.typing(), onkeydown: (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.sendText();
        }
      }, onpaste: (event) => {
        const files = [...(event.clipboardData?.files || [])];
        if (files.length) {
          event.preventDefault();
          files.forEach((file) => this.upload(file));
        }
      } });
    this.fileInput = h("input", { type: "file", hidden: true, multiple: true, tabindex: "-1", "aria-hidden": "true",
      onchange: () => {
        [...this.fileInput.files].forEach((file) => this.upload(file));
        this.fileInput.value = "";
      } });
    this.emojiButton = h("button.icon", { type: "button", "aria-label": t("emoji"), "aria-expanded": "false", "aria-haspopup": "true",
      html: SMILE_ICON, onclick: () => this.toggleEmojis() });
    this.emojis = h("div.emojis", { hidden: true, role: "group", "aria-label": t("emoji") },
      EMOJIS.map((emoji) => h("button", { type: "button", onclick: () => this.insertEmoji(emoji) }, emoji)));
    this.composer = h("form.composer", { onsubmit: (event) => {
      event.preventDefault();
      this.sendText();
    } }, this.emojis, this.emojiButton,
    h("button.icon", { type: "button", "aria-label": t("attach"), html: CLIP_ICON, onclick: () => this.fileInput.click() }),
    this.fileInput, this.input, h("button.icon.send", { type: "submit", "aria-label": t("send"), html: SEND_ICON }));
    this.dropEl = h("div.drop", { hidden: true }, t("drop"));
    this.endSection = h("div.end", { hidden: true });
    this.chatView = h("div.body", { hidden: true }, this.scroller, this.typingEl, this.uploads, this.errorEl, this.endSection, this.composer, this.dropEl);
    this.formView = h("div.body", { hidden: true });
    this.body.append(this.chatView, this.formView);
    let depth = 0;
    this.chatView.addEventListener("dragenter", (event) => {
      if (![...(event.dataTransfer?.types || [])].includes("Files")) return;
      depth += 1;
      this.dropEl.hidden = false;
    });
    this.chatView.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) this.dropEl.hidden = true;
    });
    this.chatView.addEventListener("dragover", (event) => event.preventDefault());
    this.chatView.addEventListener("drop", (event) => {
      event.preventDefault();
      depth = 0;
      this.dropEl.hidden = true;
      [...(event.dataTransfer?.files || [])].forEach((file) => this.upload(file));
    });
  }

  // --- start-up ----------------------------------------------------------------------------
  async start() {
    try {
      const data = await this.conn.session({ identity: this.identity, language: this.language });
      this.applySession(data);
      if (data.conversation && data.conversation.last_seq) await this.conn.history().catch(() => {});
      this.conn.connect();
      let wasOpen = null;
      try {
        wasOpen = sessionStorage.getItem(this.openKey);
      } catch {
        /* storage blocked */
      }
      if (wasOpen === "1") this.open({ focus: false });
    } catch (error) {
      this.fail(error);
    }
  }

  applySession(data) {
    this.config = data.config || {};
    this.visitor = data.visitor || {};
    const conversation = data.conversation;
    this.status = conversation?.status || "none";
    this.conversationStatus = conversation || {};
    const colour = this.config.colour;
    if (colour) {
      this.root.style.setProperty("--pc", colour);
      this.root.style.setProperty("--pc-text", readableOn(colour));
    }
    this.root.classList.toggle("left", this.config.position === "left");
    if (this.config.title) this.titleEl.textContent = this.config.title;
    if (this.config.accepted_types?.length) this.fileInput.accept = this.config.accepted_types.join(",");
    if (this.config.max_message_chars) this.input.maxLength = this.config.max_message_chars;
    if (this.config.greeting && !this.greetingShown) {
      this.greetingShown = true;
      this.log.prepend(h("li.msg.system.greeting", {}, h("div.bubble", {}, this.config.greeting)));
    }
    this.render();
  }

  fail(error) {
    this.showError(error?.message && error.status ? error.message : this.t("error"));
    this.render();
  }

  // --- events from the connection ----------------------------------------------------------
  on(type, detail) {
    switch (type) {
      case "message":
        this.showMessage(detail.message, detail.live);
        break;
      case "ack":
      case "state":
        this.refreshMarks();
        break;
      case "typing":
        this.agentTyping(detail);
        break;
      case "status":
        this.status = detail.status || this.status;
        this.conversationStatus = { ...this.conversationStatus, ...detail };
        if (typeof detail.online === "boolean" && this.config) this.config.online = detail.online;
        this.render();
        break;
      case "invite":
        this.invite = detail;
        this.log.append(h("li.msg.agent.invite", {}, h("p.who", {}, detail.name || this.t("agent")), h("div.bubble", {}, detail.message || "")));
        this.render();
        this.open({ focus: false });
        if (document.hidden) this.notify();
        else this.beep();
        break;
      case "error":
        if (detail.message) this.showError(detail.message);
        break;
      case "connection":
        this.banner.hidden = detail.state === "open";
        this.banner.textContent = this.t("reconnecting");
        break;
      case "forbidden":
        this.restartSession();
        break;
      case "reset":
        // Another conversation (or visitor): its numbers start at 1 again, and nothing of the old
        // one is unread any more.
        for (const el of [...this.log.querySelectorAll("li[data-seq]")]) el.remove();
        this.readSent = 0;
        this.clearUnread();
        break;
    }
  }

  async restartSession() {
    if (this.restarted) return this.showError(this.t("error"));
    this.restarted = true;
    try {
      const data = await this.conn.session({ identity: this.identity, language: this.language });
      this.applySession(data);
      this.conn.connect();
    } catch (error) {
      this.fail(error);
    }
  }

  // --- the message list ----------------------------------------------------------------------
  fileUrl(url) {
    // The visitor's own files are served to the visitor's token only (links open outside fetch).
    const link = new URL(url, this.base);
    if (link.origin === this.base && link.pathname.startsWith("/chat/api/") && this.conn.token) {
      link.searchParams.set("token", this.conn.token);
    }
    return link.href;
  }

  messageElement(message) {
    const t = this.t;
    const author = ["visitor", "agent", "system"].includes(message.author) ? message.author : "system";
    const files = (message.attachments || []).map((file) =>
      h("li", {}, file.url
        ? h("a", { href: this.fileUrl(file.url), target: "_blank", rel: "noopener noreferrer" }, file.name)
        : file.name, ` (${humanSize(file.size || 0, this.language)})`));
    const time = message.at ? new Date(message.at) : new Date();
    const meta = h("p.meta", {}, h("time", { datetime: time.toISOString() },
      new Intl.DateTimeFormat(this.language, { hour: "numeric", minute: "2-digit" }).format(time)));
    if (author === "visitor") meta.append(" ", h("span.mark"));
    const el = h(`li.msg.${author}`, {},
      author === "agent" ? h("p.who", {}, message.name || t("agent")) : null,
      author === "visitor" ? h("span.sr", {}, `${t("you")}: `) : null,
      h("div.bubble", {}, message.body || "", files.length ? h("ul.files", {}, files) : null),
      author === "system" ? null : meta);
    if (typeof message.seq === "number") el.dataset.seq = message.seq;
    if (message.client_id) el.dataset.clientId = message.client_id;
    return el;
  }

  placeBySeq(el, seq) {
    const later = [...this.log.querySelectorAll("li[data-seq]")].find((li) => Number(li.dataset.seq) > seq);
    const firstPending = this.log.querySelector("li.pending");
    this.log.insertBefore(el, later || firstPending || null);
  }

  showMessage(message, live) {
    const nearBottom = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 80;
    const pending = message.client_id && this.log.querySelector(`li.pending[data-client-id="${CSS.escape(message.client_id)}"]`);
    pending?.remove();
    const el = this.messageElement(message);
    this.placeBySeq(el, message.seq);
    this.refreshMarks();
    if (message.author === "agent") this.typingEl.textContent = "";
    if (nearBottom || message.author === "visitor") this.scroller.scrollTop = this.scroller.scrollHeight;
    if (live && message.author !== "visitor") {
      if (!this.isOpen || document.hidden) this.notify();
      else this.markRead();
    } else if (!live && message.author === "agent" && message.state !== "read") {
      // A reply that came while no page of the site was open (or before this one connected): the
      // visitor has not seen it, so it counts as unread too, without a sound.
      if (!this.isOpen || document.hidden) this.notify({ sound: false });
      else this.markRead();
    }
    if (this.status === "none" || this.status === "ended") {
      if (live && this.status === "none") this.status = "queued";
    }
    this.render();
  }

  showPending(item) {
    const el = this.messageElement({ author: "visitor", client_id: item.frame.client_id, body: item.frame.body, attachments: item.shown, at: item.at });
    el.classList.add("pending");
    this.log.append(el);
    this.refreshMarks();
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  refreshMarks() {
    const t = this.t;
    for (const el of this.log.querySelectorAll("li.visitor")) {
      const mark = el.querySelector(".mark");
      if (!mark) continue;
      const message = el.dataset.seq ? this.conn.messages.get(Number(el.dataset.seq)) : null;
      const state = message ? (rank(message.state) ? message.state : "sent") : "pending";
      mark.className = `mark ${state}`;
      mark.textContent = { pending: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓" }[state];
      mark.setAttribute("title", t(state));
      mark.setAttribute("aria-label", t(state));
      mark.setAttribute("role", "img");
    }
  }

  markRead() {
    let last = 0;
    for (const message of this.conn.messages.values()) if (message.author !== "visitor" && message.seq > last) last = message.seq;
    if (last && last > (this.readSent || 0)) {
      this.readSent = last;
      this.conn.sendSoon({ type: "read", seq: last });
    }
  }

  // --- sending -------------------------------------------------------------------------------
  beforeSending() {
    if (this.status === "ended") {
      // A new conversation numbers its messages from 1 again.
      this.conn.resetConversation();
      this.endSection.hidden = true;
      this.status = "none";
    }
  }

  sendText() {
    const body = this.input.value.trim();
    if (!body) return;
    this.beforeSending();
    this.input.value = "";
    this.stopTyping();
    this.showPending(this.conn.post(body));
    if (this.status === "none") this.status = "queued";
    this.render();
  }

  typing() {
    // Said again every 2 s while the visitor keeps typing: a lost or throttled "on" heals itself.
    const now = Date.now();
    if (!this.typingOn || now - this.typingSentAt > 2000) {
      this.typingOn = true;
      this.typingSentAt = now;
      this.conn.send({ type: "typing", on: true });
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), 3000);
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (this.typingOn) {
      this.typingOn = false;
      this.conn.send({ type: "typing", on: false });
    }
  }

  agentTyping(frame) {
    clearTimeout(this.agentTypingTimer);
    this.typingEl.textContent = frame.on ? this.t("typing", { name: frame.name || this.t("agent") }) : "";
    if (frame.on) this.agentTypingTimer = setTimeout(() => (this.typingEl.textContent = ""), 6000);
  }

  toggleEmojis(force) {
    const show = force ?? this.emojis.hidden;
    this.emojis.hidden = !show;
    this.emojiButton.setAttribute("aria-expanded", String(show));
    if (show) this.emojis.querySelector("button").focus();
  }

  insertEmoji(emoji) {
    const { selectionStart: start, selectionEnd: end, value } = this.input;
    this.input.value = value.slice(0, start) + emoji + value.slice(end);
    this.toggleEmojis(false);
    this.input.focus();
    this.input.selectionStart = this.input.selectionEnd = start + emoji.length;
  }

  async upload(file) {
    const t = this.t;
    const config = this.config || {};
    if (config.max_upload_bytes && file.size > config.max_upload_bytes) {
      return this.showError(t("too_big", { name: file.name, max: humanSize(config.max_upload_bytes, this.language) }));
    }
    if (!accepted(file, config.accepted_types)) return this.showError(t("bad_type", { name: file.name }));
    const bar = h("progress", { max: 1, value: 0, "aria-label": t("uploading", { name: file.name }) });
    const row = h("div.upload", { role: "status" }, h("span", {}, t("uploading", { name: file.name })), bar);
    this.uploads.append(row);
    try {
      const stored = await this.conn.upload(file, (share) => (bar.value = share));
      this.beforeSending();
      this.showPending(this.conn.post("", [stored.id], [{ name: stored.name || file.name, size: stored.size ?? file.size, type: stored.type || file.type }]));
      if (this.status === "none") this.status = "queued";
      this.render();
    } catch (error) {
      this.showError(error.status && error.message ? error.message : t("upload_failed", { name: file.name }));
    } finally {
      row.remove();
    }
  }

  showError(text) {
    this.errorText.textContent = text;
    this.errorEl.hidden = false;
  }

  endChat() {
    this.conn.sendSoon({ type: "end" });
    this.status = "ended";
    this.render();
  }

  // --- views ---------------------------------------------------------------------------------
  currentView() {
    if (!this.config) return "loading";
    if (this.offlineDone) return "offline-done";
    if (this.status === "queued" || this.status === "open") return "chat";
    if (this.status === "ended") return "ended";
    if (this.conn.messages.size || this.conn.outbox.length || this.invite) return "chat";
    if (this.config.online === false) return "offline";
    if ((this.config.prechat_fields || []).length && !this.prechatDone) return "prechat";
    return "chat";
  }

  render() {
    const view = this.currentView();
    const t = this.t;
    const status = this.conversationStatus;
    let line = "";
    if (this.status === "queued") line = status.queue_position ? t("queued", { n: status.queue_position }) : t("waiting");
    else if (this.status === "open" && status.agent?.name) line = t("joined", { name: status.agent.name });
    else if (this.status === "ended") line = t("ended");
    if (this.statusEl.textContent !== line) this.statusEl.textContent = line;
    this.endButton.hidden = !(this.status === "queued" || this.status === "open");
    if (view === this.view && view !== "ended") return;
    const previous = this.view;
    this.view = view;
    const chatLike = view === "chat" || view === "ended";
    this.chatView.hidden = !chatLike;
    this.formView.hidden = chatLike;
    this.composer.hidden = view === "ended";
    if (view === "ended" && previous !== "ended") this.buildEnd();
    if (!chatLike) {
      this.formView.replaceChildren(view === "prechat" ? this.prechatForm() : view === "offline" ? this.offlineForm()
        : view === "offline-done" ? this.offlineDone : h("div.form", {}, h("p", {}, t("connecting"))));
    }
    if (this.isOpen && previous !== view && view !== "loading") this.focusFirst();
  }

  field(spec, values = {}) {
    const t = this.t;
    const type = ["text", "email", "tel", "textarea", "select"].includes(spec.type) ? spec.type : "text";
    const common = { name: spec.name, required: Boolean(spec.required), autocomplete: { email: "email", name: "name", tel: "tel" }[spec.name] || undefined };
    let control;
    if (type === "textarea") control = h("textarea", common);
    else if (type === "select") control = h("select", common, h("option", { value: "" }, ""), (spec.options || []).map((o) => h("option", { value: o }, o)));
    else control = h("input", { ...common, type });
    if (values[spec.name]) control.value = values[spec.name];
    return h("label", {}, h("span", {}, spec.label || spec.name, spec.required ? h("span.req", {}, ` (${t("required")})`) : null), control);
  }

  collect(form) {
    const values = {};
    for (const control of form.querySelectorAll("input, textarea, select")) {
      if (!control.name) continue;
      values[control.name] = control.value.trim();
      if (control.required && !values[control.name]) {
        this.formError(form, this.t("fill", { field: control.closest("label").firstChild.firstChild.textContent }), control);
        return null;
      }
      if (control.type === "email" && values[control.name] && !control.checkValidity()) {
        this.formError(form, this.t("bad_email"), control);
        return null;
      }
    }
    return values;
  }

  formError(form, text, control) {
    let el = form.querySelector(".error");
    if (!el) {
      el = h("p.error", { role: "alert" });
      form.querySelector("button[type=submit]").before(el);
    }
    el.textContent = text;
    control?.setAttribute("aria-invalid", "true");
    control?.focus();
  }

  prechatForm() {
    const t = this.t;
    const form = h("form.form", { novalidate: true, onsubmit: (event) => {
      event.preventDefault();
      const values = this.collect(form);
      if (!values) return;
      this.prechatDone = true;
      this.conn.sendSoon({ type: "start", prechat: values });
      this.status = "queued";
      this.render();
    } }, h("p", {}, t("prechat")),
    (this.config.prechat_fields || []).map((spec) => this.field(spec, this.visitor)),
    h("button.primary", { type: "submit" }, t("start")));
    return form;
  }

  offlineForm() {
    const t = this.t;
    const known = new Set(["name", "email", "message"]);
    const extra = (this.config.prechat_fields || []).filter((spec) => !known.has(spec.name));
    const form = h("form.form", { novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      const values = this.collect(form);
      if (!values) return;
      const { name, email, message, ...fields } = values;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const answer = await this.conn.request("offline", { method: "POST", body: { name, email, message, fields } });
        let when = "";
        if (answer.answer_by) {
          when = new Intl.DateTimeFormat(this.language, { dateStyle: "full", timeStyle: "short" }).format(new Date(answer.answer_by));
        }
        this.offlineDone = h("div.form", { role: "status" }, h("p.note", {}, t("thanks", { n: answer.ticket })),
          h("p", {}, when ? t("answer_by", { when }) : t("answer_email")));
        this.render();
      } catch (error) {
        this.formError(form, error.status ? error.message : t("error"));
        button.disabled = false;
      }
    } }, h("h3.sr", {}, t("away")), h("p", {}, h("strong", {}, t("away"))), h("p", {}, this.config.offline_message || t("away_intro")),
    this.field({ name: "name", label: t("name"), type: "text", required: true }, this.visitor),
    this.field({ name: "email", label: t("email"), type: "email", required: true }, this.visitor),
    extra.map((spec) => this.field(spec, this.visitor)),
    this.field({ name: "message", label: t("message"), type: "textarea", required: true }),
    h("button.primary", { type: "submit" }, t("leave")));
    return form;
  }

  buildEnd() {
    const t = this.t;
    this.stopTyping();
    const parts = [];
    if (this.config.rating_enabled) {
      const labels = [];
      const comment = h("textarea", { "aria-label": t("comment"), placeholder: t("comment"), rows: 2 });
      const paint = (score) => labels.forEach((label, i) => label.classList.toggle("on", i < score));
      const stars = [1, 2, 3, 4, 5].map((n) => {
        const input = h("input", { type: "radio", name: "score", value: n, id: `pomoc-star-${n}`, onchange: () => paint(n) });
        const label = h("label", { for: `pomoc-star-${n}`, title: t("stars", { n }) }, h("span", { "aria-hidden": "true" }, "★"), h("span.sr", {}, t("stars", { n })));
        labels.push(label);
        return [input, label];
      });
      const rating = h("form", { onsubmit: async (event) => {
        event.preventDefault();
        const chosen = rating.querySelector("input[name=score]:checked");
        if (!chosen) return rating.querySelector("input[name=score]").focus();
        try {
          await this.conn.request("rating", { method: "POST", body: { score: Number(chosen.value), comment: comment.value.trim() } });
          rating.replaceWith(h("p.note", { role: "status" }, t("rated")));
        } catch (error) {
          this.showError(error.status ? error.message : t("error"));
        }
      } }, h("fieldset", {}, h("legend", {}, t("rate")), h("div.stars", {}, stars)), comment, " ",
      h("button.primary", { type: "submit" }, t("rate_send")));
      parts.push(rating);
    }
    const email = h("input", { type: "email", value: this.visitor?.email || "", "aria-label": t("your_email"), placeholder: t("your_email"), autocomplete: "email" });
    const transcript = h("form", { onsubmit: async (event) => {
      event.preventDefault();
      try {
        await this.conn.request("transcript", { method: "POST", body: email.value.trim() ? { email: email.value.trim() } : {} });
        transcript.replaceWith(h("p.note", { role: "status" }, t("transcript_sent")));
      } catch (error) {
        this.showError(error.status ? error.message : t("error"));
      }
    } }, h("div.row", {}, email, h("button.secondary", { type: "submit" }, t("transcript"))));
    parts.push(transcript, h("button.secondary", { type: "button", onclick: () => {
      this.conn.resetConversation();
      this.status = "none";
      this.prechatDone = false;
      this.invite = null;
      this.endSection.hidden = true;
      this.render();
    } }, t("new_chat")));
    this.endSection.replaceChildren(...parts);
    this.endSection.hidden = false;
  }

  // --- opening, closing, focus ---------------------------------------------------------------
  open({ focus = true } = {}) {
    this.isOpen = true;
    this.panel.hidden = false;
    this.root.classList.add("open");
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", this.t("close"));
    this.remember("1");
    this.clearUnread();
    this.markRead();
    this.scroller.scrollTop = this.scroller.scrollHeight;
    if (focus) this.focusFirst();
  }

  close() {
    this.isOpen = false;
    this.panel.hidden = true;
    this.root.classList.remove("open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", this.t("open"));
    this.toggleEmojis(false);
    this.remember("0");
    this.launcher.focus();
  }

  remember(value) {
    try {
      sessionStorage.setItem(this.openKey, value);
    } catch {
      /* storage blocked */
    }
  }

  focusables() {
    return [...this.panel.querySelectorAll("button, input, textarea, select, a[href], [tabindex]")].filter(
      (el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length);
  }

  focusFirst() {
    const target = this.view === "chat" ? this.input : this.focusables().find((el) => !el.closest("header")) || this.focusables()[0];
    target?.focus();
  }

  keydown(event) {
    if (event.key === "Escape") {
      event.stopPropagation();
      if (!this.emojis.hidden) {
        this.toggleEmojis(false);
        this.emojiButton.focus();
      } else {
        this.close();
      }
      return;
    }
    if (event.key !== "Tab") return;
    const items = this.focusables();
    if (!items.length) return;
    const active = this.shadow.activeElement;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (active === first || !items.includes(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !items.includes(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  // --- unread badge, title, sound ------------------------------------------------------------
  notify({ sound = true } = {}) {
    this.unread += 1;
    this.badge.textContent = String(this.unread);
    this.badge.hidden = false;
    this.launcher.setAttribute("aria-label", `${this.isOpen ? this.t("close") : this.t("open")} (${this.t("unread", { n: this.unread })})`);
    if (document.hidden) {
      if (this.hiddenTitle === null) this.hiddenTitle = document.title;
      document.title = `(${this.unread}) ${this.t("new_message")} – ${this.hiddenTitle}`;
    }
    if (sound) this.beep();
  }

  clearUnread() {
    this.unread = 0;
    this.badge.hidden = true;
    if (this.hiddenTitle !== null) {
      document.title = this.hiddenTitle;
      this.hiddenTitle = null;
    }
  }

  visibility() {
    if (document.hidden) return;
    if (this.hiddenTitle !== null) {
      document.title = this.hiddenTitle;
      this.hiddenTitle = null;
    }
    if (this.isOpen) {
      this.clearUnread();
      this.markRead();
    }
  }

  unlockSound() {
    if (this.audio) return;
    const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (Context) this.audio = new Context();
  }

  beep() {
    const audio = this.audio;
    if (!audio) return; // browsers allow sound only after the visitor touched the widget
    if (audio.state === "suspended") audio.resume();
    const now = audio.currentTime;
    [[880, 0], [1320, 0.12]].forEach(([frequency, offset]) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.18);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + offset);
      oscillator.stop(now + offset + 0.2);
    });
  }

  // --- the host page's API -------------------------------------------------------------------
  async identify(user = {}) {
    this.identity = { user_id: String(user.user_id ?? user.id ?? ""), email: user.email || "", name: user.name || "", hash: user.hash || "" };
    this.conn.disconnect();
    try {
      const data = await this.conn.session({ identity: this.identity, language: this.language });
      this.applySession(data);
      if (data.conversation?.last_seq) await this.conn.history().catch(() => {});
      this.conn.connect();
    } catch (error) {
      this.fail(error);
    }
  }
}

function boot() {
  const script = document.currentScript || document.querySelector("script[data-pomoc-inbox]");
  if (!script || !script.dataset.pomocInbox || window.PomocChat?.__widget) return;
  const run = () => {
    const widget = new Widget(script);
    window.PomocChat = {
      __widget: widget,
      open: () => widget.open(),
      close: () => widget.close(),
      identify: (user) => widget.identify(user),
    };
    widget.start();
  };
  if (document.body) run();
  else document.addEventListener("DOMContentLoaded", run, { once: true });
}

boot();
