import pytest

from pomoc.contacts.models import Identity
from pomoc.tickets.models import EventType, Priority, Status, Tag, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_it_lists_visible_tickets_with_names_for_priorities(world, as_agent):
    response = as_agent.get("/tickets")
    assert response.status_code == 200
    body = response.json()
    assert {t["number"] for t in body["items"]} == {world["ticket"].number, world["other_ticket"].number}
    assert body["next_cursor"] is None
    item = next(t for t in body["items"] if t["number"] == world["ticket"].number)
    assert item["priority"] == "normal"
    assert item["status"] == "new"
    assert item["requester"] == {"id": world["requester"].pk, "name": "Ada Customer", "email": "ada@example.org"}
    assert item["department"] == {"id": world["support"].pk, "name": "Support"}
    assert "T" in item["created_at"]  # ISO 8601


def test_it_filters_by_status_priority_and_text(world, as_agent):
    Ticket.objects.filter(pk=world["ticket"].pk).update(priority=Priority.URGENT)
    urgent = as_agent.get("/tickets", {"priority": "urgent"}).json()["items"]
    assert [t["number"] for t in urgent] == [world["ticket"].number]
    assert as_agent.get("/tickets", {"status": "resolved,closed"}).json()["items"] == []
    assert len(as_agent.get("/tickets", {"status": "active"}).json()["items"]) == 2
    found = as_agent.get("/tickets", {"q": "printer"}).json()["items"]
    assert [t["number"] for t in found] == [world["ticket"].number]
    assert as_agent.get("/tickets", {"assignee": "me"}).json()["items"] == []


def test_it_creates_a_ticket_for_a_new_email_requester(world, as_agent):
    response = as_agent.post("/tickets", {
        "requester_email": "New.Person@Example.com", "requester_name": "New Person", "subject": "Hello",
        "body": "Please help", "priority": "high", "department": world["support"].pk,
        "assignee": world["agent"].pk, "tags": ["VIP", "billing"],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["priority"] == "high"
    assert body["status"] == "open"
    assert body["tags"] == ["billing", "vip"]
    assert body["requester"]["email"] == "new.person@example.com"
    assert body["assignee"]["id"] == world["agent"].pk
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.messages.get().body_text == "Please help"
    assert Identity.objects.get(value="new.person@example.com").contact.name == "New Person"


def test_it_creates_a_ticket_for_an_existing_contact_by_id(world, as_agent):
    response = as_agent.post("/tickets", {"requester": world["requester"].pk, "subject": "Again", "body": "Hi"})
    assert response.status_code == 201
    assert response.json()["requester"]["id"] == world["requester"].pk


def test_it_reads_a_ticket_by_number(world, as_agent):
    response = as_agent.get(f"/tickets/{world['ticket'].number}")
    assert response.status_code == 200
    assert response.json()["subject"] == "Printer on fire"


def test_patch_changes_only_the_fields_sent(world, as_agent):
    ticket = world["ticket"]
    response = as_agent.patch(f"/tickets/{ticket.number}", {"status": "pending", "priority": "low",
                                                           "tags": ["printer"]})
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.subject) == (Status.PENDING, Priority.LOW, "Printer on fire")
    assert ticket.department == world["support"]
    assert list(ticket.tags.values_list("name", flat=True)) == ["printer"]


def test_patch_assigns_and_clears_with_null(world, as_agent):
    ticket = world["ticket"]
    assert as_agent.patch(f"/tickets/{ticket.number}", {"assignee": world["agent"].pk}).status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == world["agent"]
    assert as_agent.patch(f"/tickets/{ticket.number}", {"assignee": None, "department": None}).status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.department is None


def test_merge_moves_messages_into_the_target(world, as_agent):
    source, target = world["other_ticket"], world["ticket"]
    response = as_agent.post(f"/tickets/{source.number}/merge", {"target": target.number})
    assert response.status_code == 200, response.content
    assert response.json()["number"] == target.number
    source.refresh_from_db()
    assert source.merged_into == target
    assert source.status == Status.CLOSED
    assert as_agent.get(f"/tickets/{source.number}").json()["merged_into"] == target.number


def test_bulk_changes_many_tickets(world, as_agent):
    numbers = [world["ticket"].number, world["other_ticket"].number]
    response = as_agent.post("/tickets/bulk", {"numbers": numbers, "changes": {"status": "resolved"}})
    assert response.status_code == 200, response.content
    assert response.json() == {"updated": 2}
    assert set(Ticket.objects.filter(number__in=numbers).values_list("status", flat=True)) == {Status.RESOLVED}


def test_events_show_the_timeline(world, as_agent):
    as_agent.patch(f"/tickets/{world['ticket'].number}", {"priority": "urgent"})
    response = as_agent.get(f"/tickets/{world['ticket'].number}/events")
    assert response.status_code == 200
    types = [e["type"] for e in response.json()]
    assert types[0] == EventType.CREATED
    assert EventType.PRIORITY_CHANGED in types
    changed = next(e for e in response.json() if e["type"] == EventType.PRIORITY_CHANGED)
    assert changed["actor"]["username"] == "supporter"
    assert (changed["data"]["from"], changed["data"]["to"]) == ("normal", "urgent")
    assert response.json()[0]["data"]["priority"] == "normal"


def test_a_customer_opens_a_ticket_for_themselves(world, as_customer):
    response = as_customer.post("/tickets", {"subject": "My own", "body": "It broke"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requester"]["id"] == world["requester"].pk
    assert body["tags"] == [] and body["custom_fields"] == {}
    assert Ticket.objects.get(number=body["number"]).messages.get().author_contact == world["requester"]


def test_a_customer_cannot_set_staff_fields_or_open_for_someone_else(world, as_customer):
    count = Ticket.objects.count()
    assert as_customer.post("/tickets", {"subject": "x", "body": "y", "priority": "urgent"}).status_code == 403
    other = world["other_customer"].contact.pk
    assert as_customer.post("/tickets", {"subject": "x", "body": "y", "requester": other}).status_code == 403
    assert Ticket.objects.count() == count


def test_a_customer_lists_only_their_own_tickets_and_cannot_change_them(world, as_customer):
    items = as_customer.get("/tickets").json()["items"]
    assert [t["number"] for t in items] == [world["ticket"].number]
    assert as_customer.patch(f"/tickets/{world['ticket'].number}", {"status": "closed"}).status_code == 403
    assert as_customer.get(f"/tickets/{world['ticket'].number}/events").status_code == 403
    world["ticket"].refresh_from_db()
    assert world["ticket"].status == Status.NEW
    assert not TicketEvent.objects.filter(type=EventType.STATUS_CHANGED).exists()
    assert not Tag.objects.exists()
