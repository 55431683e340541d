"""The report rollups give exactly the figures of the direct computation, kept current from the event
log (incrementally and idempotently) and rebuilt from scratch; SLA targets met and breached counted."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from pomoc.accounts.models import Role
from pomoc.automation.sla.tests.helpers import message_at, policy, status_at, ticket_at
from pomoc.automation.sla.timers import recompute
from pomoc.reports import rollup_read, rollups
from pomoc.reports.models import (
    ROLLUP_COLUMNS,
    SLICE_DIMENSIONS,
    VOLUME_COLUMNS,
    DailyRollup,
    DaySlice,
    DayTotal,
    DayVolume,
    RollupState,
    TicketFact,
)
from pomoc.reports.selectors import report_for
from pomoc.testing.factories import DepartmentFactory, UserFactory
from pomoc.tickets import services
from pomoc.tickets.models import Channel, EventType, MessageKind, Priority, Status, Ticket, TicketEvent
from pomoc.timetracking.models import TimeEntry

pytestmark = pytest.mark.django_db
UTC = dt.UTC
MONDAY = dt.datetime(2026, 11, 2, tzinfo=UTC)
WEEK_END = MONDAY + dt.timedelta(days=7)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"


def _set(ticket, **fields) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    return ticket


def _reply(ticket, agent, at):
    message_at(ticket, at, kind=MessageKind.REPLY, author=agent)


@pytest.fixture
def world():
    """A small week: seven tickets in two departments, answered, resolved, reopened, merged, split."""
    support, sales = DepartmentFactory(name="Support"), DepartmentFactory(name="Sales")
    agent = UserFactory(role=Role.AGENT)
    agent.departments.add(support)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    made = {}
    # a: support, answered after 30 min, resolved after 2 h with that one reply (FCR)
    made["a"] = ticket_at(MONDAY + 9 * HOUR, department=support, assignee=agent)
    _reply(made["a"], agent, MONDAY + 9 * HOUR + 30 * MINUTE)
    _set(made["a"], status=Status.RESOLVED, resolved_at=MONDAY + 11 * HOUR)
    # b: support, chat, answered after 10 min, two replies, resolved after 5 h
    made["b"] = ticket_at(MONDAY + 10 * HOUR, department=support, channel=Channel.CHAT)
    _reply(made["b"], agent, MONDAY + 10 * HOUR + 10 * MINUTE)
    _reply(made["b"], agent, MONDAY + 12 * HOUR)
    _set(made["b"], status=Status.RESOLVED, resolved_at=MONDAY + 15 * HOUR)
    # c: sales, answered after 50 min on Tuesday, reopened once and resolved again 30 h after it came
    made["c"] = ticket_at(MONDAY + dt.timedelta(days=1, hours=8), department=sales, priority=Priority.HIGH)
    _reply(made["c"], agent, MONDAY + dt.timedelta(days=1, hours=8, minutes=50))
    _set(made["c"], status=Status.RESOLVED, resolved_at=MONDAY + dt.timedelta(days=2, hours=14), reopen_count=1)
    # d: no department, not answered yet
    made["d"] = ticket_at(MONDAY + dt.timedelta(days=2, hours=7))
    # e: support, answered after 20 minutes, then merged into a: counts nowhere
    made["e"] = ticket_at(MONDAY + 13 * HOUR, department=support)
    _reply(made["e"], agent, MONDAY + 13 * HOUR + 20 * MINUTE)
    services.ticket_merge(source=Ticket.objects.get(pk=made["e"].pk), target=made["a"], actor=agent)
    # f: split off b on Thursday: its own clock from the split
    message = made["b"].messages.filter(kind=MessageKind.CUSTOMER).first()
    made["f"] = services.message_split(message=message, actor=agent, subject="Second question")
    _set(made["f"], created_at=MONDAY + dt.timedelta(days=3, hours=9), department=support,
         first_response_at=MONDAY + dt.timedelta(days=3, hours=10))
    # g: the week before: only in the previous period
    made["g"] = ticket_at(MONDAY - dt.timedelta(days=3), department=support)
    for ticket in made.values():
        ticket.refresh_from_db()
    TimeEntry.objects.create(ticket=made["a"], agent=agent, seconds=600, source="manual")
    return {"support": support, "sales": sales, "agent": agent, "admin": admin, **made}


def _figures(user, start=MONDAY, end=WEEK_END, **filters):
    return rollup_read.period_figures(user, start=start, end=end, **filters)


def _direct(user, start=MONDAY, end=WEEK_END, **filters):
    report = report_for(user, start=start, end=end, compare=False, rollups=False, **filters)
    return report


def _summed(model, keys, columns) -> dict:
    """Each key's non-zero sums of ``columns`` (``model``: a model or a queryset)."""
    rows = getattr(model, "objects", model).values(*keys).annotate(**{f"s_{c}": Sum(c) for c in columns}).order_by()
    out = {tuple(row[k] for k in keys): tuple(row[f"s_{c}"] for c in columns) for row in rows}
    return {key: sums for key, sums in out.items() if any(sums)}


