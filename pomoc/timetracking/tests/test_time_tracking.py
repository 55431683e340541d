"""Time spent on a ticket: measured from the page's activity reports, plus entries added by hand."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.testing.pages import ticket_page
from pomoc.tickets import services as ticket_services
from pomoc.tickets.permissions import PermissionDenied
from pomoc.timetracking import selectors, services
from pomoc.timetracking.models import TimeEntry, TimeSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, settings):
    settings.TIME_TRACKING_HEARTBEAT_SECONDS = 30
    user = UserFactory(username="time-agent", first_name="Tim", last_name="Keeper")
    DepartmentFactory(name="Support").members.add(user)
    client.force_login(user)
    return user


@pytest.fixture
def ticket(agent):
    return make_ticket(subject="Slow printer", department=agent.departments.get())


def test_activity_reports_add_up_to_the_time_between_them(ticket, agent):
    start = timezone.now()
    for second in (0, 30, 60, 90):
        services.activity_record(ticket=ticket, agent=agent, now=start + dt.timedelta(seconds=second))
    entry = TimeEntry.objects.get()
    assert entry.source == TimeSource.TRACKED
    assert entry.seconds == 30 + 3 * 30  # the first report counts the heartbeat before it
    assert entry.started_at == start - dt.timedelta(seconds=30)


def test_a_pause_starts_a_new_stretch_and_is_not_counted(ticket, agent):
    start = timezone.now()
    services.activity_record(ticket=ticket, agent=agent, now=start)
    services.activity_record(ticket=ticket, agent=agent, now=start + dt.timedelta(minutes=20))
    assert sorted(TimeEntry.objects.values_list("seconds", flat=True)) == [30, 30]


def test_two_tabs_count_the_time_once(ticket, agent):
    start = timezone.now()
    for second in (0, 30, 31, 60, 61):  # two pages reporting a second apart
        services.activity_record(ticket=ticket, agent=agent, now=start + dt.timedelta(seconds=second))
    assert TimeEntry.objects.get().seconds == 30 + 61


def test_a_merged_ticket_counts_no_more_time(ticket, agent):
    other = make_ticket(department=ticket.department)
    ticket_services.ticket_merge(source=ticket, target=other, actor=agent)
    ticket.refresh_from_db()
    assert services.activity_record(ticket=ticket, agent=agent) is None
    with pytest.raises(ValidationError):
        services.time_entry_add(ticket=ticket, agent=agent, minutes=5)


def test_manual_entries_are_added_changed_and_deleted_by_their_agent_only(ticket, agent):
    entry = services.time_entry_add(ticket=ticket, agent=agent, minutes=15, note="Phone call")
    assert entry.seconds == 900 and entry.source == TimeSource.MANUAL
    services.time_entry_update(entry=entry, agent=agent, minutes=20, note="Longer call")
    entry.refresh_from_db()
    assert entry.seconds == 1200 and entry.note == "Longer call"
    colleague = UserFactory()
    with pytest.raises(PermissionDenied):
        services.time_entry_update(entry=entry, agent=colleague, minutes=1)
    with pytest.raises(PermissionDenied):
        services.time_entry_delete(entry=entry, agent=colleague)
    services.time_entry_delete(entry=entry, agent=agent)
    assert not TimeEntry.objects.exists()


def test_measured_time_cannot_be_edited(ticket, agent):
    entry = services.activity_record(ticket=ticket, agent=agent)
    with pytest.raises(ValidationError, match="Measured time"):
        services.time_entry_update(entry=entry, agent=agent, minutes=1)


@pytest.mark.parametrize("minutes", [0, -5, 1441, True, "10", None])
def test_manual_minutes_out_of_range_are_refused(ticket, agent, minutes):
    with pytest.raises(ValidationError) as refused:
        services.time_entry_add(ticket=ticket, agent=agent, minutes=minutes)
    assert "minutes" in refused.value.message_dict


def test_handle_time_sums_measured_and_manual_time_per_ticket_and_agent(ticket, agent):
    colleague = UserFactory()
    services.activity_record(ticket=ticket, agent=agent)
    services.time_entry_add(ticket=ticket, agent=colleague, minutes=10)
    other = make_ticket(department=ticket.department)
    assert selectors.handle_times([ticket.pk, other.pk]) == {ticket.pk: 630}
    services.time_entry_add(ticket=other, agent=colleague, minutes=2)
    assert selectors.agent_handle_times([ticket.pk, other.pk]) == {agent.pk: (30, 1), colleague.pk: (720, 2)}
    summary = selectors.ticket_time(ticket, agent)
    assert summary.total_seconds == 630 and summary.mine_seconds == 30
    assert [a.pk for a in summary.agents] == [colleague.pk, agent.pk]


# --- pages ------------------------------------------------------------------------------------
def test_the_sidebar_shows_the_time_panel_with_its_heartbeat(client, ticket, agent):
    services.time_entry_add(ticket=ticket, agent=agent, minutes=65, note="Site visit")
    page = ticket_page(client, ticket.number)
    assert 'id="time-panel"' in page and 'data-heartbeat-seconds="30"' in page
    assert "1 h 05 min" in page and "Site visit" in page
    assert reverse("timetracking:activity", args=[ticket.number]) in page
    assert "pomoc/time.js" in page


def test_activity_report_answers_with_the_totals(client, ticket, agent):
    response = client.post(reverse("timetracking:activity", args=[ticket.number]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="time-totals"' in response.content.decode()
    assert TimeEntry.objects.get().agent == agent


def test_add_edit_and_delete_an_entry_through_the_page(client, ticket, agent):
    url = reverse("timetracking:entry-add", args=[ticket.number])
    response = client.post(url, {"minutes": "25", "note": "Called the customer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Called the customer" in response.content.decode()
    entry = TimeEntry.objects.get()
    client.post(reverse("timetracking:entry-update", args=[ticket.number, entry.pk]), {"minutes": "30", "note": "x"})
    entry.refresh_from_db()
    assert entry.seconds == 1800
    response = client.post(reverse("timetracking:entry-delete", args=[ticket.number, entry.pk]))
    assert response.status_code == 302 and not TimeEntry.objects.exists()


@pytest.mark.parametrize("data", [{"minutes": ""}, {"minutes": "abc"}, {"minutes": "0"}, {"minutes": "99999999999"},
                                  {"minutes": "5", "note": "a\x00b"}, {"minutes": "5", "note": "x" * 300}])
def test_bad_entries_are_refused_with_a_message(client, ticket, data):
    response = client.post(reverse("timetracking:entry-add", args=[ticket.number]), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_another_agents_entry_or_a_hidden_ticket_is_not_found(client, ticket, agent):
    colleague = UserFactory()
    entry = services.time_entry_add(ticket=ticket, agent=colleague, minutes=5)
    assert client.post(reverse("timetracking:entry-delete", args=[ticket.number, entry.pk])).status_code == 404
    hidden = make_ticket(department=DepartmentFactory(name="Sales"))
    assert client.post(reverse("timetracking:activity", args=[hidden.number])).status_code == 404
    assert client.get(reverse("timetracking:panel", args=[hidden.number])).status_code == 404


def test_customers_and_strangers_cannot_report_time(client, ticket):
    client.logout()
    response = client.post(reverse("timetracking:activity", args=[ticket.number]))
    assert response.status_code == 302


def test_a_refused_entry_is_shown_in_the_panel_htmx_swaps(client, ticket):
    response = client.post(reverse("timetracking:entry-add", args=[ticket.number]), {"minutes": "0"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="time-panel"' in content and 'class="errorlist' in content
    assert '<details class="time-add" open' in content
