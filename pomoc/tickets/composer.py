"""What the message composer (``composer.js``, with a plain textarea without it) sends, as the services take it.

The composer sends ``body`` (plain text, always) and, when its rich text editor runs, ``body_html``:
then the server keeps the HTML (sanitized) and derives the plain-text part from it, so both parts of
the mail say the same. Files come as ``attachments`` (chosen, dropped or pasted) and ``inline``
(pictures pasted into the text, each named ``<content id>.<ext>`` and shown by ``<img src="cid:…">``).
"""

from __future__ import annotations

import re

from pomoc.tickets.attachments import NewAttachment

_CONTENT_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")


def message_bodies(data: dict) -> tuple[str, str]:
    """(body_text, body_html) for the services from a composer form's cleaned data."""
    body_html = (data.get("body_html") or "").strip()
    if body_html:
        return "", body_html
    return data.get("body") or "", ""


def uploaded_files(request) -> list[NewAttachment]:
    """The attachments and the inline pictures sent with a composer form."""
    files = [NewAttachment(file_name=upload.name, content=upload, content_type=upload.content_type or "")
             for upload in request.FILES.getlist("attachments")]
    for upload in request.FILES.getlist("inline"):
        stem = (upload.name or "").rsplit(".", 1)[0]
        content_id = stem if _CONTENT_ID.fullmatch(stem) else ""
        files.append(NewAttachment(file_name=upload.name, content=upload, content_type=upload.content_type or "",
                                   content_id=content_id))
    return files


def uploaded_names(request) -> list[str]:
    """The names of the files sent (browsers cannot keep them when the form is shown again)."""
    return [upload.name for key in ("attachments", "inline") for upload in request.FILES.getlist(key)]