def _totals_consistent():
    """``DayTotal`` holds the sums of ``DailyRollup`` by day, ``DaySlice`` by day and each part of the
    key, ``DayVolume`` its volume columns by key."""
    assert _summed(DayTotal, ["day"], ROLLUP_COLUMNS) == _summed(DailyRollup, ["day"], ROLLUP_COLUMNS)
    for dimension, column in SLICE_DIMENSIONS.items():
        slices = _summed(DaySlice.objects.filter(dimension=dimension), ["day", "value"], ROLLUP_COLUMNS)
        wide = _summed(DailyRollup, ["day", column], ROLLUP_COLUMNS)
        assert slices == {(day, str(value)): sums for (day, value), sums in wide.items()}, dimension
    volume_keys = ["day", "department_id", "channel", "agent_id", "priority"]
    assert _summed(DayVolume, volume_keys, VOLUME_COLUMNS) == _summed(DailyRollup, volume_keys, VOLUME_COLUMNS)
    assert DayTotal.objects.exists() and DaySlice.objects.exists()


def _same(user, **filters):
    """The rollups' figures are the direct computation's."""
    rolled = report_for(user, start=MONDAY, end=WEEK_END, **filters)
    direct = report_for(user, start=MONDAY, end=WEEK_END, rollups=False, **filters)
    assert rolled.from_rollups and not direct.from_rollups
    for report_a, report_b in ((rolled, direct), (rolled.previous, direct.previous)):
        for name in ("first_response", "resolution", "handle_time", "reopen", "fcr", "by_channel", "by_hour",
                     "opened", "sla", "daily"):
            assert getattr(report_a, name) == getattr(report_b, name), name
        assert sorted(report_a.by_department) == sorted(report_b.by_department)
    return rolled


def test_hand_computed_figures_from_a_rebuild_equal_the_direct_computation(world):
    assert rollups.rebuild() == Ticket.objects.count()
    figures = _figures(world["admin"])
    # opened: a, b, c, d, f (e merged, g the week before)
    assert sum(n for _c, n in figures.by_channel) == 5
    assert dict(figures.by_channel) == {Channel.EMAIL: 3, Channel.CHAT: 2}  # f split off a chat
    # FRT: a 30 min, b 10 min, c 50 min, f 60 min -> mean 37.5 min, median 40 min, p90 60 min
    frt = figures.first_response
    assert (frt.count, frt.mean, frt.median, frt.p90) == (4, 37.5 * MINUTE, 40 * MINUTE, 60 * MINUTE)
    # resolved: a (2 h), b (5 h), c (30 h): median 5 h; reopen 1 of 3; FCR: a only
    res = figures.resolution
    assert (res.count, res.median, res.mean) == (3, 5 * HOUR, 37 * HOUR / 3)
    assert figures.reopen == rollup_read.metrics.Rate(1, 3)
    assert figures.fcr == rollup_read.metrics.Rate(0, 3)  # a holds e's reply since the merge: two replies
    assert figures.handle_time.count == 1 and figures.handle_time.mean == 10 * MINUTE
    assert figures.by_hour == {9: 2, 10: 1, 8: 1, 7: 1}
    _same(world["admin"])


def test_filters_and_visibility_match_the_direct_computation(world):
    rollups.rebuild()
    _same(world["admin"], department=world["support"])
    _same(world["admin"], channel=Channel.CHAT)
    _same(world["admin"], priority=Priority.HIGH)
    _same(world["admin"], agent=world["agent"])
    assert _same(world["agent"]).opened == 4  # support's a, b, f and department-less d (the default)
    from pomoc.core.models import OrganisationSettings

    org = OrganisationSettings.get()
    org.agents_see_unassigned_department_less = False
    org.save()
    assert _same(world["agent"]).opened == 3


