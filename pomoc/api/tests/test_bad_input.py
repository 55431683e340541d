"""Wrong input gets a clear 4xx naming the field, and nothing in the database changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pomoc.accounts.models import User
from pomoc.contacts.models import Contact
from pomoc.tickets.models import Attachment, Message, Tag, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(world):
    def take():
        return {
            "tickets": list(Ticket.objects.order_by("pk").values()),
            "messages": Message.objects.count(),
            "events": TicketEvent.objects.count(),
            "contacts": Contact.objects.count(),
            "tags": Tag.objects.count(),
            "attachments": Attachment.objects.count(),
            "users": list(User.objects.order_by("pk").values()),
        }

    before = take()
    yield
    assert take() == before


def _fields(response) -> list[list]:
    return [item["loc"] for item in response.json()["detail"]]


def test_unknown_fields_are_refused(world, as_agent, snapshot):
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", {"subject": "ok", "colour": "red"})
    assert response.status_code == 422
    assert ["body", "colour"] in _fields(response)
    assert "not permitted" in response.json()["detail"][0]["msg"]
    response = as_agent.post("/tickets", {"requester": world["requester"].pk, "subject": "s", "body": "b",
                                          "hack": True})
    assert response.status_code == 422
    assert ["body", "hack"] in _fields(response)


def test_wrong_types_are_refused(world, as_agent, snapshot):
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", {"assignee": "somebody", "tags": "one"})
    assert response.status_code == 422
    assert {tuple(loc) for loc in _fields(response)} == {("body", "assignee"), ("body", "tags")}


def test_unknown_status_and_priority_are_refused(world, as_agent, snapshot):
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", {"status": "done", "priority": "critical"})
    assert response.status_code == 422
    assert {tuple(loc) for loc in _fields(response)} == {("body", "status"), ("body", "priority")}
    assert "'new'" in response.json()["detail"][0]["msg"]
    response = as_agent.get("/tickets", {"status": "done", "priority": "critical"})
    assert response.status_code == 422
    assert {tuple(loc) for loc in _fields(response)} == {("query", "status"), ("query", "priority")}


def test_a_service_error_names_the_field(world, as_agent, snapshot):
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", {"subject": "   "})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"type": "value_error", "loc": ["body", "subject"],
                                          "msg": "A ticket needs a subject."}]
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", {"custom_fields": {"nope": 1}})
    assert response.status_code == 422
    assert _fields(response) == [["body", "custom_fields", "nope"]]


def test_unknown_assignee_department_and_requester_are_refused(world, as_agent, snapshot):
    number = world["ticket"].number
    assert _fields(as_agent.patch(f"/tickets/{number}", {"assignee": 999999})) == [["body", "assignee"]]
    assert _fields(as_agent.patch(f"/tickets/{number}", {"department": 999999})) == [["body", "department"]]
    customer_id = world["customer"].pk
    assert _fields(as_agent.patch(f"/tickets/{number}", {"assignee": customer_id})) == [["body", "assignee"]]
    response = as_agent.post("/tickets", {"requester_email": "not an address", "subject": "s", "body": "b"})
    assert _fields(response) == [["body", "requester_email"]]
    response = as_agent.post("/tickets", {"requester_email": "fine@example.org", "subject": "s", "body": "b",
                                          "department": 999999})
    assert response.status_code == 422
    assert _fields(response) == [["body", "department"]]


def test_a_failed_create_leaves_no_new_contact_behind(world, as_agent, snapshot):
    response = as_agent.post("/tickets", {"requester_email": "ghost@example.org", "subject": "   ", "body": "b"})
    assert response.status_code == 422
    assert _fields(response) == [["body", "subject"]]


def test_null_for_a_required_field_is_refused(world, as_agent, snapshot):
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", {"subject": None})
    assert response.status_code == 422
    assert _fields(response) == [["body", "subject"]]


def test_broken_json_is_a_400(world, as_agent, snapshot):
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", "{not json")
    assert response.status_code == 400
    assert "detail" in response.json()
    response = as_agent.post(f"/tickets/{world['ticket'].number}/messages", "{not json")
    assert response.status_code == 400


def test_another_customers_ticket_is_not_found(world, as_customer, snapshot):
    number = world["other_ticket"].number
    assert as_customer.post(f"/tickets/{number}/messages", {"body": "hello"}).status_code == 404
    assert as_customer.get(f"/tickets/{number}").json() == {"detail": "Not found."}


def test_bulk_with_an_invisible_ticket_changes_nothing(world, as_outsider, as_agent, snapshot):
    numbers = [world["ticket"].number, world["other_ticket"].number]
    response = as_agent.post("/tickets/bulk", {"numbers": numbers, "changes": {"status": "resolved",
                                                                               "custom_fields": {"x": 1}}})
    assert response.status_code == 422
    response = as_outsider.post("/tickets/bulk", {"numbers": numbers, "changes": {"status": "resolved"}})
    assert response.status_code == 422
    assert _fields(response) == [["body", "numbers"]]


def test_an_oversized_attachment_is_refused_and_nothing_is_stored(world, as_agent, settings, tmp_path, snapshot):
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_ATTACHMENT_BYTES = 10
    big = SimpleUploadedFile("big.bin", b"x" * 11, content_type="application/octet-stream")
    response = as_agent.multipart(f"/tickets/{world['ticket'].number}/messages", {"body": "see", "files": [big]})
    assert response.status_code == 422
    assert _fields(response) == [["body", "attachments"]]
    assert "big.bin" in response.json()["detail"][0]["msg"]
    assert not any(tmp_path.rglob("*.*")) and not (tmp_path / "attachments").exists()


def test_unknown_multipart_fields_are_refused(world, as_agent, settings, tmp_path, snapshot):
    settings.MEDIA_ROOT = tmp_path
    response = as_agent.multipart(f"/tickets/{world['ticket'].number}/messages",
                                  {"body": "x", "sneaky": "1", "kind": "shout"})
    assert response.status_code == 422
    assert {tuple(loc) for loc in _fields(response)} == {("body", "sneaky"), ("body", "kind")}


def test_bad_user_input_for_administrators(world, as_admin, snapshot):
    response = as_admin.post("/users", {"username": "agent x!", "role": "king", "time_zone": "Mars/Base"})
    assert response.status_code == 422
    assert ["body", "role"] in _fields(response)
    response = as_admin.post("/users", {"username": "newbie", "time_zone": "Mars/Base"})
    assert _fields(response) == [["body", "time_zone"]]
    response = as_admin.post("/users", {"username": "supporter"})
    assert _fields(response) == [["body", "username"]]
    response = as_admin.patch(f"/users/{world['admin'].pk}", {"is_active": False})
    assert _fields(response) == [["body", "is_active"]]
    response = as_admin.post("/users", {"username": "weak", "password": "123"})
    assert ["body", "password"] in _fields(response)


def test_a_path_no_endpoint_matches_is_a_json_404(world, as_agent):
    for path in ("/tickets/abc", "/no-such-thing"):
        response = as_agent.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_a_body_over_the_upload_limit_is_413(world, as_agent, settings, snapshot):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_agent.post(f"/tickets/{world['ticket'].number}/messages", {"body": "x" * 2000})
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    response = as_agent.patch(f"/tickets/{world['ticket'].number}", {"subject": "x" * 2000})
    assert response.status_code == 413
