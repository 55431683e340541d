"""Reports e-mailed on a schedule: the subscriptions managers make, and the periodic send.

The scheduler's job (``reports.schedules``, once per installation) takes the subscriptions that are
due, works out the period that has just ended (yesterday, last week Monday to Sunday, last month), and
sends each recipient the figures of the tickets they may see as an HTML e-mail with the CSV and XLSX
attached. Each send is a ``ReportDelivery`` row, one per subscription and period (so a send is never
doubled); a failed one is tried again later, up to ``MAX_ATTEMPTS`` times."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import Http404
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pomoc.accounts.mail import email_context
from pomoc.accounts.models import STAFF_ROLES, Department, Role, User
from pomoc.contacts.models import Company
from pomoc.reports import export
from pomoc.reports.models import DeliveryStatus, Frequency, ReportDelivery, ReportSubscription
from pomoc.tickets.models import Tag
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
            context = {**base, "subscription": subscription, "report": report, "before": report.previous,
                       "first_day": first, "last_day": last, "user": user}
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