def test_one_filter_and_an_agents_report_read_the_slices_and_match_the_direct_computation(world):
    """One filter reads its ``DaySlice`` rows; an agent reads their departments' slices and the wide
    rows of their own tickets in other departments; two filters read the wide rows."""
    _set(world["c"], assignee=world["agent"])  # the agent's own ticket in sales: visible to them
    sales_agent = UserFactory(role=Role.AGENT)
    sales_agent.departments.add(world["sales"])
    _set(world["g"], assignee=sales_agent)  # the week before, in support: the sales agent's own
    rollups.rebuild()
    _totals_consistent()
    for filters in ({"department": world["sales"]}, {"channel": Channel.CHAT}, {"priority": Priority.HIGH},
                    {"priority": str(Priority.HIGH.value)}, {"agent": world["agent"]}, {"agent": world["agent"].pk},
                    {"department": world["support"], "priority": Priority.NORMAL}):
        _same(world["admin"], **filters)
    assert _same(world["agent"]).opened == 5  # support's a, b, f, department-less d and their own c in sales
    assert _same(sales_agent).opened == 2  # c in sales, d without a department
    assert _same(sales_agent).previous.opened == 1  # g, their own in support
    assert _same(world["agent"], department=world["sales"]).opened == 1
    from pomoc.core.models import OrganisationSettings

    org = OrganisationSettings.get()
    org.agents_see_unassigned_department_less = False
    org.save()
    assert _same(world["agent"]).opened == 4
    loner = UserFactory(role=Role.AGENT)  # no department: their own tickets only
    _set(world["b"], assignee=loner)
    rollups.rebuild()
    assert _same(loner).opened == 1


def test_both_periods_are_read_together_in_a_fixed_number_of_queries(world):
    rollups.rebuild()

    def queries(user, **filters) -> int:
        bounds = (MONDAY - dt.timedelta(days=7), MONDAY, WEEK_END)
        rollup_read.periods_figures(user, bounds=bounds, **filters)  # the organisation's settings cached
        with CaptureQueriesContext(connection) as captured:
            before, this = rollup_read.periods_figures(user, bounds=bounds, **filters)
        assert before == _figures(user, start=bounds[0], end=bounds[1], **filters)
        assert this == _figures(user, **filters)
        return len(captured)

    # the sums of both periods, the volumes by day and channel, by period and department
    assert queries(world["admin"]) == 3
    assert queries(world["admin"], priority=Priority.HIGH) == 3
    assert queries(world["admin"], department=world["support"], channel=Channel.EMAIL) == 3
    # their departments (twice), the slices of those and the wide rows of their own tickets elsewhere
    assert queries(world["agent"]) == 6


def test_tag_company_and_business_hours_fall_back_to_the_tickets(world):
    rollups.rebuild()
    assert not rollup_read.usable(start=MONDAY, end=WEEK_END, tag=1)
    assert not rollup_read.usable(start=MONDAY, end=WEEK_END, company=1)
    assert not rollup_read.usable(start=MONDAY, end=WEEK_END, calendar=object())
    assert not rollup_read.usable(start=MONDAY + HOUR, end=WEEK_END)  # not a whole day
    assert rollup_read.usable(start=MONDAY, end=WEEK_END, department=world["support"])


