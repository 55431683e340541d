import pytest

from pomoc.testing.factories import make_ticket
from pomoc.tickets.models import Ticket
from pomoc.timetracking import services as time_services

pytestmark = pytest.mark.django_db


def test_it_lists_a_tickets_time_entries_with_the_total(world, as_agent):
    ticket = world["ticket"]
    time_services.activity_record(ticket=ticket, agent=world["agent"])
    time_services.time_entry_add(ticket=ticket, agent=world["agent"], minutes=10, note="Call")
    body = as_agent.get(f"/tickets/{ticket.number}/time-entries").json()
    assert body["total_seconds"] == 630
    assert [(i["source"], i["seconds"], i["note"]) for i in body["items"]] == [("tracked", 30, ""),
                                                                              ("manual", 600, "Call")]
    assert body["items"][0]["agent"]["username"] == "supporter"


def test_it_adds_time_by_hand_and_refuses_nonsense(world, as_agent):
    ticket = world["ticket"]
    response = as_agent.post(f"/tickets/{ticket.number}/time-entries", {"minutes": 25, "note": "Visit"})
    assert response.status_code == 201 and response.json()["seconds"] == 1500
    for body in ({"minutes": 0}, {"minutes": 100000}, {"minutes": "x"}, {"minutes": 5, "note": "a\nb"}, {}):
        assert as_agent.post(f"/tickets/{ticket.number}/time-entries", body).status_code == 422


def test_time_entries_of_hidden_tickets_are_not_found_and_customers_are_refused(world, as_outsider, as_customer):
    number = world["ticket"].number
    assert as_outsider.get(f"/tickets/{number}/time-entries").status_code == 404
    assert as_customer.get(f"/tickets/{number}/time-entries").status_code == 403


def test_it_undoes_a_merge_within_the_window_only(world, as_agent, settings):
    source = world["ticket"]
    target = make_ticket(department=world["support"])
    assert as_agent.post(f"/tickets/{source.number}/merge", {"target": target.number}).status_code == 200
    # A merged ticket is read-only.
    refused = as_agent.patch(f"/tickets/{source.number}", {"priority": "high"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["type"] == "conflict"
    response = as_agent.post(f"/tickets/{source.number}/merge/undo")
    assert response.status_code == 200 and response.json()["merged_into"] is None
    assert as_agent.post(f"/tickets/{source.number}/merge", {"target": target.number}).status_code == 200
    settings.MERGE_UNDO_MINUTES = 0
    late = as_agent.post(f"/tickets/{source.number}/merge/undo")
    assert late.status_code == 422 and "within 0 minutes" in late.content.decode()
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk
