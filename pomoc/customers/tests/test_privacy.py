"""GDPR: an export holds the person's data and files; an erasure leaves none of it in any table or
file, keeps the tickets for the statistics, and both are audited."""

import io
import json
import time
import zipfile

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from pomoc.channels.email.models import RawMail
from pomoc.contacts import privacy, services
from pomoc.contacts.models import Contact, IdentityKind, PrivacyAction, PrivacyAudit, RetentionPolicy
from pomoc.orders import imports, webhook
from pomoc.orders import services as order_services
from pomoc.orders.models import ImportJob, Order, WebhookDelivery
from pomoc.surveys.models import Answer, SurveyKind
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services as ticket_services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import Attachment, Message, MessageKind, Ticket

pytestmark = pytest.mark.django_db

NAME, EMAIL, PHONE, WORD = "Zdeňka Unikátní", "zdenka.unikatni@example.net", "+420603999888", "Mlsoun"
MARKERS = [NAME.lower(), "unikátní", "unikatni", EMAIL, "603999888", WORD.lower()]


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
    _webhook_and_imports(agent)
    bystander = make_ticket(subject="Someone else", body="Not about her.")
    return agent, person, ticket, bystander


def _webhook_and_imports(agent):
    """A shop's webhook delivered an order of hers (kept raw), another was refused; she is in an
    orders CSV import (with a refused row quoting her address, a line of her order without her
    address, a row with only her name) whose file is named after her address, and in a contacts CSV
    import named after her (without accents)."""
    source = order_services.source_secret_set(source=order_services.source_get_or_create(key="eshop"),
                                              secret="s3cret")
    order = {"id": "W-1", "currency": "CZK", "placed_at": "2026-03-01T10:00:00Z",
             "customer": {"email": EMAIL.upper(), "name": NAME}, "lines": [{"product": "Konvice", "unit_price": "9"}]}
    for event, body in (("e-1", {"type": "order.created", "order": order}),
                        ("e-2", {"type": "order.created", "order": {**order, "currency": "??"}})):
        raw = json.dumps(body, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        webhook.receive(source_key="eshop", body=raw, headers={
            "X-Pomoc-Event-Id": event, "X-Pomoc-Timestamp": stamp,
            "X-Pomoc-Signature": webhook.sign("s3cret", stamp, raw)})
    assert WebhookDelivery.objects.filter(accepted=True).count() == 1
    orders_csv = ("order_id,email,name,currency,placed_at,product,unit_price\n"
                  f"A-1,other@example.org,Other Person,EUR,2026-01-02,Teapot,5\n"
                  f'A-2,{EMAIL},"{NAME}",EUR,2026-01-02,"Teapot, large",5\n'
                  f"A-3,see {EMAIL},{NAME},EUR,2026-01-02,Teapot,5\n"
                  f"A-4,other@example.org,Other Person,EUR,2026-01-03,Mug,7\n"
                  f'A-2,,"{NAME}",EUR,2026-01-02,Saucer,3\n'
                  f"A-5,zdenka at example,{NAME.upper()},EUR,2026-01-04,Mug,7\n")
    contacts_csv = (f"email,name,phone\nanother@example.org,Another,\n{EMAIL},{NAME},+420 603 999 888\n"
                    f" , {NAME} ,\n")
    for kind, content, file_name in (("orders", orders_csv, f"{EMAIL}-orders.csv"),
                                     ("contacts", contacts_csv, "Zdenka_Unikatni (contacts).csv")):
        upload = SimpleUploadedFile(file_name, content.encode(), content_type="text/csv")
        job = imports.import_create(kind=kind, upload=upload, user=agent,
                                    source=source if kind == "orders" else None)
        imports.import_run(job.pk, job.runner)
    assert ImportJob.objects.filter(state="done").count() == 2
    assert any(EMAIL in e["error"] for e in ImportJob.objects.get(kind="orders").errors)


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
    for model in apps.get_models():  # every file any row refers to: attachments, import files, …
        file_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for names in model.objects.values_list(*file_fields) if file_fields else []:
            for name in filter(None, names):
                with default_storage.open(name) as handle:
                    if any(m.encode() in handle.read().lower() for m in MARKERS):
                        found.append(f"file {name}")
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
    files = [a.file.name for a in Attachment.objects.all()] + [j.file.name for j in ImportJob.objects.all()]
    imported = [(j.rows_done, j.rows_failed, j.offset) for j in ImportJob.objects.order_by("pk")]

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
    # the raw data went, its statistics stayed: deliveries, the order, the imports' counters and size
    assert audit.counts["webhook_payloads"] == 2 and audit.counts["import_files"] >= 3
    assert WebhookDelivery.objects.count() == 2 and Order.objects.filter(contact=person).count() == 2
    assert [(j.rows_done, j.rows_failed, j.offset) for j in ImportJob.objects.order_by("pk")] == imported
    orders_job = ImportJob.objects.get(kind="orders")
    with orders_job.file.open("rb") as handle:
        rest = handle.read().decode()
    assert "A-1,other@example.org" in rest and "A-4,other@example.org" in rest and "A-2" not in rest
    assert "A-5" not in rest and "Saucer" not in rest
    assert orders_job.errors == [] and orders_job.size == len(rest.encode())
    assert orders_job.file_name == f"import-{orders_job.pk}.csv"
    assert ImportJob.objects.get(kind="contacts").file_name.startswith("import-")
    # a run over the redacted file changes nothing (the blanked rows are skipped)
    assert Order.objects.count() == 4
    again = imports.import_create(kind="orders", upload=SimpleUploadedFile("again.csv", rest.encode()),
                                  user=agent, source=orders_job.source)
    imports.import_run(again.pk, again.runner)
    assert Order.objects.count() == 4 and Order.objects.filter(contact=person).count() == 2


def test_retention_sweeps_old_webhook_bodies_and_finished_import_files():
    import datetime as dt

    from django.utils import timezone

    agent = UserFactory()
    _webhook_and_imports(agent)
    names = [j.file.name for j in ImportJob.objects.all()]
    assert privacy.retention_apply() == 0  # no policy: nothing is swept
    assert WebhookDelivery.objects.exclude(body="").count() == 2
    RetentionPolicy.objects.create(name="Two years", years=2)
    privacy.retention_apply()
    assert WebhookDelivery.objects.exclude(body="").count() == 2  # recent: kept
    long_ago = timezone.now() - dt.timedelta(days=3 * 366)
    WebhookDelivery.objects.update(received_at=long_ago)
    ImportJob.objects.update(created_at=long_ago)
    privacy.retention_apply()
    assert WebhookDelivery.objects.count() == 2 and not WebhookDelivery.objects.exclude(body="", error="").exists()
    assert {(f, str(e)) for f, e in ImportJob.objects.values_list("file", "errors")} == {("", "[]")}
    assert all(not default_storage.exists(name) for name in names)
    assert ImportJob.objects.get(kind="orders").rows_done == 3


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
