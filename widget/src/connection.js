// The visitor's side of the live-chat protocol (docs/chat-widget.md, ADR 0022): a session over
// HTTP, then one WebSocket that reconnects with exponential backoff and says `hello` with the last
// sequence number it holds, so the server sends exactly the gap. Messages are kept by seq: a seq
// already held is never shown twice, a gap asks again. Outgoing messages wait in an outbox kept in
// localStorage until the server acknowledges them, and are resent with the same client_id.

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30000;

export function uuid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function storage() {
  try {
    localStorage.setItem("pomoc-chat-probe", "1");
    localStorage.removeItem("pomoc-chat-probe");
    return localStorage;
  } catch {
    const memory = new Map(); // private mode or blocked storage: the chat still works for this page
    return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => memory.set(k, v), removeItem: (k) => memory.delete(k) };
  }
}

export class Connection {
  constructor({ base, inbox, emit }) {
    this.base = base;
    this.inbox = inbox;
    this.emit = emit; // (event, detail) => void, the UI's single entry point
    this.store = storage();
    this.key = `pomoc-chat:${inbox}`;
    this.token = this.store.getItem(`${this.key}:token`);
    this.outbox = JSON.parse(this.store.getItem(`${this.key}:outbox`) || "[]");
    this.messages = new Map(); // seq -> message frame
    this.contiguous = 0; // every seq 1..contiguous is held
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.open = false; // the socket said hello and may carry frames
    this.pending = []; // frames other than messages that wait for the socket (start, end, read)
    this.wanted = false; // a socket should be up (there is or may be a conversation)
    this.api = `${base}/chat/api/${encodeURIComponent(inbox)}/`;
    addEventListener("online", () => this.reconnectNow());
    // A dropped network often leaves a socket that looks open for minutes: drop it ourselves, and
    // the next connect asks for the gap.
    addEventListener("offline", () => this.socket?.close());
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.reconnectNow();
    });
  }

  // --- HTTP ----------------------------------------------------------------------------------
  async request(path, { method = "GET", body, auth = true } = {}) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && this.token) headers.Authorization = `Bearer ${this.token}`;
    const response = await fetch(this.api + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), mode: "cors", credentials: "omit",
    });
    let data = {};
    try {
      data = await response.json();
    } catch {
      /* an empty 202 */
    }
    if (!response.ok) {
      const error = new Error(data.error || `HTTP ${response.status}`);
      error.status = response.status;
      error.code = data.code;
      throw error;
    }
    return data;
  }

  async session({ identity, language }) {
    const page = { url: location.href, title: document.title, referrer: document.referrer };
    const body = { language, page, time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "" };
    if (this.token) body.token = this.token;
    if (identity) body.identity = identity;
    const data = await this.request("session", { method: "POST", body, auth: false });
    if (data.token !== this.token) {
      // A new visitor (or a token the server no longer knows): what we held belongs to no one.
      this.resetConversation();
      this.token = data.token;
      this.store.setItem(`${this.key}:token`, data.token);
    }
    return data;
  }

  async history() {
    const data = await this.request(`messages?after=${this.contiguous}`);
    for (const message of data.messages || []) this.receive(message, { live: false });
  }

  // --- the socket ----------------------------------------------------------------------------
  connect() {
    this.wanted = true;
    if (this.socket || !this.token) return;
    const url = `${this.base.replace(/^http/, "ws")}/ws/chat/${encodeURIComponent(this.inbox)}/?token=${encodeURIComponent(this.token)}`;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.open = true;
      socket.send(JSON.stringify({ type: "hello", after: this.contiguous }));
      socket.send(JSON.stringify({ type: "page", url: location.href, title: document.title, referrer: document.referrer }));
      for (const frame of this.pending.splice(0)) socket.send(JSON.stringify(frame));
      for (const item of this.outbox) socket.send(JSON.stringify({ type: "message", ...item.frame }));
      this.emit("connection", { state: "open" });
    };
    socket.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.frame(frame);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.open = false;
      this.emit("connection", { state: "closed", code: event.code });
      if (event.code === 4403) {
        this.emit("forbidden", {}); // bad token or origin: the UI starts a new session, once
        return;
      }
      this.scheduleReconnect(event.code === 4429 ? 10 : 0);
    };
  }

  scheduleReconnect(extraSteps = 0) {
    if (!this.wanted || this.timer) return;
    const step = this.attempt++ + extraSteps;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** step) * (0.75 + Math.random() * 0.5);
    this.timer = setTimeout(() => {
      this.timer = null;
      // The HTTP fallback: a visitor behind a proxy that blocks sockets still sees the replies.
      if (this.contiguous || this.messages.size) this.history().catch(() => {});
      this.connect();
    }, delay);
  }

  reconnectNow() {
    if (!this.wanted || this.socket) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    this.connect();
  }

  disconnect() {
    this.wanted = false;
    clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    this.open = false;
    socket?.close();
  }

  send(frame) {
    if (this.open && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  /** Send now, or as soon as the socket is up again (a start, an end, a read mark). */
  sendSoon(frame) {
    if (!this.send(frame)) {
      this.pending = this.pending.filter((held) => held.type !== frame.type);
      this.pending.push(frame);
      this.connect();
    }
  }

  // --- messages ------------------------------------------------------------------------------
  /** Queue a visitor message; it is sent now or on the next connect, until acknowledged. */
  post(body, attachments = [], shown = []) {
    const frame = { client_id: uuid(), body, attachments };
    const item = { frame, shown, at: new Date().toISOString() };
    this.outbox.push(item);
    this.saveOutbox();
    this.send({ type: "message", ...frame });
    if (!this.socket) this.connect();
    return item;
  }

  saveOutbox() {
    this.store.setItem(`${this.key}:outbox`, JSON.stringify(this.outbox));
  }

  acknowledge(clientId) {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((item) => item.frame.client_id !== clientId);
    if (this.outbox.length !== before) this.saveOutbox();
  }

  receive(message, { live }) {
    if (typeof message.seq !== "number" || this.messages.has(message.seq)) return;
    this.messages.set(message.seq, message);
    if (message.client_id) this.acknowledge(message.client_id);
    const gap = message.seq > this.contiguous + 1;
    while (this.messages.has(this.contiguous + 1)) this.contiguous += 1;
    this.emit("message", { message, live });
    if (gap && message.seq > this.contiguous) this.send({ type: "hello", after: this.contiguous });
  }

  frame(frame) {
    switch (frame.type) {
      case "message":
        this.receive(frame, { live: true });
        break;
      case "ack": {
        // The server may or may not echo the visitor's own message; the ack alone makes it held,
        // so its seq never looks like a gap and is never shown twice.
        const item = this.outbox.find((held) => held.frame.client_id === frame.client_id);
        if (item && typeof frame.seq === "number") {
          this.receive({
            type: "message", seq: frame.seq, client_id: frame.client_id, author: "visitor", name: "",
            body: item.frame.body, attachments: item.shown, at: item.at, state: "sent",
          }, { live: true });
        }
        this.acknowledge(frame.client_id);
        this.emit("ack", frame);
        break;
      }
      case "state":
        for (const message of this.messages.values()) {
          if (message.author === "visitor" && message.seq <= frame.seq && rank(frame.state) > rank(message.state)) {
            message.state = frame.state;
          }
        }
        this.emit("state", frame);
        break;
      default:
        this.emit(frame.type, frame); // typing, status, invite, error
    }
  }

  resetConversation() {
    this.messages.clear();
    this.contiguous = 0;
    this.emit("reset", {});
  }

  /** The upload endpoint with progress (fetch reports none): resolves to {id, name, size, type}. */
  upload(file, onProgress) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", `${this.api}upload`);
      request.setRequestHeader("Authorization", `Bearer ${this.token}`);
      request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
      request.onload = () => {
        let data = {};
        try {
          data = JSON.parse(request.responseText);
        } catch {
          /* not JSON */
        }
        if (request.status >= 200 && request.status < 300) resolve(data);
        else reject(Object.assign(new Error(data.error || `HTTP ${request.status}`), { status: request.status }));
      };
      request.onerror = () => reject(new Error(""));
      const form = new FormData();
      form.append("file", file);
      request.send(form);
    });
  }
}

export function rank(state) {
  return { sent: 1, delivered: 2, read: 3 }[state] || 0;
}
