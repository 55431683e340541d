"""Attachments on their way in: checked, sniffed, written to storage with their rows, swept when orphaned."""

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.core.transactional_files import delete_unless_committed
from pomoc.tickets.models import Attachment, Message


@dataclass
class NewAttachment:
    """An attachment on its way in: a name and either bytes or an open file."""

    file_name: str
    content: bytes | File
    content_type: str = ""
    content_id: str = ""


# Types a browser could run or render as a page are never labelled as such.
DANGEROUS_TYPES = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
                   "application/javascript", "text/javascript"}


def _sniff_type(head: bytes, file_name: str, declared: str) -> str:
    signatures = [
        (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
        (b"%PDF-", "application/pdf"), (b"PK\x03\x04", "application/zip"),
    ]
    for magic, kind in signatures:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    guessed = declared or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    return "application/octet-stream" if guessed.lower() in DANGEROUS_TYPES else guessed.lower()[:100]


def clean_file_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*\r\n\t').strip(" .")
    return name[:255] or "attachment"


def validate_attachments(attachments: Iterable[NewAttachment]) -> list[NewAttachment]:
    attachments = list(attachments)
    if len(attachments) > settings.MAX_ATTACHMENTS_PER_MESSAGE:
        raise ValidationError({"attachments": _("At most %(n)d attachments per message.")
                               % {"n": settings.MAX_ATTACHMENTS_PER_MESSAGE}})
    for item in attachments:
        size = len(item.content) if isinstance(item.content, bytes) else item.content.size
        if size > settings.MAX_ATTACHMENT_BYTES:
            raise ValidationError({"attachments": _("“%(name)s” is larger than the limit of %(limit)d MB.")
                                   % {"name": clean_file_name(item.file_name),
                                      "limit": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)}})
    return attachments


def _written(message: Message, item: NewAttachment) -> Attachment:
    """The attachment's row (not saved yet) with its file written to storage."""
    digest = hashlib.sha256()
    if isinstance(item.content, bytes):
        data = ContentFile(item.content)
        digest.update(item.content)
        head = item.content[:16]
        size = len(item.content)
    else:
        data = item.content
        data.seek(0)
        head = data.read(16)
        data.seek(0)
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        size = data.size
    attachment = Attachment(
        message=message,
        file_name=clean_file_name(item.file_name),
        content_type=_sniff_type(head, item.file_name, item.content_type),
        size=size,
        sha256=digest.hexdigest(),
        content_id=item.content_id.strip("<>")[:255],
    )
    attachment.file.save(attachment.public_id, data, save=False)
    return attachment


ORPHAN_AGE = dt.timedelta(hours=1)


def sweep_orphan_attachment_files(*, older_than: dt.timedelta = ORPHAN_AGE) -> int:
    """Delete attachment files no row names that are older than ``older_than``; returns how many.

    A file is written inside the transaction that inserts its row (``store_attachments``) and is
    deleted again when that transaction rolls back, but a process killed in between (SIGKILL, power
    cut) deletes nothing: its row is gone, its file stays. Nothing still in progress is that old."""
    storage = Attachment._meta.get_field("file").storage
    cutoff = timezone.now() - older_than
    removed = 0
    try:
        folders, _files = storage.listdir("attachments")
    except FileNotFoundError:
        return 0
    for folder in folders:
        names = [f"attachments/{folder}/{name}" for name in storage.listdir(f"attachments/{folder}")[1]]
        named = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in named and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
    return removed


def store_attachments(pairs: Iterable[tuple[Message, NewAttachment]]) -> list[Attachment]:
    """Write the files and insert their rows (one statement). A file whose row fails, or rolls back
    later with the transaction around it, is deleted again."""
    attachments: list[Attachment] = []
    try:
        for message, item in pairs:
            attachments.append(_written(message, item))
        Attachment.objects.bulk_create(attachments)
    except BaseException:
        for attachment in attachments:
            attachment.file.storage.delete(attachment.file.name)
        raise
    for attachment in attachments:
        storage, name = attachment.file.storage, attachment.file.name
        delete_unless_committed(storage, name, still_referenced=Attachment.objects.filter(file=name).exists)
    return attachments
