"""Merging with care: search for the target, preview, confirm, undo within the window; a merged
ticket is read-only and points to its target."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import merging, services, snooze
from pomoc.tickets.models import EventType, MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    user = UserFactory(username="merge-agent")
    DepartmentFactory(name="Support").members.add(user)
    client.force_login(user)
    return user


@pytest.fixture
def pair(agent):
    department = agent.departments.get()
    target = make_ticket(subject="Invoice missing", department=department, tags=["billing"])
    source = make_ticket(subject="Where is my invoice", department=department, tags=["urgent", "billing"])
    services.message_add(ticket=source, kind=MessageKind.NOTE, actor=agent, body_text="Asked accounting")
    return source, target


def test_undo_puts_back_exactly_what_the_merge_moved(pair, agent):
    source, target = pair
    before_target_participants = set(target.participants.values_list("pk", flat=True))
    target_message_ids = set(target.messages.values_list("pk", flat=True))
    source_message_ids = set(source.messages.values_list("pk", flat=True))
    services.ticket_update(ticket=source, actor=agent, changes={"status": Status.PENDING})
    source.refresh_from_db()

    services.ticket_merge(source=source, target=target, actor=agent)
    source.refresh_from_db()
    assert source.merged_into_id == target.pk and source.status == Status.CLOSED
    assert sorted(target.tags.values_list("name", flat=True)) == ["billing", "urgent"]
    assert source.requester_id in set(target.participants.values_list("pk", flat=True))

    merging.ticket_merge_undo(source=source, actor=agent)
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into_id is None
    assert source.status == Status.PENDING and source.closed_at is None and source.resolved_at is None
    assert source.reopen_count == 0
    assert set(source.messages.values_list("pk", flat=True)) == source_message_ids
    assert set(target.messages.values_list("pk", flat=True)) == target_message_ids
    assert sorted(target.tags.values_list("name", flat=True)) == ["billing"]
    assert set(target.participants.values_list("pk", flat=True)) == before_target_participants
    assert source.events.filter(type=EventType.MERGE_UNDONE).exists()
    undone = target.events.get(type=EventType.MERGE_UNDONE)
    assert undone.data["from_number"] == source.number and sorted(undone.data["messages"]) == sorted(source_message_ids)
    # The ticket can be changed, and merged, again.
    services.ticket_update(ticket=source, actor=agent, changes={"priority": 3})
    services.ticket_merge(source=source, target=target, actor=agent)


def test_undo_keeps_messages_that_arrived_on_the_target_after_the_merge(pair, agent):
    source, target = pair
    services.ticket_merge(source=source, target=target, actor=agent)
    later = services.message_add(ticket=target, kind=MessageKind.CUSTOMER, body_text="Any news?")
    merging.ticket_merge_undo(source=Ticket.objects.get(pk=source.pk), actor=agent)
    later.refresh_from_db()
    assert later.ticket_id == target.pk


def test_undo_restores_a_snooze(pair, agent):
    source, target = pair
    until = timezone.now() + dt.timedelta(days=2)
    snooze.ticket_snooze(ticket=source, actor=agent, until=until)
    services.ticket_merge(source=Ticket.objects.get(pk=source.pk), target=target, actor=agent)
    merging.ticket_merge_undo(source=Ticket.objects.get(pk=source.pk), actor=agent)
    source.refresh_from_db()
    assert source.status == Status.SNOOZED and source.snoozed_until == until


def test_undo_is_refused_after_the_window(pair, agent, settings):
    settings.MERGE_UNDO_MINUTES = 10
    source, target = pair
    services.ticket_merge(source=source, target=target, actor=agent)
    source.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        merging.ticket_merge_undo(source=source, actor=agent, now=timezone.now() + dt.timedelta(minutes=11))
    assert "within 10 minutes" in str(refused.value)
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert merging.undoable_merges(source, now=timezone.now() + dt.timedelta(minutes=11)) == []


def test_undo_is_refused_when_the_target_was_merged_on(pair, agent):
    source, target = pair
    third = make_ticket(department=target.department)
    services.ticket_merge(source=source, target=target, actor=agent)
    services.ticket_merge(source=Ticket.objects.get(pk=target.pk), target=third, actor=agent)
    with pytest.raises(ValidationError, match="undo that merge first"):
        merging.ticket_merge_undo(source=Ticket.objects.get(pk=source.pk), actor=agent)


def test_a_merged_ticket_is_read_only(pair, agent):
    source, target = pair
    services.ticket_merge(source=source, target=target, actor=agent)
    source = Ticket.objects.get(pk=source.pk)
    for changes in ({"status": Status.OPEN}, {"subject": "New"}, {"tags": ["x"]}):
        with pytest.raises(ValidationError, match="merged into"):
            services.ticket_update(ticket=source, actor=agent, changes=changes)
    with pytest.raises(ValidationError):
        services.message_add(ticket=source, kind=MessageKind.NOTE, actor=agent, body_text="hi")


def test_candidates_search_finds_visible_unmerged_tickets_only(pair, agent):
    source, target = pair
    hidden = make_ticket(subject="Invoice elsewhere", department=DepartmentFactory(name="Sales"))
    found = merging.merge_candidates(agent, source, "invoice")
    assert target in found and source not in found and hidden not in found
    assert merging.merge_candidates(agent, source, f"#{target.number}") == [target]
    # Nothing typed: the requester's other tickets.
    same_requester = make_ticket(requester=source.requester, department=source.department)
    assert merging.merge_candidates(agent, source, "") == [same_requester]


def test_preview_says_what_moves(pair, agent):
    source, target = pair
    cc = ContactFactory(name="Carl Copy")
    source.participants.add(cc)
    preview = merging.merge_preview(source, target)
    assert preview.messages == 2 and preview.new_tags == ["urgent"] and not preview.problem
    assert {c.pk for c in preview.new_participants} == {source.requester_id, cc.pk}


# --- pages ------------------------------------------------------------------------------------
def test_search_preview_confirm_and_undo_through_the_pages(client, pair, agent):
    source, target = pair
    candidates = client.get(reverse("tickets:merge-candidates", args=[source.number]), {"q": "invoice"},
                            HTTP_HX_REQUEST="true")
    assert f'value="{target.number}"' in candidates.content.decode()

    preview = client.get(reverse("tickets:merge-preview", args=[source.number]), {"target": target.number})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert f"Merge #{source.number} into #{target.number}?" in page
    assert "2 messages move" in page and "urgent" in page and "undo the merge for 10 minutes" in page
    assert not Ticket.objects.get(pk=source.pk).merged_into_id  # a preview changes nothing

    response = client.post(reverse("tickets:merge", args=[source.number]), {"target": target.number})
    assert response.status_code == 302
    target_page = client.get(reverse("tickets:detail", args=[target.number])).content.decode()
    assert f"Undo the merge of #{source.number}" in target_page
    with CaptureQueriesContext(connection) as queries:
        source_page = client.get(reverse("tickets:detail", args=[source.number])).content.decode()
    assert f"This ticket was merged into #{target.number}" in source_page
    assert f'<a href="{reverse("tickets:detail", args=[target.number])}">Open it</a>' in source_page
    # the target's number comes with the ticket's own query
    assert sum(q["sql"].startswith('SELECT "tickets_ticket"') for q in queries.captured_queries) == 1
    assert 'id="ticket-subject"' not in source_page and 'name="status"' not in source_page  # read-only
    assert client.post(reverse("tickets:update", args=[source.number]), {"status": "open"}).status_code == 400

    undo = client.post(reverse("tickets:merge-undo", args=[source.number]))
    assert undo.status_code == 302 and undo["Location"] == reverse("tickets:detail", args=[source.number])
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None


def test_undo_after_the_window_is_refused_with_the_reason(client, pair, agent, settings):
    source, target = pair
    services.ticket_merge(source=source, target=target, actor=agent)
    settings.MERGE_UNDO_MINUTES = 0
    response = client.post(reverse("tickets:merge-undo", args=[source.number]), follow=True)
    assert response.status_code == 200
    assert "can only be undone within 0 minutes" in response.content.decode()
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def test_preview_of_an_unknown_or_hidden_target_is_a_404_with_a_message(client, pair):
    source, _target = pair
    hidden = make_ticket(department=DepartmentFactory(name="Sales"))
    for value in (hidden.number, 99999999, "abc", "9" * 40):
        response = client.get(reverse("tickets:merge-preview", args=[source.number]), {"target": value})
        assert response.status_code == 404
        assert "no ticket with this number" in response.content.decode()


def test_preview_without_a_target_lists_matches_without_javascript(client, pair):
    source, target = pair
    response = client.get(reverse("tickets:merge-preview", args=[source.number]), {"q": "invoice"})
    assert response.status_code == 200 and f'value="{target.number}"' in response.content.decode()


def test_snooze_from_the_ticket_page(client, pair, agent):
    source, _ = pair
    until = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("tickets:snooze", args=[source.number]), {"until": until})
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.status == Status.SNOOZED and source.snoozed_until is not None
    page = client.get(reverse("tickets:detail", args=[source.number])).content.decode()
    assert "Snoozed until" in page and f'value="{until}"' in page


@pytest.mark.parametrize("value", ["", "yesterday", "2001-01-01T10:00", "\x00"])
def test_snooze_refuses_bad_times_clearly(client, pair, value):
    source, _ = pair
    response = client.post(reverse("tickets:snooze", args=[source.number]), {"until": value})
    assert response.status_code == 400
    assert 'class="errors" role="alert"' in response.content.decode()
    assert Ticket.objects.get(pk=source.pk).status != Status.SNOOZED


def test_a_merge_recorded_without_what_it_moved_is_not_undone(pair, agent):
    source, target = pair
    services.ticket_merge(source=source, target=target, actor=agent)
    target.events.filter(type=EventType.MERGED).update(data={"from": source.pk, "from_number": source.number})
    with pytest.raises(ValidationError, match="cannot be undone|can be undone"):
        merging.ticket_merge_undo(source=Ticket.objects.get(pk=source.pk), actor=agent)
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


# --- split: preview, confirm, undo ------------------------------------------------------------
@pytest.fixture
def two_questions(agent):
    ticket = make_ticket(subject="Printer and scanner", department=agent.departments.get())
    second = services.message_add(ticket=ticket, kind=MessageKind.CUSTOMER, body_text="Also my scanner is broken")
    return ticket, second


def test_split_shows_a_preview_then_splits_with_the_subject_given(client, two_questions):
    ticket, second = two_questions
    url = reverse("tickets:split", args=[ticket.number, second.pk])
    page = client.get(url).content.decode()
    assert f"Split this message off #{ticket.number}?" in page and "Also my scanner is broken" in page
    assert 'name="subject" value="Printer and scanner"' in page
    second.refresh_from_db()
    assert second.ticket_id == ticket.pk  # the preview changes nothing
    response = client.post(url, {"subject": "Scanner broken"})
    second.refresh_from_db()
    assert second.ticket.subject == "Scanner broken"
    assert response["Location"] == reverse("tickets:detail", args=[second.ticket.number])
    new_page = client.get(response["Location"]).content.decode()
    assert f"This ticket was split off from #{ticket.number}." in new_page and "Undo the split" in new_page


def test_undo_a_split_puts_the_message_back(client, two_questions, agent):
    ticket, second = two_questions
    new_ticket = services.message_split(message=second, actor=agent)
    response = client.post(reverse("tickets:split-undo", args=[new_ticket.number]))
    assert response["Location"] == reverse("tickets:detail", args=[ticket.number])
    second.refresh_from_db()
    new_ticket.refresh_from_db()
    assert second.ticket_id == ticket.pk
    assert new_ticket.merged_into_id == ticket.pk and new_ticket.status == Status.CLOSED


def test_undo_a_split_is_refused_after_the_window_or_for_a_ticket_never_split(client, two_questions, agent, settings):
    ticket, second = two_questions
    new_ticket = services.message_split(message=second, actor=agent)
    with pytest.raises(ValidationError, match="not split off"):
        merging.ticket_split_undo(ticket=ticket, actor=agent)
    settings.MERGE_UNDO_MINUTES = 0
    response = client.post(reverse("tickets:split-undo", args=[new_ticket.number]), follow=True)
    assert "can only be undone within 0 minutes" in response.content.decode()
    assert Ticket.objects.get(pk=new_ticket.pk).merged_into_id is None


@pytest.mark.parametrize("subject", ["", "   ", "a\nb", "x\x00"])
def test_split_with_a_bad_subject_keeps_the_message_where_it_is_or_uses_the_old_subject(client, two_questions,
                                                                                         subject):
    ticket, second = two_questions
    client.post(reverse("tickets:split", args=[ticket.number, second.pk]), {"subject": subject})
    second.refresh_from_db()
    if subject.strip():
        assert second.ticket_id == ticket.pk  # refused with its reason
    else:
        assert second.ticket.subject == "Printer and scanner"  # no subject given: the old one
