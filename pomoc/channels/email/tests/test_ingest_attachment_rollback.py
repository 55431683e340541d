"""Attachment files belong to the transaction that stored them: a store that rolls back after the
files were written leaves none behind; committed ones stay."""

import gc

import pytest
from django.db import transaction

from pomoc.channels.email import ingest
from pomoc.channels.email.ingest import process, receive_raw
from pomoc.testing.factories import make_ticket
from pomoc.tickets import services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import Attachment, MessageKind

from .helpers import PNG, mail, make_inbox

WITH_ATTACHMENTS = {"attachments": [("screenshot.png", PNG, "image", "png"), ("notes.txt", b"two", "text", "plain")]}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def _fail_after_the_files(monkeypatch):
    """The last step of a store (marking the mail stored) breaks, after the attachments were written."""
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_finish", broken)


@pytest.mark.django_db
def test_a_store_rolled_back_to_its_savepoint_leaves_no_file(media, monkeypatch):
    inbox = make_inbox()
    raw_mail = receive_raw(inbox=inbox, raw=mail(**WITH_ATTACHMENTS))
    _fail_after_the_files(monkeypatch)

    result = process(raw_mail.pk)

    assert result.status == "pending"  # not the database's fault: tried again later (pomoc.channels.email.failures)
    assert Attachment.objects.count() == 0
    assert files(media) == []


@pytest.mark.django_db(transaction=True)
def test_a_store_whose_transaction_rolls_back_leaves_no_file(media, monkeypatch):
    inbox = make_inbox()
    raw_mail = receive_raw(inbox=inbox, raw=mail(**WITH_ATTACHMENTS))
    _fail_after_the_files(monkeypatch)

    assert process(raw_mail.pk).status == "pending"

    assert Attachment.objects.count() == 0
    assert files(media) == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_store_keeps_its_files(media):
    inbox = make_inbox()
    raw_mail = receive_raw(inbox=inbox, raw=mail(**WITH_ATTACHMENTS))

    assert process(raw_mail.pk).status == "stored"

    stored = sorted(a.file.name for a in Attachment.objects.all())
    assert len(stored) == 2 and files(media) == stored


@pytest.mark.django_db(transaction=True)
def test_only_the_rolled_back_savepoints_files_go(media):
    ticket = make_ticket()
    with transaction.atomic():
        kept = services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="one",
                                    attachments=[NewAttachment("kept.txt", b"kept")])
        try:
            with transaction.atomic():
                services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="two",
                                     attachments=[NewAttachment("gone.txt", b"gone")])
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass

    assert files(media) == [kept.attachments.get().file.name]


@pytest.mark.django_db(transaction=True)
def test_a_failing_commit_callback_ahead_never_deletes_a_committed_file(media):
    ticket = make_ticket()

    def broken_callback():
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError):  # noqa: PT012 -- the commit at the end of the block raises
        with transaction.atomic():
            transaction.on_commit(broken_callback)  # Django drops every callback behind this one
            services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="one",
                                 attachments=[NewAttachment("kept.txt", b"kept")])
    gc.collect()  # the dropped callbacks are released with the exception

    assert files(media) == [Attachment.objects.get().file.name]
