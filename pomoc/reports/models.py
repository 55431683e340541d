"""Rewards: the points agents earn for good service, and the badges administrators define."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Achievement(models.TextChoices):
    """What an agent does that earns points, or counts towards a badge (per period)."""

    RESOLVED = "resolved", _("Tickets resolved")
    FAST_FIRST_RESPONSE = "fast_first_response", _("First replies within the target")
    REPLIES = "replies", _("Replies sent")
    TOP_RATINGS = "top_ratings", _("CSAT answers of 5")
    ONE_REPLY_RESOLUTIONS = "one_reply_resolutions", _("Tickets resolved with one reply")


DEFAULT_POINTS = {Achievement.RESOLVED: 3, Achievement.FAST_FIRST_RESPONSE: 2, Achievement.REPLIES: 0,
                  Achievement.TOP_RATINGS: 5, Achievement.ONE_REPLY_RESOLUTIONS: 2}


class PointRule(models.Model):
    """Points for each achievement (one row per achievement, made on first use)."""

    achievement = models.CharField(_("achievement"), max_length=30, choices=Achievement.choices, unique=True)
    points = models.PositiveSmallIntegerField(_("points each"), default=0, validators=[MaxValueValidator(1000)])

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")

    def __str__(self) -> str:
        return f"{self.achievement}: {self.points}"


class Badge(models.Model):
    """Earned by an agent who reaches ``threshold`` of ``achievement`` within the period shown."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    achievement = models.CharField(_("achievement"), max_length=30, choices=Achievement.choices)
    threshold = models.PositiveIntegerField(_("at least"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["achievement", "threshold", "name"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self) -> str:
        return self.name


# --- rollups: what the reports read instead of the tickets (docs/decisions/0028-report-rollups.md) -------
NONE = 0  # "no department" / "unassigned" in a rollup key (a NULL would make the key not unique on PostgreSQL)

# Histogram buckets of durations, by their lower bound in minutes: medians and percentiles from the
# rollups are the lower bound of the bucket they fall in (to the minute under 10 minutes, then
# steps of 2–30 minutes up to 2 hours, hours up to 8 hours, and so on).
BUCKET_MINUTES = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 45, 50, 60, 75, 90, 105, 120, 150, 180,
                  240, 300, 360, 420, 480, 600, 720, 960, 1200, 1440, 1800, 2160, 2880, 4320, 5760, 7200, 10080,
                  14400, 20160, 43200, 86400)
DURATION_MEASURES = ("frt", "resolution", "handle")
HISTOGRAM_COLUMNS = tuple(f"{measure}_b{index}" for measure in DURATION_MEASURES
                          for index in range(len(BUCKET_MINUTES)))
HOUR_COLUMNS = tuple(f"opened_h{hour}" for hour in range(24))

ROLLUP_SUMS = (
    "opened", "answered", "frt_seconds", "resolved", "resolution_seconds", "reopened", "fcr", "handled",
    "handle_seconds",
    "sla_first_response_met", "sla_first_response_breached", "sla_next_response_met", "sla_next_response_breached",
    "sla_resolution_met", "sla_resolution_breached",
)
ROLLUP_COLUMNS = (*ROLLUP_SUMS, *HOUR_COLUMNS, *HISTOGRAM_COLUMNS)


class DailyRollup(models.Model):
    """The counts and sums of one day (in ``TIME_ZONE``) for one department, channel, assignee and
    priority: what each ticket contributes as of now (``TicketFact``), added up; with the tickets
    opened per hour of the day and the histograms of the durations (fixed columns, so that a year of
    them is summed by the database in one pass)."""

    day = models.DateField()
    department_id = models.PositiveIntegerField(default=NONE)
    channel = models.CharField(max_length=20)
    agent_id = models.PositiveIntegerField(default=NONE)
    priority = models.PositiveSmallIntegerField()
    opened = models.IntegerField(default=0, db_default=0)
    answered = models.IntegerField(default=0, db_default=0)
    frt_seconds = models.BigIntegerField(default=0, db_default=0)
    resolved = models.IntegerField(default=0, db_default=0)
    resolution_seconds = models.BigIntegerField(default=0, db_default=0)
    reopened = models.IntegerField(default=0, db_default=0)
    fcr = models.IntegerField(default=0, db_default=0)
    handled = models.IntegerField(default=0, db_default=0)
    handle_seconds = models.BigIntegerField(default=0, db_default=0)
    sla_first_response_met = models.IntegerField(default=0, db_default=0)
    sla_first_response_breached = models.IntegerField(default=0, db_default=0)
    sla_next_response_met = models.IntegerField(default=0, db_default=0)
    sla_next_response_breached = models.IntegerField(default=0, db_default=0)
    sla_resolution_met = models.IntegerField(default=0, db_default=0)
    sla_resolution_breached = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "department_id", "channel", "agent_id", "priority"],
                                               name="dailyrollup_key")]


for _column in (*HOUR_COLUMNS, *HISTOGRAM_COLUMNS):
    DailyRollup.add_to_class(_column, models.IntegerField(default=0, db_default=0))