def test_incremental_rollups_follow_the_event_log_and_stay_idempotent(world):
    rollups.advance()  # from the first event: every ticket has one
    assert RollupState.objects.get().watermark == TicketEvent.objects.order_by("-pk").first().pk
    # the timestamps set by hand have no events: the rebuild sees them, and the advance after it too
    rollups.rebuild()
    before = sorted(DailyRollup.objects.values_list(*[f.name for f in DailyRollup._meta.fields[1:]]))
    # a change through the services: d answered and resolved, a reopened
    _reply(world["d"], world["agent"], MONDAY + dt.timedelta(days=2, hours=8))
    services.ticket_update(ticket=Ticket.objects.get(pk=world["d"].pk), actor=world["agent"],
                           changes={"status": Status.RESOLVED})
    services.ticket_update(ticket=Ticket.objects.get(pk=world["a"].pk), actor=world["agent"],
                           changes={"status": Status.OPEN})
    assert rollups.advance() > 0
    assert sorted(DailyRollup.objects.values_list(*[f.name for f in DailyRollup._meta.fields[1:]])) != before
    _totals_consistent()
    _same(world["admin"])
    # again: nothing new, nothing changes; refreshing every ticket again changes nothing either
    snapshot = sorted(DailyRollup.objects.values_list(*[f.name for f in DailyRollup._meta.fields[1:]]))
    assert rollups.advance() == 0
    assert rollups.refresh(Ticket.objects.values_list("pk", flat=True)) == 0
    assert sorted(DailyRollup.objects.values_list(*[f.name for f in DailyRollup._meta.fields[1:]])) == snapshot
    # and a rebuild from nothing gives the same rows
    call_command("rebuild_report_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rebuilt = sorted(DailyRollup.objects.values_list(*[f.name for f in DailyRollup._meta.fields[1:]]))
    assert [row for row in rebuilt if any(row[5:])] == [row for row in snapshot if any(row[5:])]
    _totals_consistent()
    _same(world["admin"])


def test_a_deleted_ticket_and_tracked_time_are_taken_out_and_in(world):
    rollups.rebuild()
    TimeEntry.objects.create(ticket=world["b"], agent=world["agent"], seconds=1200, source="manual")
    Ticket.objects.filter(pk=world["c"].pk).delete()
    rollups.advance()
    assert not TicketFact.objects.filter(ticket_id=world["c"].pk).exists()
    _totals_consistent()
    figures = _same(world["admin"])
    assert figures.handle_time.count == 2 and figures.resolution.count == 2


def test_a_changed_first_response_moves_between_buckets_and_nothing_goes_negative(world):
    rollups.rebuild()
    _set(world["a"], first_response_at=MONDAY + 9 * HOUR + 45 * MINUTE)
    rollups.mark_dirty([world["a"].pk])
    rollups.advance()
    for column in ROLLUP_COLUMNS:
        assert not DailyRollup.objects.filter(**{f"{column}__lt": 0}).exists(), column
    assert _figures(world["admin"]).first_response.mean == (45 + 10 + 50 + 60) / 4 * MINUTE


# --- SLA targets met and breached ------------------------------------------------------------------
def test_sla_targets_met_are_recorded_and_counted_beside_the_breaches():
    policy(first_response_minutes=60, next_response_minutes=120, resolution_minutes=8 * 60)
    agent = UserFactory(role=Role.AGENT)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    quick = ticket_at(MONDAY + 9 * HOUR)
    recompute([quick.pk], now=MONDAY + 9 * HOUR)
    _reply(quick, agent, MONDAY + 9 * HOUR + 20 * MINUTE)
    recompute([quick.pk], now=MONDAY + 9 * HOUR + 20 * MINUTE)  # first response met
    message_at(quick, MONDAY + 10 * HOUR, kind=MessageKind.CUSTOMER)
    recompute([quick.pk], now=MONDAY + 10 * HOUR)
    _reply(quick, agent, MONDAY + 11 * HOUR)
    recompute([quick.pk], now=MONDAY + 11 * HOUR)  # next response met
    status_at(quick, Status.RESOLVED, MONDAY + 12 * HOUR)
    _set(quick, resolved_at=MONDAY + 12 * HOUR)
    recompute([quick.pk], now=MONDAY + 12 * HOUR)  # resolution met
    recompute([quick.pk], now=MONDAY + 12 * HOUR)  # never twice
    slow = ticket_at(MONDAY + 9 * HOUR)
    recompute([slow.pk], now=MONDAY + 9 * HOUR)
    from pomoc.automation.sla.sweep import sla_sweep

    sla_sweep(now=MONDAY + 18 * HOUR)  # first response and resolution breached
    met = TicketEvent.objects.filter(type=EventType.SLA_MET).order_by("at")
    assert [(e.ticket_id, e.data["target"], e.at) for e in met] == [
        (quick.pk, "first_response", MONDAY + 9 * HOUR + 20 * MINUTE),
        (quick.pk, "next_response", MONDAY + 11 * HOUR),
        (quick.pk, "resolution", MONDAY + 12 * HOUR)]
    direct = report_for(admin, start=MONDAY, end=WEEK_END, rollups=False)
    assert [(s.target, s.met, s.breached) for s in direct.sla] == [
        ("first_response", 1, 1), ("next_response", 1, 0), ("resolution", 1, 1)]
    assert direct.sla[0].value == 0.5
    rollups.advance()
    assert _same(admin).sla == direct.sla
