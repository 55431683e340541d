import pytest
from django.core.exceptions import ValidationError

from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import selectors, services
from pomoc.tickets.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="lister")


def test_keyset_pages_cover_every_ticket_once(agent):
    tickets = [make_ticket(subject=f"Question {i}") for i in range(23)]
    for sort in selectors.SORTS:
        seen, cursor = [], None
        while True:
            page = selectors.ticket_list(agent, selectors.TicketFilters(sort=sort), cursor=cursor, limit=5)
            seen.extend(t.pk for t in page.items)
            if not page.has_more:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(t.pk for t in tickets), sort
        assert len(seen) == len(set(seen))


def test_filters_parse_and_reject_bad_values():
    filters = selectors.TicketFilters.from_mapping({"status": "active", "priority": "high,urgent", "assignee": "me"})
    assert filters.statuses == ["new", "open", "pending"]
    assert filters.priorities == [3, 4]
    with pytest.raises(ValidationError) as excinfo:
        selectors.TicketFilters.from_mapping({"status": "bogus", "sort": "password", "assignee": "x"})
    assert set(excinfo.value.message_dict) == {"status", "sort", "assignee"}


def test_a_bad_cursor_is_a_clear_error(agent):
    with pytest.raises(ValidationError):
        selectors.ticket_list(agent, selectors.TicketFilters(), cursor="not-a-cursor")


def test_views_filter_by_assignee_and_status(agent):
    mine = make_ticket(assignee=agent)
    unassigned = make_ticket()
    done = make_ticket()
    services.ticket_update(ticket=done, actor=agent, changes={"status": Status.RESOLVED})
    views = {v["key"]: v for v in selectors.builtin_views(agent)}

    def keys(view):
        filters = selectors.TicketFilters.from_mapping(views[view]["filters"])
        return {t.pk for t in selectors.ticket_list(agent, filters).items}

    assert keys("mine") == {mine.pk}
    assert keys("unassigned") == {unassigned.pk}
    assert keys("resolved") == {done.pk}


def test_search_finds_tickets_by_subject_number_and_message_text(agent):
    contact = ContactFactory(name="Kateřina Dvořáková")
    ticket = make_ticket(requester=contact, subject="Faktura za říjen", body="Dobrý den, platba neprošla.")
    make_ticket(subject="Unrelated")
    assert [t.pk for t in selectors.global_search(agent, "Faktura").tickets] == [ticket.pk]
    assert [t.pk for t in selectors.global_search(agent, str(ticket.number)).tickets] == [ticket.pk]
    assert ticket.pk in [m.ticket_id for m in selectors.global_search(agent, "platba").messages]
    assert contact.pk in [c.pk for c in selectors.global_search(agent, "Dvořáková").contacts]
