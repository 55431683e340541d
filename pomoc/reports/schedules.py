"""Reports e-mailed on a schedule: the subscriptions managers make, and the periodic send.

The scheduler's job (``reports.schedules``, once per installation) takes the subscriptions that are
due, works out the period that has just ended (yesterday, last week Monday to Sunday, last month), and
sends each recipient the figures of the tickets they may see: the key figures of the reports page
(``email_figures``) as an HTML e-mail and its plain-text twin, with the CSV and XLSX attached. Each
send is a ``ReportDelivery`` row, one per subscription and period (so a send is never doubled); a
failed one is tried again later, up to ``MAX_ATTEMPTS`` times."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import Http404
from django.template import loader
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext as _

from pomoc.accounts.mail import email_context
from pomoc.accounts.models import STAFF_ROLES, Department, Role, User
from pomoc.contacts.models import Company
from pomoc.reports import export
from pomoc.reports.models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from pomoc.reports.templatetags.report_format import channel_label, duration, percent, sla_target
from pomoc.reports.templatetags.report_format import index as index_of
from pomoc.tickets.models import Status, Tag
from pomoc.tickets.permissions import is_staff_user

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER = dt.timedelta(minutes=15)  # times the attempt number
SEND_HOUR = 6  # local time of the morning send
MANAGER_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)


def can_schedule(user) -> bool:
    return is_staff_user(user) and user.role in MANAGER_ROLES


def access_subscription(user, subscription_id) -> ReportSubscription:
    """The subscription, if ``user`` made it (or administers the installation); Http404 otherwise."""
    try:
        found = ReportSubscription.objects.get(pk=int(subscription_id))
    except (TypeError, ValueError, ReportSubscription.DoesNotExist):
        raise Http404 from None
    if not can_schedule(user) or (found.owner_id != user.pk and user.role != Role.ADMINISTRATOR):
        raise Http404
    return found


# --- periods ----------------------------------------------------------------------------------------------
def _local_zone():
    return timezone.get_default_timezone()


def last_period(frequency: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The whole period that ended before ``today``: first and last day, both included."""
    if frequency == Frequency.DAILY:
        day = today - dt.timedelta(days=1)
        return day, day
    if frequency == Frequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    first_this_month = today.replace(day=1)
    last = first_this_month - dt.timedelta(days=1)
    return last.replace(day=1), last


def next_send(frequency: str, after: dt.datetime) -> dt.datetime:
    """The next morning send (``SEND_HOUR`` in the installation's time zone) after ``after``."""
    zone = _local_zone()
    day = timezone.localtime(after, zone).date()
    while True:
        day += dt.timedelta(days=1)
        if frequency == Frequency.WEEKLY and day.weekday() != 0:
            continue
        if frequency == Frequency.MONTHLY and day.day != 1:
            continue
        return dt.datetime.combine(day, dt.time(SEND_HOUR), tzinfo=zone)


# --- writes -----------------------------------------------------------------------------------------------
FILTER_MODELS = {"department": Department, "agent": User, "tag": Tag, "company": Company}


def subscription_create(*, owner, name: str, frequency: str, language: str, filters: dict,
                        recipients) -> ReportSubscription:
    if not can_schedule(owner):
        raise ValidationError(_("Only supervisors and administrators can schedule reports."))
    recipients = list(recipients)
    if not recipients:
        raise ValidationError({"recipients": _("Choose at least one recipient.")})
    if any(not is_staff_user(user) or user.role not in STAFF_ROLES for user in recipients):
        raise ValidationError({"recipients": _("Reports go to agents only.")})
    stored = {}
    for key, value in filters.items():
        if value is None or value == "":
            continue
        stored[key] = getattr(value, "pk", value)
    with transaction.atomic():
        subscription = ReportSubscription.objects.create(
            owner=owner, name=name.strip()[:100] or _("Report"), frequency=frequency, language=language,
            filters=stored, next_send_at=next_send(frequency, timezone.now()))
        subscription.recipients.set(recipients)
    return subscription


def subscription_delete(subscription: ReportSubscription) -> None:
    subscription.delete()


# --- the periodic send --------------------------------------------------------------------------------------
def _filters_of(subscription: ReportSubscription) -> dict:
    """The stored ids as the objects the report takes (a deleted department: no such filter)."""
    out = {}
    for key, value in subscription.filters.items():
        model = FILTER_MODELS.get(key)
        # A department or tag deleted since: None, that filter drops out (each recipient still sees
        # only the tickets they may see).
        out[key] = model.objects.filter(pk=value).first() if model else value
    return out