class DayTotal(models.Model):
    """The ``DailyRollup`` rows of one day added up over every key: what a report of every ticket
    without a filter reads (365 rows a year, however many departments, channels, agents and
    priorities are in use). Kept in the same statement batch as ``DailyRollup``."""

    day = models.DateField(unique=True)


for _column in ROLLUP_COLUMNS:
    DayTotal.add_to_class(_column, (models.BigIntegerField if _column.endswith("_seconds") else models.IntegerField)(
        default=0, db_default=0))

# The parts of the rollup key a report filters on, by filter name: ``DaySlice.dimension``.
SLICE_DIMENSIONS = {"department": "department_id", "channel": "channel", "agent": "agent_id", "priority": "priority"}


class DaySlice(models.Model):
    """The ``DailyRollup`` rows of one day added up per value of one part of the key: per department,
    per channel, per agent, per priority. What a report with one filter, and an agent's report (their
    departments), sum: one row a day for each value, however many other keys share it. Kept in the
    same statement batch as ``DailyRollup``."""

    day = models.DateField()
    dimension = models.CharField(max_length=10)  # a SLICE_DIMENSIONS name
    value = models.CharField(max_length=20)  # the id, channel or priority as text ("0": none, ``NONE``)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dimension", "value", "day"], name="dayslice_key")]


for _column in ROLLUP_COLUMNS:
    DaySlice.add_to_class(_column, (models.BigIntegerField if _column.endswith("_seconds") else models.IntegerField)(
        default=0, db_default=0))

VOLUME_COLUMNS = ("opened", "answered", "frt_seconds")


class DayVolume(models.Model):
    """Tickets opened and their first responses under ``DailyRollup``'s key: the narrow rows the
    report's charts and volume tables group (a few columns instead of ``DailyRollup``'s 180)."""

    day = models.DateField()
    department_id = models.PositiveIntegerField(default=NONE)
    channel = models.CharField(max_length=20)
    agent_id = models.PositiveIntegerField(default=NONE)
    priority = models.PositiveSmallIntegerField()
    opened = models.IntegerField(default=0, db_default=0)
    answered = models.IntegerField(default=0, db_default=0)
    frt_seconds = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "department_id", "channel", "agent_id", "priority"],
                                               name="dayvolume_key")]


class CustomerDay(models.Model):
    """A customer active on a day (in ``TIME_ZONE``): they opened a ticket (not a return, not merged
    away) or placed an order (not cancelled) that day. The daily aggregate churn reads
    (docs/metrics.md, "Churn"); ``pomoc.reports.activity`` keeps it."""

    day = models.DateField()
    contact_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "contact_id"], name="customerday_key")]
        indexes = [models.Index(fields=["contact_id", "day"], name="customerday_contact")]


class ActivityDirtyDay(models.Model):
    """A day whose ``CustomerDay`` rows are to be made again (an order placed, changed or removed)."""

    day = models.DateField(primary_key=True)


class TicketFact(models.Model):
    """What one ticket adds to the rollups now, so that a change subtracts exactly that before adding
    the new figures. ``ticket_id`` is no foreign key: a deleted ticket's fact must outlive it."""

    ticket_id = models.BigIntegerField(primary_key=True)
    contributions = models.JSONField(default=list)


class RollupDirty(models.Model):
    """Tickets to refresh although no event says so (a deleted ticket, time tracked on it)."""

    ticket_id = models.BigIntegerField(primary_key=True)


class RollupState(models.Model):
    """One row: how far the rollups have read the event log. Locked while a worker advances them."""

    watermark = models.BigIntegerField(default=0)  # the highest TicketEvent id taken into account
    gaps = models.JSONField(default=dict)  # {event id: first seen}: ids below the watermark not committed yet
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    advanced_at = models.DateTimeField(null=True, blank=True)


# --- reports e-mailed on a schedule ------------------------------------------------------------------
class Frequency(models.TextChoices):
    DAILY = "daily", _("Every day (the day before)")
    WEEKLY = "weekly", _("Every Monday (the week before)")
    MONTHLY = "monthly", _("On the 1st (the month before)")


class ReportSubscription(models.Model):
    """A report e-mailed on a schedule: its filters, how often, in which language, to whom. Each
    recipient gets the figures of the tickets they may see."""

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="report_subscriptions",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    language = models.CharField(_("language"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)  # {"department": id, "channel": "email", …}
    recipients = models.ManyToManyField("accounts.User", related_name="+", verbose_name=_("recipients"))
    active = models.BooleanField(_("active"), default=True)
    next_send_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        indexes = [models.Index(fields=["next_send_at"], condition=models.Q(active=True), name="subscription_due")]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ReportDelivery(models.Model):
    """One send of a scheduled report for one period: the log, and the retry state of a failed send."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    first_day = models.DateField()
    last_day = models.DateField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    recipients = models.PositiveSmallIntegerField(default=0)  # how many were sent the report
    error = models.CharField(max_length=300, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-first_day", "-pk"]
        constraints = [models.UniqueConstraint(fields=["subscription", "first_day"], name="delivery_once_per_period")]
