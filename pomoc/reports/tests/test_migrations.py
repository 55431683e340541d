"""The reports migrations that fill new tables from the existing rollups (0003: day totals and day
volumes; 0005: day slices) give what the rollup code itself writes: the rows made from the old
``DailyRollup`` rows by the migrations equal the rows a rebuild makes from the same tickets."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from pomoc.accounts.models import Role
from pomoc.automation.sla.tests.helpers import message_at, ticket_at
from pomoc.reports import rollups
from pomoc.reports.models import ROLLUP_COLUMNS, SLICE_DIMENSIONS, VOLUME_COLUMNS
from pomoc.testing.factories import DepartmentFactory, UserFactory
from pomoc.tickets.models import Channel, MessageKind, Priority, Status, Ticket
from pomoc.timetracking.models import TimeEntry

# Migrating changes the schema: no test transaction around it (SQLite refuses schema changes in one).
pytestmark = pytest.mark.django_db(transaction=True)
UTC = dt.UTC
MONDAY = dt.datetime(2026, 11, 2, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
BEFORE_TOTALS = [("reports", "0002_reports_rollups_schedules")]
TOTALS = [("reports", "0003_day_totals_and_volumes")]
BEFORE_SLICES = [("reports", "0004_customer_days")]
KEY = ("day", "department_id", "channel", "agent_id", "priority")


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"


def _migrate(targets):
    """Migrate to ``targets`` (all the latest migrations: None); the models of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def migrate():
    yield _migrate
    _migrate(None)  # whatever happened, the next tests find every table


def _tickets():
    """Tickets over three days in two departments, channels, agents and priorities: answered,
    resolved a day later, reopened, with tracked time, one still waiting."""
    support, sales = DepartmentFactory(name="Support"), DepartmentFactory(name="Sales")
    agents = [UserFactory(role=Role.AGENT), UserFactory(role=Role.AGENT)]
    shapes = [(support, Channel.EMAIL, agents[0], Priority.NORMAL), (support, Channel.CHAT, agents[1], Priority.HIGH),
              (sales, Channel.EMAIL, None, Priority.LOW), (None, Channel.WEB, agents[0], Priority.NORMAL)]
    for index in range(12):
        department, channel, agent, priority = shapes[index % len(shapes)]
        opened = MONDAY + dt.timedelta(days=index % 3, hours=8 + index)
        ticket = ticket_at(opened, department=department, channel=channel, assignee=agent, priority=priority)
        if index % 4 != 3:
            message_at(ticket, opened + dt.timedelta(minutes=7 * index + 3), kind=MessageKind.REPLY,
                       author=agents[0])
        if index % 3 != 2:
            Ticket.objects.filter(pk=ticket.pk).update(status=Status.RESOLVED, reopen_count=index % 5 == 0,
                                                       resolved_at=opened + (index + 20) * HOUR)
        if index % 2:
            TimeEntry.objects.create(ticket=ticket, agent=agents[1], seconds=300 * index, source="manual")


def _old_rollups(DailyRollup) -> None:
    """The ``DailyRollup`` rows the code makes from the tickets, written as they stood at 0002."""
    rows: dict[tuple, Counter] = defaultdict(Counter)
    for entries in rollups._current(list(Ticket.objects.values_list("pk", flat=True))).values():
        for entry in entries:
            rows[tuple(entry["k"])].update(entry["s"])
    DailyRollup.objects.bulk_create([DailyRollup(**dict(zip(KEY, key, strict=True)), **counts)
                                     for key, counts in rows.items()])


def _summed(model, keys, columns, **filters) -> dict:
    """Each key's sums of ``columns``, the keys whose sums are all 0 left out."""
    rows = model.objects.filter(**filters).values(*keys).annotate(**{f"s_{c}": Sum(c) for c in columns}).order_by()
    out = {tuple(str(row[k]) for k in keys): tuple(row[f"s_{c}"] for c in columns) for row in rows}
    return {key: sums for key, sums in out.items() if any(sums)}


def _contents(apps, *, slices: bool) -> dict:
    tables = {"totals": _summed(apps.get_model("reports", "DayTotal"), ["day"], ROLLUP_COLUMNS),
              "volumes": _summed(apps.get_model("reports", "DayVolume"), list(KEY), VOLUME_COLUMNS)}
    if slices:
        DaySlice = apps.get_model("reports", "DaySlice")
        for dimension in SLICE_DIMENSIONS:
            tables[dimension] = _summed(DaySlice, ["day", "value"], ROLLUP_COLUMNS, dimension=dimension)
    return tables


def test_day_totals_volumes_and_slices_are_filled_from_the_existing_rollups(migrate):
    _tickets()
    old = migrate(BEFORE_TOTALS)
    _old_rollups(old.get_model("reports", "DailyRollup"))

    after_totals = _contents(migrate(TOTALS), slices=False)
    assert len(after_totals["totals"]) == 4  # Monday to Wednesday opened, Thursday resolved
    migrate(BEFORE_SLICES)
    after_slices = _contents(migrate(None), slices=True)

    from django.apps import apps

    rollups.rebuild()  # what the code writes from the same tickets
    computed = _contents(apps, slices=True)
    assert after_totals == {name: computed[name] for name in ("totals", "volumes")}
    assert after_slices == computed
    assert set(computed["department"]) >= {("2026-11-02", "0"), ("2026-11-02", str(Ticket.objects.filter(
        department__name="Support").values_list("department_id", flat=True).first()))}
    assert sum(sums[0] for sums in computed["totals"].values()) == Ticket.objects.count()  # opened


def test_the_migrations_fill_nothing_from_no_rollups(migrate):
    migrate(BEFORE_TOTALS)
    apps = migrate(None)
    assert _contents(apps, slices=True) == {"totals": {}, "volumes": {}, **{name: {} for name in SLICE_DIMENSIONS}}
