"""GDPR: an export holds the person's data and files; an erasure leaves none of it in any table or
file, keeps the tickets for the statistics, and both are audited."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models

from pomoc.channels.email.models import RawMail
from pomoc.contacts import privacy, services
from pomoc.contacts.models import Contact, IdentityKind, PrivacyAction, PrivacyAudit, RetentionPolicy
from pomoc.surveys.models import Answer, SurveyKind
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services as ticket_services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import Attachment, Message, MessageKind, Ticket

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE, WORD = "Zdeňka Unikátní", "zdenka.unikatni@example.net", "+420603999888", "Mlsoun"
MARKERS = [NAME.lower(), "unikátní", EMAIL, "603999888", WORD.lower()]


def person_world():
    agent = UserFactory(username="gdpr-agent")
    person = ContactFactory(name=NAME, email=EMAIL)
    services.identity_add(contact=person, kind=IdentityKind.PHONE, value=PHONE, actor=agent)
    services.tag_add(contact=person, name=WORD, actor=agent)
    services.contact_update(contact=person, actor=agent, changes={"notes": f"{NAME} likes {WORD}."})
    ticket = make_ticket(requester=person, subject=f"{NAME}: the {WORD} order", body=f"I am {NAME}, {EMAIL}.",
                         attachments=[NewAttachment(file_name=f"{WORD}.txt", content=f"{NAME} {PHONE}".encode())])
    ticket_services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=f"Dear {NAME},")
    first = ticket.messages.order_by("pk").first()
    RawMail.objects.create(inbox=_inbox(), raw=f"From: {NAME} <{EMAIL}>\r\n\r\nHi".encode(), sha256="0" * 64,
                           size=10, message=first)
    Answer.objects.create(kind=SurveyKind.CSAT, score=2, comment=f"{WORD} was late", contact=person, ticket=ticket)
    bystander = make_ticket(subject="Someone else", body="Not about her.")
    return agent, person, ticket, bystander


def _inbox():
    from pomoc.channels.models import Inbox

    return Inbox.objects.create(name="Mail", kind="email") if not Inbox.objects.exists() else Inbox.objects.first()


def leaks() -> list[str]:
    """Every (table, column) whose text still holds one of the markers, and every file that does."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("pomoc."):
            continue
        columns = [f.attname for f in model._meta.concrete_fields
                   if isinstance(f, models.CharField | models.TextField | models.JSONField | models.BinaryField
                                 | models.FileField)]
        for row in model.objects.values_list(*columns) if columns else []:
            for column, value in zip(columns, row, strict=True):
                text = bytes(value).decode("utf-8", "replace") if isinstance(value, bytes | memoryview) \
                    else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                if any(marker in text.lower() for marker in MARKERS):
                    found.append(f"{model._meta.label}.{column}")
    for attachment in Attachment.objects.all():
        with default_storage.open(attachment.file.name) as handle:
            if any(m.encode() in handle.read().lower() for m in MARKERS):
                found.append(f"file {attachment.file.name}")
    return sorted(set(found))


def test_an_export_is_a_zip_of_their_data_and_files_and_is_audited():
    agent, person, ticket, _bystander = person_world()
    data = privacy.contact_export(contact=person, actor=agent)
    archive = zipfile.ZipFile(io.BytesIO(data))
    exported = json.loads(archive.read("data.json"))
    assert exported["contact"][0]["name"] == NAME
    assert {i["value"] for i in exported["contact"][0]["identities"]} == {EMAIL, PHONE}
    assert exported["tickets"][0]["number"] == ticket.number
    assert exported["survey_answers"][0]["comment"] == f"{WORD} was late"
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert len(files) == 1 and archive.read(files[0]) == f"{NAME} {PHONE}".encode()
    audit = PrivacyAudit.objects.get()
    assert audit.action == PrivacyAction.EXPORT and audit.actor == agent and audit.counts["tickets"] == 1


def test_an_erasure_leaves_no_personal_data_anywhere_but_keeps_the_statistics(django_capture_on_commit_callbacks):
    agent, person, ticket, bystander = person_world()
    assert leaks()  # the search finds them before
    messages_before = Message.objects.filter(ticket=ticket).count()
    files = [a.file.name for a in Attachment.objects.all()]

    with django_capture_on_commit_callbacks(execute=True):
        privacy.contact_erase(contact=person, actor=agent)

    assert leaks() == []
    assert all(not default_storage.exists(name) for name in files)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.requester_id == person.pk and Message.objects.filter(ticket=ticket).count() == messages_before
    assert Answer.objects.get().score == 2
    assert Ticket.objects.get(pk=bystander.pk).subject == "Someone else"
    audit = PrivacyAudit.objects.get(action=PrivacyAction.ERASURE)
    assert audit.contact_id == person.pk and audit.actor == agent
    assert Contact.objects.get(pk=person.pk).erased_at is not None


def test_a_retention_policy_erases_contacts_without_recent_activity_only():
    import datetime as dt

    from django.utils import timezone

    old = ContactFactory(name="Old Customer")
    Contact.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=4 * 366))
    recent = ContactFactory(name="Recent Customer")
    Contact.objects.filter(pk=recent.pk).update(created_at=timezone.now() - dt.timedelta(days=4 * 366))
    make_ticket(requester=recent)
    RetentionPolicy.objects.create(name="Three years", years=3)
    assert privacy.retention_apply() == 1
    assert Contact.objects.get(pk=old.pk).erased_at is not None
    assert Contact.objects.get(pk=recent.pk).erased_at is None
    assert PrivacyAudit.objects.get().action == PrivacyAction.RETENTION