def has_work() -> bool:
    now = timezone.now()
    return ReportSubscription.objects.filter(active=True, next_send_at__lte=now).exists() or \
        ReportDelivery.objects.filter(status=DeliveryStatus.FAILED, retry_at__lte=now).exists()


def send_due(now: dt.datetime | None = None) -> int:
    """Send every report that is due, and try again the failed ones whose time has come; returns the
    number of deliveries sent."""
    now = now or timezone.now()
    sent = 0
    for subscription in ReportSubscription.objects.filter(active=True, next_send_at__lte=now).order_by("pk"):
        # Claimed by moving its time on: another worker that read it too moves nothing and skips it.
        if not ReportSubscription.objects.filter(pk=subscription.pk, next_send_at=subscription.next_send_at).update(
                next_send_at=next_send(subscription.frequency, now)):
            continue
        first, last = last_period(subscription.frequency, timezone.localtime(now, _local_zone()).date())
        delivery, created = ReportDelivery.objects.get_or_create(subscription=subscription, first_day=first,
                                                                 defaults={"last_day": last})
        if created or delivery.status != DeliveryStatus.SENT:
            sent += _deliver(delivery, now)
    for delivery in ReportDelivery.objects.filter(status=DeliveryStatus.FAILED, retry_at__lte=now).select_related(
            "subscription"):
        if ReportDelivery.objects.filter(pk=delivery.pk, retry_at=delivery.retry_at).update(retry_at=None):
            sent += _deliver(delivery, now)
    return sent


def _deliver(delivery: ReportDelivery, now: dt.datetime) -> int:
    subscription = delivery.subscription
    try:
        count = _send(subscription, delivery.first_day, delivery.last_day)
    except Exception as error:  # the mail server down: logged, tried again later
        delivery.attempts += 1
        delivery.status = DeliveryStatus.FAILED
        delivery.error = f"{type(error).__name__}: {error}"[:300]
        delivery.retry_at = now + RETRY_AFTER * delivery.attempts if delivery.attempts < MAX_ATTEMPTS else None
        delivery.save(update_fields=["attempts", "status", "error", "retry_at"])
        logger.warning("scheduled report %s for %s failed (attempt %s)", subscription.pk, delivery.first_day,
                       delivery.attempts)
        return 0
    delivery.attempts += 1
    delivery.status, delivery.error, delivery.retry_at = DeliveryStatus.SENT, "", None
    delivery.recipients, delivery.sent_at = count, now
    delivery.save(update_fields=["attempts", "status", "error", "retry_at", "recipients", "sent_at"])
    return 1


# --- what the e-mail says ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One key figure of the e-mail, as the reports page shows it, in the reader's language."""

    label: str
    value: str
    before: str | None  # the same figure of the period before; None: not compared (the backlog is now)
    detail: str = ""


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    answers: str
    satisfied: str
    csat: str


def _count(value: int) -> str:
    """A count with the reader's digit grouping (1 234 in Czech, 1,234 in English)."""
    return number_format(value, force_grouping=True)


def _decimal(value: float | None, places: int, suffix: str = "") -> str:
    return "—" if value is None else f"{floatformat(value, places)}{suffix}"


def _of(rate) -> dict[str, str]:
    return {"part": _count(rate.numerator), "whole": _count(rate.denominator)}


def _counted(singular: str, plural: str, count: int) -> str:
    return ngettext(singular, plural, count) % {"counter": _count(count)}


def _times(durations, counted: str, *, by_mean: bool = False) -> str:
    """The line under a duration, as on the page: the other average, the 90th percentile, the count."""
    mean, median, within = _("mean"), _("median"), _("90 %% within").replace("%%", "%")
    other = (f"{mean} · {median} {duration(durations.median)}" if by_mean
             else f"{median} · {mean} {duration(durations.mean)}")
    return f"{other} · {within} {duration(durations.p90)} · {counted}"


