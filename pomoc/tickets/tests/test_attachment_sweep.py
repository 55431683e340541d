"""Attachment files whose row never committed (a process killed mid-transaction) are swept away."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from pomoc.testing.factories import make_ticket
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment, sweep_orphan_attachment_files
from pomoc.tickets.models import Attachment, MessageKind
from pomoc.tickets.tasks import sweep_attachment_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


def _aged(path, hours: float) -> None:
    then = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


def test_only_old_files_no_row_names_are_deleted(media):
    ticket = make_ticket()
    message = services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="See the file",
                                   attachments=[NewAttachment("kept.pdf", b"%PDF-1.4 kept")])
    kept = Attachment.objects.get(message=message)
    storage = kept.file.storage
    orphan = storage.save("attachments/zz/orphan-of-a-killed-process", ContentFile(b"left behind"))
    young = storage.save("attachments/zz/still-being-written", ContentFile(b"in a transaction"))
    _aged(media / kept.file.name, 48)
    _aged(media / orphan, 2)

    assert sweep_attachment_files.call() == 1

    assert not storage.exists(orphan)
    assert storage.exists(young) and storage.exists(kept.file.name)
    assert kept.file.open("rb").read() == b"%PDF-1.4 kept"


def test_nothing_to_sweep_before_the_first_attachment(media):
    assert sweep_orphan_attachment_files() == 0
