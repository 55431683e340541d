"""CSV imports: every row imported once, bad rows reported, a re-run changes nothing, and a run that
dies part-way resumes after its last committed batch."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pomoc.accounts.models import Role
from pomoc.contacts.models import Contact, Identity
from pomoc.orders import imports
from pomoc.orders.models import ImportJob, Order, OrderLine
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = ("order_id,email,name,order_number,status,currency,placed_at,paid_at,refunded,line_id,product,sku,quantity,"
          "unit_price\n")


def orders_csv(count: int, bad_rows=()) -> bytes:
    rows = [HEADER]
    for i in range(count):
        email = "not-an-address" if i in bad_rows else f"c{i % 7}@example.org"
        rows.append(f'{i // 2},{email},"Customer, {i % 7}",N{i // 2},paid,EUR,2026-01-{1 + i % 28:02d},,0,{i % 2},'
                    f'"Mug ""large"" {i}",SKU{i},{1 + i % 3},{i % 50}.50\n')
    return "".join(rows).encode()


def _create(kind, content, *, user=None, source_key="csv"):
    from pomoc.orders import services

    upload = SimpleUploadedFile("orders.csv", content, content_type="text/csv")
    source = services.source_get_or_create(key=source_key) if kind == "orders" else None
    return imports.import_create(kind=kind, upload=upload, user=user, source=source)


def test_orders_import_and_a_rerun_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _create("orders", orders_csv(40, bad_rows={5}))
    job.refresh_from_db()
    assert job.state == "done" and job.rows_done == 39 and job.rows_failed == 1 and job.percent == 100
    assert job.errors[0]["row"] == 7 and "e-mail" in job.errors[0]["error"]
    assert OrderLine.objects.count() == 39 and Order.objects.count() == 20 and Contact.objects.count() == 7
    order = Order.objects.get(external_id="0")
    # lines 0 and 1: 1 × 0.50 + 2 × 1.50
    assert str(order.total) == "3.50"
    assert OrderLine.objects.get(order=order, external_id="0").product == 'Mug "large" 0'
    with django_capture_on_commit_callbacks(execute=True):
        _create("orders", orders_csv(40, bad_rows={5}))
    assert OrderLine.objects.count() == 39 and Order.objects.count() == 20 and Contact.objects.count() == 7


def test_a_run_that_dies_resumes_after_the_last_committed_batch(monkeypatch, django_capture_on_commit_callbacks):
    job = _create("orders", orders_csv(25))  # queued, not run (its task is not executed here)
    calls = {"n": 0}
    real = imports.orders_batch

    def dying(rows, source):  # the worker dies during the third batch: its transaction never commits
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("killed")
        return real(rows, source)

    monkeypatch.setattr(imports, "orders_batch", dying)
    with pytest.raises(SystemExit):
        imports.import_run(job.pk, job.runner, batch_rows=5)
    job.refresh_from_db()
    assert job.rows_done == 10 and OrderLine.objects.count() == 10
    monkeypatch.setattr(imports, "orders_batch", real)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_resume(job=job)
    job.refresh_from_db()
    assert job.state == "done" and job.rows_done == 25 and OrderLine.objects.count() == 25


def test_contacts_import_by_email():
    Identity.objects.create(contact=Contact.objects.create(name="Old"), kind="email", value="a@example.org")
    job = _create("contacts", b"email,name,phone\nA@example.org,Ann,\nb@example.org,Bob,+420 777 123 456\nbad,X,\n")
    imports.import_run(job.pk, job.runner)
    job.refresh_from_db()
    assert job.rows_done == 2 and job.rows_failed == 1
    assert Contact.objects.count() == 2
    assert Identity.objects.get(value="+420777123456").contact.name == "Bob"


def contacts_csv(count: int) -> bytes:
    rows = ["email,name,phone\n"]
    for i in range(count):
        domain = "firma.cz" if i % 3 == 0 else "gmail.com" if i % 3 == 1 else "example.org"
        phone = f"+420 777 {i:06d}" if i % 2 == 0 else ""
        rows.append(f' Person.{i}@{domain.upper()} ,"  Person {i} ",{phone}\n')
    rows.append("not-an-address,Nobody,\n")
    rows.append("shared@example.org,Shared,+420 777 000000\n")  # person 0's number: refused, proposed
    return "".join(rows).encode()


def _contacts_state():
    from pomoc.contacts.models import ContactChange, MergeProposal

    return (sorted(Contact.objects.values_list("name", "company__name")),
            sorted(Identity.objects.values_list("kind", "value", "contact__name")),
            sorted(ContactChange.objects.values_list("contact__name", "field", "new")),
            sorted(MergeProposal.objects.values_list("first__name", "second__name")))


def test_contacts_import_keeps_what_creating_a_contact_does_and_a_rerun_changes_nothing(
        django_capture_on_commit_callbacks):
    from pomoc.contacts.models import Company

    Company.objects.create(name="Firma", domains=["firma.cz"])
    Company.objects.create(name="Mail", domains=["example.com"])  # no one's domain here
    with django_capture_on_commit_callbacks(execute=True):
        job = _create("contacts", contacts_csv(30))
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_failed) == ("done", 30, 2)
    assert [e["row"] for e in job.errors] == [32, 33] and "Already used" in job.errors[1]["error"]
    contacts, identities, history, proposals = _contacts_state()
    assert len(contacts) == 31 and ("Person 0", "Firma") in contacts and ("Person 1", None) in contacts
    assert ("Person 2", None) in contacts and ("Person 3", "Firma") in contacts
    assert ("email", "person.4@gmail.com", "Person 4") in identities  # normalised, the name trimmed
    assert ("phone", "+420777000004", "Person 4") in identities and len(identities) == 31 + 15
    assert ("Person 4", "identity_added", "phone:+420777000004") in history and len(history) == 15
    assert proposals == [("Person 0", "Shared")]
    with django_capture_on_commit_callbacks(execute=True):
        again = _create("contacts", contacts_csv(30))
    again.refresh_from_db()
    assert (again.rows_done, again.rows_failed) == (30, 2)
    assert _contacts_state() == (contacts, identities, history, proposals)


def test_a_contacts_run_that_dies_resumes_after_the_last_committed_batch(monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _create("contacts", contacts_csv(30))
    whole = _contacts_state()
    Contact.objects.all().delete()
    from pomoc.contacts.models import ContactChange

    ContactChange.objects.all().delete()
    job = _create("contacts", contacts_csv(30))  # queued, not run
    calls = {"n": 0}
    real = imports.contacts_batch

    def dying(rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("killed")
        return real(rows)

    monkeypatch.setattr(imports, "contacts_batch", dying)
    with pytest.raises(SystemExit):
        imports.import_run(job.pk, job.runner, batch_rows=5)
    job.refresh_from_db()
    assert job.rows_done == 10 and Contact.objects.count() == 10
    monkeypatch.setattr(imports, "contacts_batch", real)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_resume(job=job)
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_failed) == ("done", 30, 2)
    assert _contacts_state() == whole


def test_a_file_without_the_columns_is_refused(client):
    admin = UserFactory(username="importer", role=Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post("/manage/imports/", {"kind": "orders", "source": "shop",
                                                "file": SimpleUploadedFile("x.csv", b"name\nAnn\n")})
    assert response.status_code == 422 and "order_id" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_page_uploads_and_shows_progress(client, django_capture_on_commit_callbacks):
    admin = UserFactory(username="importer", role=Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get("/manage/imports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/imports/", {"kind": "orders", "source": "shop",
                                                    "file": SimpleUploadedFile("o.csv", orders_csv(4))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/manage/imports/{job.pk}/"
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'data-import-state="done"' in fragment and "4 rows imported" in fragment
    agent = UserFactory(username="plain-agent")
    client.force_login(agent)
    assert client.get("/manage/imports/").status_code == 403


def test_header_offset_skips_a_bom():
    header, start = imports.read_header(io.BytesIO("\ufeffemail,name\nx@example.org,X\n".encode()))
    assert header == ["email", "name"] and start == len("\ufeffemail,name\n".encode())