def email_figures(report) -> list[Figure]:
    """The key figures of the reports page (its cards and SLA compliance), each beside the same
    figure of the period before where the page gives one."""
    surveys = report.surveys

    def figure(label: str, value_of, detail: str = "") -> Figure:
        before = "—" if report.previous is None else value_of(report.previous)
        return Figure(label, value_of(report), before, detail)

    figures = [
        figure(_("Tickets opened"), lambda r: _count(r.opened)),
        figure(_("First response time"), lambda r: duration(r.first_response.median), _times(
            report.first_response, _counted("%(counter)s ticket answered", "%(counter)s tickets answered",
                                            report.first_response.count))),
        figure(_("Resolution time"), lambda r: duration(r.resolution.median), _times(
            report.resolution, _counted("%(counter)s ticket resolved", "%(counter)s tickets resolved",
                                        report.resolution.count))),
        figure(_("Handle time (AHT)"), lambda r: duration(r.handle_time.mean), _times(
            report.handle_time, _counted("of %(counter)s resolved ticket with time tracked",
                                         "of %(counter)s resolved tickets with time tracked",
                                         report.handle_time.count), by_mean=True)),
        figure(_("First contact resolution"), lambda r: percent(r.fcr),
               _("%(part)s of %(whole)s resolved with one reply") % _of(report.fcr)),
        figure(_("Reopen rate"), lambda r: percent(r.reopen), _("%(part)s of %(whole)s reopened") % _of(report.reopen)),
        figure(_("Customer satisfaction (CSAT)"), lambda r: _decimal(r.surveys.csat_percent, 1, " %"),
               _counted("satisfied (4 or 5 of 5), %(counter)s answer", "satisfied (4 or 5 of 5), %(counter)s answers",
                        surveys.csat_answers)),
        figure(_("Customer effort (CES)"), lambda r: _decimal(r.surveys.ces_average, 1),
               _counted("mean of 1–7 (7: very easy), %(counter)s answer",
                        "mean of 1–7 (7: very easy), %(counter)s answers", surveys.ces_answers)),
        figure(_("Net promoter score (NPS)"), lambda r: _decimal(r.surveys.nps, 0),
               _("%(promoters)s promoters · %(passives)s passives · %(detractors)s detractors") % {
                   "promoters": _count(surveys.promoters), "passives": _count(surveys.passives),
                   "detractors": _count(surveys.detractors)}),
    ]
    if report.churn is not None:  # as on the page: only for those who see every ticket, without filters
        figures.append(figure(_("Customer churn"), lambda r: percent(r.churn), _(
            "%(part)s of %(whole)s customers active in the period before were not active in this one")
            % _of(report.churn)))
    if report.deflection is not None:
        figures.append(figure(_("Deflection"), lambda r: percent(r.deflection and r.deflection.rate), _(
            "%(part)s of %(whole)s contact-form visits that opened a suggested article sent no form")
            % _of(report.deflection.rate)))
    compliance, met, breached = _("SLA compliance"), _("Met"), _("Breached")
    for index, row in enumerate(report.sla):
        figures.append(figure(f"{compliance}: {sla_target(row.target)}",
                              lambda r, index=index: percent(index_of(r.sla, index)),
                              f"{met} {_count(row.met)} · {breached} {_count(row.breached)}"))
    backlog = report.backlog
    ages = (_("Waiting under a day"), _("1–3 days"), _("3–7 days"), _("longer"))
    figures.append(Figure(_("Backlog now"), _count(backlog.total), None, " · ".join(
        [f"{Status(status).label} {_count(count)}" for status, count in backlog.by_status.items()]
        + [f"{label} {_count(count)}" for label, count in zip(ages, backlog.by_age, strict=True)])))
    return figures


def email_csat_by_channel(report) -> list[ChannelRow]:
    return [ChannelRow(channel_label(row.channel), _count(row.answers), _count(row.satisfied),
                       _decimal(row.percent, 1, " %")) for row in report.csat_by_channel]


def _send(subscription: ReportSubscription, first: dt.date, last: dt.date) -> int:
    """One e-mail to each active recipient, with the figures of the tickets they may see."""
    from pomoc.reports.selectors import report_for

    zone = _local_zone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    filters = _filters_of(subscription)
    base = email_context()
    count = 0
    with override(subscription.language or settings.LANGUAGE_CODE), timezone.override(zone):
        for user in subscription.recipients.filter(is_active=True).exclude(email=""):
            if not is_staff_user(user):
                continue
            report = report_for(user, start=start, end=end, **filters)
            context = {**base, "LANGUAGE_CODE": get_language(), "subscription": subscription, "report": report,
                       "figures": email_figures(report),
                       "csat_by_channel": email_csat_by_channel(report), "first_day": first, "last_day": last,
                       "user": user}
            subject = "".join(loader.render_to_string("reports/email_subject.txt", context).splitlines())
            text = loader.render_to_string("reports/email.txt", context)
            html = loader.render_to_string("reports/email.html", context)
            table = export.rows(report)
            name = f"pomoc-report-{first}-{last}"
            mail = EmailMultiAlternatives(subject, text, None, [user.email])
            mail.attach_alternative(html, "text/html")
            mail.attach(f"{name}.csv", export.as_csv(table), "text/csv")
            mail.attach(f"{name}.xlsx", export.as_xlsx(table, title=_("Report")),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            mail.send()
            count += 1
    return count
