"""The agents' pages of canned responses and the JSON the reply box asks: access, search as you type
with the preview for the ticket, insertion counting a use, attachments reached through access checks,
bad input refused with a message; the list and search cost the same few queries for many rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pomoc.accounts.models import Role
from pomoc.automation.canned.models import CannedResponse, Scope
from pomoc.automation.canned.services import canned_create
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets.attachments import NewAttachment

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_creates_a_personal_one_with_a_variant_and_an_attachment():
    agent = UserFactory()
    response = _client(agent).post("/canned/new/", {
        "name": "#Refund", "scope": "personal", "body": "Hello {{ customer.first_name }}", "variant_cs": "Dobrý den",
        "attachments": [SimpleUploadedFile("terms.png", PNG, content_type="image/png")],
    })
    assert response.status_code == 302, response.content
    canned = CannedResponse.objects.get()
    assert (canned.name, canned.scope, canned.owner, canned.body) == ("refund", Scope.PERSONAL, agent,
                                                                     "Hello {{ customer.first_name }}")
    assert [(v.language, v.body) for v in canned.variants.all()] == [("cs", "Dobrý den")]
    assert [a.file_name for a in canned.attachments.all()] == ["terms.png"]
    page = _client(agent).get("/canned/")
    assert b"#refund" in page.content and b"terms.png" in page.content


def test_an_agent_cannot_make_a_shared_one_and_bad_templates_are_explained():
    agent = UserFactory()
    response = _client(agent).post("/canned/new/", {"name": "x", "scope": "shared", "body": "x"})
    assert response.status_code == 400 and not CannedResponse.objects.exists()
    response = _client(agent).post("/canned/new/", {"name": "x", "scope": "personal", "body": "Hi {% if %}"})
    assert response.status_code == 400 and "Line 1" in response.content.decode()


def test_a_supervisor_makes_a_department_one():
    supervisor, department = UserFactory(role=Role.SUPERVISOR), DepartmentFactory()
    response = _client(supervisor).post("/canned/new/", {"name": "dept", "scope": "department",
                                                         "department": department.pk, "body": "x"})
    assert response.status_code == 302
    assert CannedResponse.objects.get().department == department


def test_search_previews_for_the_ticket_and_use_counts_and_returns_attachments():
    agent = UserFactory(first_name="Petr", last_name="Malý")
    contact = ContactFactory(name="Mari Tamm")
    contact.language = "et"
    contact.save()
    ticket = make_ticket(requester=contact)
    canned = canned_create(actor=agent, name="thanks", body="Thanks {{ customer.first_name }}",
                           variants={"et": "Aitäh, {{ customer.first_name }}! {{ agent.first_name }}"},
                           attachments=[NewAttachment(file_name="a.png", content=PNG)])
    client = _client(agent)
    found = client.get("/canned/search/", {"q": "tha", "ticket": ticket.number}).json()["items"]
    assert [(i["name"], i["preview"], i["attachments"]) for i in found] == [("thanks", "Aitäh, Mari! Petr", ["a.png"])]
    assert client.get("/canned/search/", {"q": "zzz"}).json()["items"] == []
    used = client.post(f"/canned/{canned.pk}/use/", {"ticket": ticket.number}).json()
    assert used["text"] == "Aitäh, Mari! Petr" and "Aitäh" in used["html"]
    [attachment] = used["attachments"]
    download = client.get(attachment["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    canned.refresh_from_db()
    assert canned.usage_count == 1


def test_other_peoples_canned_responses_and_tickets_are_not_found():
    owner, other = UserFactory(), UserFactory()
    canned = canned_create(actor=owner, name="mine", body="x",
                           attachments=[NewAttachment(file_name="a.png", content=PNG)])
    client = _client(other)
    assert client.post(f"/canned/{canned.pk}/use/").status_code == 404
    assert client.get(f"/canned/{canned.pk}/").status_code == 404
    assert client.post(f"/canned/{canned.pk}/delete/").status_code == 404
    assert client.get(f"/canned/attachments/{canned.attachments.get().public_id}/").status_code == 404
    assert client.get("/canned/search/", {"q": "mine"}).json()["items"] == []
    hidden = make_ticket(department=DepartmentFactory())
    assert _client(owner).get("/canned/search/", {"q": "", "ticket": hidden.number}).status_code == 404
    customer = make_customer_user()
    assert _client(customer).get("/canned/").status_code == 404
    assert CannedResponse.objects.filter(pk=canned.pk).exists()


def test_the_preview_fills_placeholders_for_a_ticket():
    agent = UserFactory(role=Role.ADMINISTRATOR)
    ticket = make_ticket(requester=ContactFactory(name="Jana Nováková"))
    response = _client(agent).post("/canned/preview/", {"body": "Hi {{ customer.first_name }} #{{ ticket.number }}",
                                                        "ticket": ticket.number})
    assert f"Hi Jana #{ticket.number}" in response.content.decode()
    assert "Line 1" in _client(agent).post("/canned/preview/", {"body": "{% if %}"}).content.decode()


def test_delete_by_the_owner():
    agent = UserFactory()
    canned = canned_create(actor=agent, name="gone", body="x")
    assert _client(agent).post(f"/canned/{canned.pk}/delete/").status_code == 302
    assert not CannedResponse.objects.exists()


def test_attachment_files_go_with_their_rows_once_committed(django_capture_on_commit_callbacks):
    from django.db import transaction

    from pomoc.automation.canned.services import canned_attachment_remove, canned_delete

    agent = UserFactory()
    canned = canned_create(actor=agent, name="files", body="x", attachments=[
        NewAttachment(file_name=f"{n}.png", content=PNG, content_type="image/png") for n in ("a", "b", "c")])
    first, second, third = canned.attachments.order_by("id")
    storage = first.file.storage
    with pytest.raises(RuntimeError), transaction.atomic():  # rolled back: the file stays with its row
        canned_attachment_remove(attachment=first, actor=agent)
        raise RuntimeError
    assert storage.exists(first.file.name) and canned.attachments.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        canned_attachment_remove(attachment=canned.attachments.get(file=first.file.name), actor=agent)
    assert not storage.exists(first.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        canned_delete(canned=canned, actor=agent)
    assert not any(storage.exists(a.file.name) for a in (second, third))


@pytest.mark.parametrize("path", ["/canned/", "/canned/search/?q=&ticket={number}"])
def test_the_list_and_the_search_stay_flat_as_rows_grow(path, django_assert_max_num_queries):
    """One canned response, then many with variants and attachments: the same queries (the search
    previews each of its hits for the ticket without asking again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent, department = UserFactory(), DepartmentFactory()
    agent.departments.add(department)
    ticket = make_ticket(department=department, requester=ContactFactory(name="Jana Nováková"))
    client = _client(agent)
    url = path.format(number=ticket.number)
    body = "{{ customer.email }} {{ customer.company }} {{ ticket.department }}"
    canned_create(actor=agent, name="first", body=body)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    admin = UserFactory(role=Role.ADMINISTRATOR)
    for i in range(6):
        canned_create(actor=agent, name=f"own{i}", body=body, variants={"cs": "y"},
                      attachments=[NewAttachment(file_name="a.png", content=PNG)])
        canned_create(actor=admin, name=f"dept{i}", body=body, scope=Scope.DEPARTMENT, department=department)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_preview_shows_the_text_a_customer_speaking_a_language_gets():
    agent = UserFactory()
    ticket = make_ticket(requester=ContactFactory(name="Jana Nováková"))
    client = _client(agent)
    data = {"body": "Hello {{ customer.first_name }}", "variant_cs": "Dobrý den, {{ ticket.priority }}",
            "ticket": ticket.number}
    assert "Dobrý den, Normální" in client.post("/canned/preview/", {**data, "language": "cs"}).content.decode()
    assert "Hello Jana" in client.post("/canned/preview/", {**data, "language": "pl"}).content.decode()
    assert "Hello Jana" in client.post("/canned/preview/", {**data, "language": ""}).content.decode()
