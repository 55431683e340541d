// The message composer: rich text on a contenteditable area, attachments dropped or pasted with
// previews, and the new-ticket form's requester picker. Without this file every form still works:
// a plain <textarea name="body"> and a file input.
//
// Contract with the rest of the page (drafts, canned responses, live typing):
// - each composer keeps its <textarea name="body"> holding the current PLAIN TEXT (visually hidden
//   while the editor runs) and a hidden <input name="body_html"> holding the HTML; every change
//   dispatches a bubbling "input" event on that textarea;
// - window.pomocComposer = { insert(textarea, {text, html}), set(textarea, {text, html}),
//   get(textarea) -> {text, html}, textBeforeCaret(textarea), replaceBeforeCaret(textarea, count,
//   {text, html}) } works on an enhanced textarea and on a plain one alike.
// The server sanitizes the HTML again (nh3) and derives the mail's plain-text part from it.
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  // What the editor keeps of pasted or restored HTML (the server's sanitizer allows more; this keeps
  // the editor's own content simple and harmless).
  var KEPT_TAGS = {
    A: true, B: true, STRONG: true, I: true, EM: true, U: true, S: true, P: true, DIV: true, BR: true,
    UL: true, OL: true, LI: true, BLOCKQUOTE: true, PRE: true, CODE: true, IMG: true, SPAN: true,
    H1: true, H2: true, H3: true, H4: true, TABLE: true, THEAD: true, TBODY: true, TR: true, TD: true, TH: true
  };
  var DROPPED_TAGS = { SCRIPT: true, STYLE: true, IFRAME: true, OBJECT: true, EMBED: true, TEMPLATE: true,
                       META: true, LINK: true, TITLE: true, HEAD: true, svg: true, SVG: true, MATH: true };
  var IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;

  var composers = []; // {textarea, html, editor, box, inline: [{cid, file}]}

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function textToHtml(text) {
    return String(text || "").replace(/\r\n/g, "\n").split(/\n{2,}/).filter(function (p) {
      return p.trim();
    }).map(function (p) {
      return "<p>" + escapeHtml(p).replace(/\n/g, "<br>") + "</p>";
    }).join("");
  }

  function safeUrl(url, forImage) {
    url = String(url || "").trim();
    if (/^(https?:|mailto:|tel:)/i.test(url)) return url;
    // Pictures only as the editor holds them while writing; a cid: one has lost its file (a page shown
    // again, a restored draft) and is left out.
    if (forImage && /^data:image\/(png|jpeg|gif|webp);/i.test(url)) return url;
    return "";
  }

  // Parsed inertly (DOMParser runs no scripts and loads nothing), then rebuilt from an allow-list in a
  // document of its own, which loads no picture either (a cid: source would only break the page's CSP).
  var inert = document.implementation.createHTMLDocument("");

  function cleanHtml(html) {
    var doc = new DOMParser().parseFromString("<body>" + String(html || "") + "</body>", "text/html");
    var out = inert.createElement("div");
    function copy(from, to) {
      Array.prototype.forEach.call(from.childNodes, function (node) {
        if (node.nodeType === 3) {
          to.appendChild(inert.createTextNode(node.nodeValue));
        } else if (node.nodeType === 1) {
          var tag = node.tagName.toUpperCase();
          if (DROPPED_TAGS[tag]) return;
          if (!KEPT_TAGS[tag]) {
            copy(node, to); // unknown wrappers (font, section…) keep their text
            return;
          }
          var element = inert.createElement(tag);
          if (tag === "A") {
            var href = safeUrl(node.getAttribute("href"), false);
            if (href) element.setAttribute("href", href);
          } else if (tag === "IMG") {
            var src = safeUrl(node.getAttribute("src"), true);
            if (!src) return;
            element.setAttribute("src", src);
            if (node.getAttribute("alt")) element.setAttribute("alt", node.getAttribute("alt"));
            if (node.getAttribute("data-cid")) element.setAttribute("data-cid", node.getAttribute("data-cid"));
          }
          to.appendChild(element);
          copy(node, element);
        }
      });
    }
    copy(doc.body, out);
    return out.innerHTML;
  }

  function find(textarea) {
    for (var i = 0; i < composers.length; i++) {
      if (composers[i].textarea === textarea) return composers[i];
    }
    return null;
  }

  function htmlInputFor(textarea) {
    var form = textarea.form;
    return form ? form.querySelector("input[name=body_html]") : null;
  }

  // The editor's content as the server gets it: pasted pictures point to their inline part (cid:).
  function serialize(composer) {
    var copy = inert.importNode(composer.editor, true);
    Array.prototype.forEach.call(copy.querySelectorAll("img[data-cid]"), function (img) {
      img.setAttribute("src", "cid:" + img.getAttribute("data-cid"));
      img.removeAttribute("data-cid");
    });
    var text = composer.editor.innerText.replace(/\u00a0/g, " ").replace(/\n{3,}/g, "\n\n").trim();
    var hasImage = !!composer.editor.querySelector("img");
    return { text: text, html: text || hasImage ? copy.innerHTML : "" };
  }

  function syncInline(composer) {
    var used = {};
    Array.prototype.forEach.call(composer.editor.querySelectorAll("img[data-cid]"), function (img) {
      used[img.getAttribute("data-cid")] = true;
    });
    composer.inline = composer.inline.filter(function (item) { return used[item.cid]; });
    if (!composer.inlineInput || typeof DataTransfer === "undefined") return;
    var transfer = new DataTransfer();
    composer.inline.forEach(function (item) { transfer.items.add(item.file); });
    composer.inlineInput.files = transfer.files;
  }

  function changed(composer) {
    var value = serialize(composer);
    composer.textarea.value = value.text;
    if (composer.html) composer.html.value = value.html;
    syncInline(composer);
    composer.syncing = true; // our own event: the textarea listener below must not copy it back
    try {
      composer.textarea.dispatchEvent(new Event("input", { bubbles: true }));
    } finally {
      composer.syncing = false;
    }
  }

  function get(textarea) {
    var composer = find(textarea);
    if (composer) return serialize(composer);
    var html = htmlInputFor(textarea);
    return { text: textarea.value, html: html ? html.value : "" };
  }

  function set(textarea, value) {
    value = value || {};
    var composer = find(textarea);
    if (composer) {
      composer.editor.innerHTML = value.html ? cleanHtml(value.html) : textToHtml(value.text || "");
      changed(composer);
      return;
    }
    textarea.value = value.text || "";
    var html = htmlInputFor(textarea);
    if (html) html.value = value.html || "";
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insert(textarea, value) {
    value = value || {};
    var composer = find(textarea);
    if (composer) {
      composer.editor.focus();
      insertHtmlAtCaret(composer, value.html ? cleanHtml(value.html) : textToHtml(value.text || ""));
      return;
    }
    var text = value.text || "";
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || start;
    textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + text.length;
    var html = htmlInputFor(textarea);
    if (html) html.value = "";
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Pickers that complete a word as it is typed (canned responses after "#", colleagues after "@")
  // read the text before the caret and replace its last characters, in the editor or a textarea.
  function textBeforeCaret(textarea) {
    var composer = find(textarea);
    if (!composer) return textarea.value.slice(0, textarea.selectionStart || 0);
    if (!caretInside(composer)) return "";
    var range = window.getSelection().getRangeAt(0).cloneRange();
    range.collapse(true);
    range.setStart(composer.editor, 0);
    return range.toString().replace(/\u00a0/g, " ");
  }

  function replaceBeforeCaret(textarea, count, value) {
    value = value || {};
    var composer = find(textarea);
    if (!composer) {
      var caret = textarea.selectionStart || 0;
      textarea.selectionStart = Math.max(0, caret - count);
      textarea.selectionEnd = caret;
      insert(textarea, value);
      return;
    }
    composer.editor.focus();
    var selection = window.getSelection();
    if (caretInside(composer) && selection.modify) {
      for (var i = 0; i < count; i += 1) selection.modify("extend", "backward", "character");
    }
    if (value.html) {
      insertHtmlAtCaret(composer, cleanHtml(value.html));
    } else {  // a word (a colleague's @name): text in the line, not a paragraph of its own
      document.execCommand("insertText", false, value.text || "");
      changed(composer);
    }
  }

  function caretInside(composer) {
    var selection = window.getSelection();
    return selection && selection.rangeCount && composer.editor.contains(selection.getRangeAt(0).commonAncestorContainer);
  }

  function insertHtmlAtCaret(composer, html) {
    if (!caretInside(composer)) {
      var range = document.createRange();
      range.selectNodeContents(composer.editor);
      range.collapse(false);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    // Not execCommand("insertHTML"): Chrome copies the surrounding look into style="" attributes,
    // which the page's Content-Security-Policy refuses (and the sanitizer would drop anyway).
    var range = window.getSelection().getRangeAt(0);
    range.deleteContents();
    var template = document.createElement("template");
    template.innerHTML = html;
    var last = template.content.lastChild;
    range.insertNode(template.content);
    if (last) {
      range.setStartAfter(last);
      range.collapse(true);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    changed(composer);
  }

  // --- pictures pasted into the text -----------------------------------------------------------
  function newCid() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return "img-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function insertImage(composer, file) {
    var cid = newCid();
    var extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
    var named = new File([file], cid + "." + extension, { type: file.type });
    var reader = new FileReader();
    reader.onload = function () {
      composer.inline.push({ cid: cid, file: named });
      var alt = file.name && !/^image\.\w+$/.test(file.name) ? file.name : gettext("Pasted picture");
      insertHtmlAtCaret(composer, '<img src="' + escapeHtml(reader.result) + '" data-cid="' + cid + '" alt="' +
                        escapeHtml(alt) + '">');
    };
    reader.readAsDataURL(file);
  }

  // --- attachments: chosen, dropped or pasted, with previews ------------------------------------
  function attachmentList(box) {
    var input = box.querySelector("input[type=file][name=attachments]");
    var list = box.querySelector(".composer-attachments");
    if (!input || !list || typeof DataTransfer === "undefined") return null;
    var state = { input: input, list: list, files: Array.prototype.slice.call(input.files || []) };
    function render() {
      var transfer = new DataTransfer();
      state.files.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      list.textContent = "";
      state.files.forEach(function (file, index) {
        var item = document.createElement("li");
        if (IMAGE_TYPES.test(file.type)) {
          var img = document.createElement("img");
          img.className = "composer-preview";
          img.alt = "";
          var reader = new FileReader();
          reader.onload = function () { img.src = reader.result; };
          reader.readAsDataURL(file);
          item.appendChild(img);
        }
        var name = document.createElement("span");
        name.className = "file-name";
        name.textContent = file.name;
        item.appendChild(name);
        var size = document.createElement("span");
        size.className = "muted";
        size.textContent = " (" + Math.max(1, Math.round(file.size / 1024)) + " kB)";
        item.appendChild(size);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = gettext("Remove");
        remove.setAttribute("aria-label", interpolate(gettext("Remove %(name)s"), { name: file.name }, true));
        remove.addEventListener("click", function () {
          state.files.splice(index, 1);
          render();
        });
        item.appendChild(remove);
        list.appendChild(item);
      });
    }
    state.add = function (files) {
      Array.prototype.forEach.call(files, function (file) { state.files.push(file); });
      render();
    };
    input.addEventListener("change", function () {
      // The input replaced its files with the new choice: keep the earlier ones too.
      var chosen = Array.prototype.slice.call(input.files || []);
      var earlier = state.files.filter(function (file) { return chosen.indexOf(file) < 0; });
      state.files = earlier.concat(chosen);
      render();
    });
    box.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        box.classList.add("composer-dragging");
      }
    });
    box.addEventListener("dragleave", function (event) {
      if (!box.contains(event.relatedTarget)) box.classList.remove("composer-dragging");
    });
    box.addEventListener("drop", function (event) {
      box.classList.remove("composer-dragging");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      state.add(event.dataTransfer.files);
    });
    var hint = box.querySelector(".drop-hint");
    if (hint) hint.hidden = false;
    render();
    return state;
  }

  // --- the rich text editor ------------------------------------------------------------------
  function toolbarButton(command, label, text, shortcut) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "composer-tool composer-" + command;
    button.dataset.command = command;
    button.title = shortcut ? label + " (" + shortcut + ")" : label;
    // The name comes from the (visually hidden) words, the glyph is decoration: a screen reader says
    // "Numbered list", and no accessible name contradicts what is shown.
    var glyph = document.createElement("span");
    glyph.setAttribute("aria-hidden", "true");
    glyph.textContent = text;
    var name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = label;
    button.appendChild(glyph);
    button.appendChild(name);
    return button;
  }

  function enhance(box) {
    var textarea = box.querySelector("textarea[name=body]");
    if (!textarea || find(textarea) || !document.execCommand) return;
    var composer = { textarea: textarea, html: htmlInputFor(textarea), box: box, inline: [],
                     inlineInput: box.querySelector("input[type=file][name=inline]") };
    var toolbar = document.createElement("div");
    toolbar.className = "composer-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", gettext("Formatting"));
    [toolbarButton("bold", gettext("Bold"), "B", "Ctrl+B"),
     toolbarButton("italic", gettext("Italic"), "I", "Ctrl+I"),
     toolbarButton("insertUnorderedList", gettext("Bulleted list"), "•", ""),
     toolbarButton("insertOrderedList", gettext("Numbered list"), "1.", ""),
     toolbarButton("createLink", gettext("Link"), gettext("Link"), "Ctrl+K"),
     toolbarButton("removeFormat", gettext("Clear formatting"), "⌫", "")].forEach(function (b) {
      toolbar.appendChild(b);
    });
    var editor = document.createElement("div");
    editor.className = "composer-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    var label = textarea.id ? document.querySelector("label[for='" + textarea.id + "']") : null;
    if (label) {
      if (!label.id) label.id = textarea.id + "-label";
      editor.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function (event) {
        event.preventDefault();
        editor.focus();
      });
    }
    editor.dataset.placeholder = textarea.getAttribute("placeholder") || gettext("Write your message…");
    composer.editor = editor;
    var initial = composer.html && composer.html.value ? cleanHtml(composer.html.value) : textToHtml(textarea.value);
    editor.innerHTML = initial;
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(editor, textarea);
    // The textarea stays in the form (the plain text goes with it) but out of sight and of the tab order.
    textarea.classList.add("visually-hidden");
    textarea.setAttribute("tabindex", "-1");
    textarea.setAttribute("aria-hidden", "true");
    textarea.addEventListener("focus", function () { editor.focus(); });
    // Text written straight into the textarea (a script, an old bookmarklet) becomes the editor's.
    textarea.addEventListener("input", function () {
      if (composer.syncing) return;
      editor.innerHTML = textToHtml(textarea.value);
      changed(composer);
    });
    box.classList.add("composer-rich");
    composers.push(composer);

    toolbar.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the selection
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-command]");
      if (!button) return;
      run(composer, button.dataset.command);
    });
    editor.addEventListener("input", function () { changed(composer); });
    editor.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey)) return;
      var key = event.key.toLowerCase();
      if (key === "k") {
        event.preventDefault();
        run(composer, "createLink");
      } else if (key === "enter" && textarea.form) {
        event.preventDefault(); // Ctrl+Enter sends, as in a textarea
        if (textarea.form.requestSubmit) textarea.form.requestSubmit(); else textarea.form.submit();
      }
    });
    editor.addEventListener("paste", function (event) { onPaste(composer, event); });
    editor.addEventListener("drop", function (event) {
      var files = event.dataTransfer ? Array.prototype.slice.call(event.dataTransfer.files) : [];
      var images = files.filter(function (file) { return IMAGE_TYPES.test(file.type); });
      if (!files.length || images.length !== files.length || !composer.inlineInput) return;
      event.preventDefault();
      event.stopPropagation(); // pictures dropped into the text go inline, not to the attachments
      images.forEach(function (file) { insertImage(composer, file); });
    });
    changed(composer);
    composer.textarea.form && composer.textarea.form.addEventListener("submit", function () { changed(composer); });
  }

  function run(composer, command) {
    composer.editor.focus();
    if (command === "createLink") {
      var url = window.prompt(gettext("Link address (https://…)"), "https://");
      if (!url) return;
      url = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : "https://" + url;
      if (!safeUrl(url, false)) return;
      var selection = window.getSelection();
      if (selection && selection.isCollapsed) {
        insertHtmlAtCaret(composer, '<a href="' + escapeHtml(url) + '">' + escapeHtml(url) + "</a>");
        return;
      }
      document.execCommand("createLink", false, url);
    } else {
      document.execCommand(command, false, null);
    }
    changed(composer);
  }

  function onPaste(composer, event) {
    var data = event.clipboardData;
    if (!data) return;
    var files = Array.prototype.slice.call(data.files || []);
    if (files.length) {
      event.preventDefault();
      var attachments = composer.attachments;
      files.forEach(function (file) {
        if (IMAGE_TYPES.test(file.type) && composer.inlineInput) insertImage(composer, file);
        else if (attachments) attachments.add([file]);
      });
      return;
    }
    var html = data.getData("text/html");
    event.preventDefault();
    if (html) insertHtmlAtCaret(composer, cleanHtml(html));
    else insertHtmlAtCaret(composer, textToHtml(data.getData("text/plain")).replace(/^<p>|<\/p>$/g, ""));
  }

  // --- new ticket: the requester found as you type, the first message's direction -------------
  function contactPicker(root) {
    var search = root.querySelector("input[data-contact-search]");
    var list = root.querySelector("[data-contact-results]");
    var chosen = root.querySelector("[data-contact-chosen]");
    var hidden = document.getElementById("id_contact");
    if (!search || !list || !hidden) return;
    var url = search.dataset.contactSearch;
    var timer = null;
    var results = [];
    var active = -1;
    var newFields = root.querySelectorAll("[data-new-contact]");
    root.classList.add("contact-picker-js");

    function show(contact) {
      hidden.value = contact ? contact.id : "";
      chosen.textContent = "";
      chosen.hidden = !contact;
      Array.prototype.forEach.call(newFields, function (field) { field.hidden = !!contact; });
      if (!contact) return;
      var name = document.createElement("strong");
      name.textContent = contact.name;
      chosen.appendChild(name);
      var details = document.createElement("span");
      details.className = "muted";
      details.textContent = " " + contact.identities.join(", ") + (contact.company ? " · " + contact.company : "");
      chosen.appendChild(details);
      var change = document.createElement("button");
      change.type = "button";
      change.className = "link";
      change.textContent = gettext("Change");
      change.addEventListener("click", function () {
        show(null);
        search.hidden = false;
        search.focus();
      });
      chosen.appendChild(change);
      search.hidden = true;
    }

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function render() {
      list.textContent = "";
      results.forEach(function (contact, index) {
        var option = document.createElement("li");
        option.id = "contact-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", index === active ? "true" : "false");
        var name = document.createElement("strong");
        name.textContent = contact.name;
        option.appendChild(name);
        var details = document.createElement("span");
        details.className = "muted";
        details.textContent = " " + contact.identities.join(", ");
        option.appendChild(details);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(index);
        });
        list.appendChild(option);
      });
      var create = document.createElement("li");
      create.className = "contact-create";
      create.setAttribute("role", "option");
      create.id = "contact-option-new";
      create.setAttribute("aria-selected", active === results.length ? "true" : "false");
      create.textContent = results.length ? gettext("Someone else: create a new contact")
        : gettext("No contact found: create a new one");
      create.addEventListener("mousedown", function (event) {
        event.preventDefault();
        pick(results.length);
      });
      list.appendChild(create);
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      if (active >= 0) search.setAttribute("aria-activedescendant", list.children[active].id);
    }

    function pick(index) {
      close();
      if (index < results.length) {
        show(results[index]);
        return;
      }
      // A new contact: what was typed goes where it belongs.
      show(null);
      var typed = search.value.trim();
      var target = /@/.test(typed) ? "id_requester_email" : /^[\d\s()+./-]{5,}$/.test(typed) ? "id_requester_phone"
        : "id_requester_name";
      var field = document.getElementById(target);
      if (field && !field.value) field.value = typed;
      var first = document.getElementById(target === "id_requester_email" ? "id_requester_name" : "id_requester_email");
      (first || field).focus();
    }

    function lookup() {
      var query = search.value.trim();
      if (query.length < 2) {
        results = [];
        close();
        return;
      }
      fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { contacts: [] }; })
        .then(function (data) {
          if (search.value.trim() !== query) return; // the agent typed on
          results = data.contacts || [];
          active = -1;
          render();
        })
        .catch(function () { results = []; close(); });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 200);
    });
    search.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      var count = results.length + 1;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
        render();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    search.addEventListener("blur", function () { setTimeout(close, 150); });
    if (hidden.value && chosen.dataset.name) {
      show({ id: hidden.value, name: chosen.dataset.name, identities: JSON.parse(chosen.dataset.identities || "[]"),
             company: "" });
    }
  }

  function directionToggle(form) {
    var radios = form.querySelectorAll("input[name=direction]");
    if (!radios.length) return;
    function update() {
      var checked = form.querySelector("input[name=direction]:checked");
      var outbound = checked && checked.value === "outbound";
      Array.prototype.forEach.call(form.querySelectorAll("[data-outbound-only]"), function (element) {
        element.hidden = !outbound;
      });
    }
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function start(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-composer]"), function (box) {
      enhance(box);
      var textarea = box.querySelector("textarea[name=body]");
      var composer = textarea && find(textarea);
      var attachments = attachmentList(box);
      if (composer) composer.attachments = attachments;
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-contact-picker]"), contactPicker);
    Array.prototype.forEach.call(root.querySelectorAll("form[data-new-ticket]"), directionToggle);
  }

  window.pomocComposer = { insert: insert, set: set, get: get, cleanHtml: cleanHtml,
                           textBeforeCaret: textBeforeCaret, replaceBeforeCaret: replaceBeforeCaret };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  } else {
    start(document);
  }
  // Parts of the page htmx swaps in (a composer re-rendered after an error) are enhanced too.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target instanceof Element) start(event.target);
  });
})();
