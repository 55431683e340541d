"""Drafts are kept on the server as an agent types, per agent and ticket, and end when sent."""

import pytest
from django.core.cache import cache

from pomoc.drafts import views
from pomoc.drafts.models import Draft
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets import services
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    department = DepartmentFactory(name="Support")
    alice, bob = UserFactory(username="alice", first_name="Alice", last_name="A"), UserFactory(username="bob")
    department.members.add(alice, bob)
    return alice, bob, make_ticket(department=department, subject="Kettle leaks")


def save(client, ticket, kind="reply", **data):
    return client.post(f"/drafts/tickets/{ticket.pk}/{kind}/", data)


def test_it_keeps_the_draft_and_gives_it_back(client, team):
    alice, _bob, ticket = team
    client.force_login(alice)
    answer = save(client, ticket, text="Dear customer,", html="<p>Dear <b>customer</b>,</p>")
    assert answer.status_code == 200 and answer.json()["saved"] is True
    mine = client.get(f"/drafts/tickets/{ticket.pk}/").json()["mine"]
    assert mine == {"reply": {"text": "Dear customer,", "html": "<p>Dear <b>customer</b>,</p>"}}


def test_the_ticket_page_restores_it_and_tells_others(client, team):
    alice, bob, ticket = team
    client.force_login(alice)
    save(client, ticket, text="Half a reply")
    save(client, ticket, kind="note", text="Half a note")
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-drafts"' in page and "Half a reply" in page and "Half a note" in page
    client.force_login(bob)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Half a reply" not in page  # another agent's words stay theirs
    assert "Alice A has an unsent reply on this ticket" in page
    assert "Alice A has an unsent note on this ticket" in page


def test_the_ticket_page_reads_drafts_only_when_it_has_some(client, team):
    """Whether there are any comes with the ticket's own query; most tickets have none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alice, _bob, ticket = team
    client.force_login(alice)
    client.get(f"/tickets/{ticket.number}/")
    with CaptureQueriesContext(connection) as none:
        page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'id="ticket-drafts"' in page
    assert not [q for q in none.captured_queries if q["sql"].startswith('SELECT "drafts_draft"')]
    save(client, ticket, text="Half a reply")
    with CaptureQueriesContext(connection) as some:
        page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Half a reply" in page
    assert len(some.captured_queries) == len(none.captured_queries) + 1


def test_empty_text_ends_the_draft(client, team):
    alice, _bob, ticket = team
    client.force_login(alice)
    save(client, ticket, text="Something")
    assert save(client, ticket, text="  ", html="").json()["saved"] is False
    assert not Draft.objects.exists()


def test_html_is_sanitized(client, team):
    alice, _bob, ticket = team
    client.force_login(alice)
    save(client, ticket, text="x", html='<p onclick="steal()">x<script>alert(1)</script></p>')
    assert Draft.objects.get().body_html == "<p>x</p>"


@pytest.mark.parametrize(("kind", "data", "status"), [
    ("summary", {"text": "x"}, 400),
    ("reply", {"text": "x" * 100_001}, 400),
    ("reply", {"text": "nul\x00"}, 400),
])
def test_bad_input_is_a_clear_4xx(client, team, kind, data, status):
    alice, _bob, ticket = team
    client.force_login(alice)
    answer = save(client, ticket, kind=kind, **data)
    assert answer.status_code == status
    assert answer.json()["errors"]
    assert not Draft.objects.exists()


def test_nobody_reaches_a_ticket_they_cannot_see(client, team):
    _alice, _bob, ticket = team
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)
    assert save(client, ticket, text="x").status_code == 404
    assert client.get(f"/drafts/tickets/{ticket.pk}/").status_code == 404
    client.force_login(make_customer_user(contact=ticket.requester))
    assert save(client, ticket, text="x").status_code == 404
    client.logout()
    assert save(client, ticket, text="x").status_code == 302


def test_a_runaway_client_is_throttled(client, team, settings):
    alice, _bob, ticket = team
    cache.clear()
    client.force_login(alice)
    for i in range(views.SAVES_PER_MINUTE):
        assert save(client, ticket, text=f"draft {i}").status_code == 200
    answer = save(client, ticket, text="one too many")
    assert answer.status_code == 429 and answer.json()["errors"]
    cache.clear()


def test_sending_the_reply_ends_that_agents_draft_only(client, team, django_capture_on_commit_callbacks):
    alice, bob, ticket = team
    client.force_login(alice)
    save(client, ticket, text="My reply")
    save(client, ticket, kind="note", text="My note")
    client.force_login(bob)
    save(client, ticket, text="Bob's reply")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=alice, body_text="My reply")
    left = set(Draft.objects.values_list("user__username", "kind"))
    assert left == {("alice", "note"), ("bob", "reply")}
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=alice, body_text="My note")
    assert set(Draft.objects.values_list("user__username", "kind")) == {("bob", "reply")}


def test_a_reply_refused_for_a_collision_keeps_the_draft(client, team):
    alice, _bob, ticket = team
    client.force_login(alice)
    save(client, ticket, text="Answer to the first message")
    seen = ticket.messages.order_by("-pk").first().pk
    services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Also, it smells.")
    answer = client.post(f"/tickets/{ticket.number}/reply/",
                         {"body": "Answer to the first message", "seen_message_id": seen})
    assert answer.status_code == 409  # the page again, with the new message
    assert Draft.objects.filter(user=alice, kind="reply").exists()
