"""Files on community posts: checked by their content, stored with the post, served by an access check.

A customer attaches up to ``POMOC_COMMUNITY_MAX_FILES`` (5) files of at most
``POMOC_COMMUNITY_MAX_FILE_BYTES`` (5 MB) each to a topic, a reply or an idea, when posting it or
later by editing it (``pomoc.community.editing``, which also removes files). What a file is comes from its
first bytes, never from its name or the browser's word (the chat's rule, ``pomoc.channels.chat.files``):
PNG, JPEG, GIF and WebP images, PDF and plain text are taken; anything else (archives, programs,
HTML, SVG) is refused. Images are shown on the post as thumbnails linking to the full picture; the
others as download links. A file is served only to whoever may see its post: a hidden post's files
answer 404 to customers, a held post's to everybody but its author and agents.

The refusals carry the API's codes (``pomoc.core.refusals``): too many files in one request, a file
too large or empty are rules of the request's shape (its schema states them); a file of a kind
that is not taken is ``invalid_content``; more files than a post may carry with the ones it has is
``conflict``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from pomoc.channels.chat.files import ACCEPTED_TYPES, sniff
from pomoc.community.models import Idea, PostFile, Reply, Topic
from pomoc.community.permissions import access_idea, access_reply, access_topic
from pomoc.core import refusals
from pomoc.core.ids import is_id
from pomoc.core.transactional_files import delete_unless_committed

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def max_files() -> int:
    return settings.POMOC_COMMUNITY_MAX_FILES


def max_bytes() -> int:
    return settings.POMOC_COMMUNITY_MAX_FILE_BYTES


def _head(upload) -> bytes:
    if isinstance(upload, bytes):
        return upload[:4096]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    return head


def _size(upload) -> int:
    return len(upload) if isinstance(upload, bytes) else (upload.size or 0)


def too_many() -> str:
    return _("At most %(count)d files per post.") % {"count": max_files()}


def checked(uploads: Sequence) -> list[tuple[object, str]]:
    """Each upload with the type its content shows; ValidationError on ``files`` (too many, too large,
    empty, or of a kind that is not taken) before anything is written."""
    from pomoc.tickets.attachments import clean_file_name

    uploads = list(uploads)
    if len(uploads) > max_files():
        raise ValidationError({"files": too_many()})
    result = []
    for upload in uploads:
        name = clean_file_name(getattr(upload, "name", "") or "")
        size = _size(upload)
        if size > max_bytes():
            raise ValidationError({"files": _("“%(name)s” is larger than the limit of %(limit)s MB.") % {
                "name": name, "limit": f"{max_bytes() / (1024 * 1024):g}"}})
        head = _head(upload)
        kind = sniff(head) if size else None
        if kind == "text/plain" and _CONTROL.search(head):
            kind = None  # binary data that happens to decode (an archive's header): not text
        if kind not in ACCEPTED_TYPES:
            message = _("“%(name)s” cannot be attached: only images (PNG, JPEG, GIF, WebP), PDF and plain text "
                        "files are taken.") % {"name": name}
            # an empty file breaks a rule of the shape (the API's schema says so); any other, its content
            raise ValidationError({"files": message if not size else refusals.refusal(message,
                                                                                      refusals.INVALID_CONTENT)})
        result.append((upload, kind))
    return result


def check_room(post, adding: int, removing: int = 0) -> None:
    """ValidationError (``conflict``) when ``post`` would carry more than the limit of files."""
    if adding and post.files.count() - removing + adding > max_files():
        raise ValidationError({"files": refusals.refusal(too_many(), refusals.CONFLICT)})


def store(*, files: list[tuple[object, str]], actor, topic: Topic | None = None,
          reply: Reply | None = None, idea: Idea | None = None) -> list[PostFile]:
    """Write checked files for ``topic``, ``reply`` or ``idea``, inside the caller's transaction: a
    rollback deletes the files again."""
    from pomoc.tickets.attachments import clean_file_name

    stored = []
    for upload, kind in files:
        digest = hashlib.sha256()
        if isinstance(upload, bytes):
            data: File = ContentFile(upload)
            digest.update(upload)
        else:
            data = upload
            data.seek(0)
            for chunk in data.chunks():
                digest.update(chunk)
            data.seek(0)
        item = PostFile(topic=topic, reply=reply, idea=idea,
                        file_name=clean_file_name(getattr(upload, "name", "") or ""), content_type=kind,
                        size=_size(upload), sha256=digest.hexdigest(), uploaded_by=actor)
        item.file.save(item.public_id, data, save=False)
        name, storage = item.file.name, item.file.storage
        delete_unless_committed(storage, name, still_referenced=PostFile.objects.filter(file=name).exists)
        item.save()
        stored.append(item)
    return stored


def _visible(user, item: PostFile | None) -> PostFile:
    if item is None:
        raise Http404
    if item.topic_id is not None:
        item.topic = access_topic(user, item.topic_id)
    elif item.reply_id is not None:
        item.reply = access_reply(user, item.reply_id)
    else:
        item.idea = access_idea(user, item.idea_id)
    return item


def access_post_file(user, public_id: str) -> PostFile:
    """The file, if ``user`` may see the post it belongs to; Http404 otherwise (the pages' address)."""
    return _visible(user, PostFile.objects.filter(public_id=str(public_id)[:40]).first())


def access_post_file_by_id(user, file_id) -> PostFile:
    """The same by the file's id (the API's address)."""
    return _visible(user, PostFile.objects.filter(pk=int(file_id)).first() if is_id(file_id) else None)


def describe(item: PostFile) -> dict:
    """What a revision keeps of a file added or removed by an edit (the bytes of a removed one go)."""
    return {"name": item.file_name, "content_type": item.content_type, "size": item.size, "sha256": item.sha256}


def file_response(item: PostFile, *, download: bool = False) -> FileResponse:
    """Images inline (with their checked type), everything else (and everything with ``download``) as a
    download; never sniffed, never run."""
    inline = item.is_image and not download
    response = FileResponse(item.file.open("rb"), as_attachment=not inline, filename=item.file_name,
                            content_type=item.content_type if inline else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
