"""Background work of the e-mail channel. Tasks take ids (or nothing), are idempotent and call a service."""

import datetime as dt

from django.db.models import Q
from django.db.models.functions import Mod
from django.utils import timezone
from django_tasks import task

from pomoc.channels.email.batches import process_many
from pomoc.channels.email.failures import is_outage
from pomoc.channels.email.ingest import failed, process
from pomoc.channels.email.models import RawMail, RawMailStatus

PENDING_GRACE = dt.timedelta(minutes=1)  # younger pending mail is still being processed by its receiver
PENDING_BATCH = 200
MAX_NOTICE_ATTEMPTS = 6


@task(queue_name="mail")
def fetch_mailboxes(inbox_name: str | None = None) -> list[dict]:
    """Fetch every active IMAP/POP3 inbox (or only ``inbox_name``); one report per inbox."""
    from pomoc.channels.email.fetch import fetch_all

    return [report.as_json() for report in fetch_all(inbox_name)]


def due_pending(now: dt.datetime):
    """Mail to process again now: pending for over ``PENDING_GRACE``, and not waiting for the next
    attempt after a failed one (``RawMail.next_attempt_at``)."""
    return RawMail.objects.filter(status=RawMailStatus.PENDING, received_at__lt=now - PENDING_GRACE).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


@task(queue_name="mail")
def process_mail(raw_mail_id: int) -> str:
    """Turn one kept mail into a ticket message: queued by the running Pomoc for mail the MTA pipe
    handed over (``pipe_endpoint``). ``process`` is idempotent and records the mail's own failures;
    a database outage fails the task and leaves the mail pending for ``process_pending_mail``."""
    return process(raw_mail_id).status


@task(queue_name="mail")
def process_pending_mail(limit: int = PENDING_BATCH, shard: int = 0, shards: int = 1) -> dict:
    """Process again mail left ``pending`` for over a minute (its receiver died, or the database was
    down after the bytes were stored) and mail whose last attempt failed once its backoff is over
    (``next_attempt_at``). Oldest first, at most ``limit`` per run; ``process`` is idempotent, so two
    runs at once or a mail processed meanwhile store nothing twice. Several workers at once each
    take their share (``shard`` of ``shards``, by id) so that no two parse the same mail.

    One mail never holds up the others: a mail that fails for its own reasons is recorded (tried
    again later, unprocessable after ``failures.MAX_ATTEMPTS``) and the run goes on. Only a database
    outage (``failures.is_outage``) stops it: the rest stays pending for the next run."""
    pending = due_pending(timezone.now())
    if shards > 1:
        pending = pending.annotate(shard=Mod("id", shards)).filter(shard=shard)
    ids = list(pending.order_by("received_at", "id").values_list("id", flat=True)[:limit])
    counts: dict[str, int] = {}
    try:
        for result in process_many(ids):
            counts[result.status] = counts.get(result.status, 0) + 1
    except Exception as exc:
        if is_outage(exc):
            counts["retry_later"] = len(ids) - sum(counts.values())
            return counts
        # a failure outside any one mail's processing: the rest one by one, each on its own
        return _one_by_one(ids)
    return counts


def _one_by_one(ids: list[int]) -> dict:
    """``process`` each mail (those done already answer at once); stops only at an outage."""
    counts: dict[str, int] = {}
    for index, raw_mail_id in enumerate(ids):
        try:
            try:
                status = process(raw_mail_id).status
            except Exception as exc:
                if is_outage(exc):
                    raise
                status = failed(raw_mail_id, exc).status
        except Exception as exc:
            if not is_outage(exc):
                raise
            counts["retry_later"] = len(ids) - index
            break
        counts[status] = counts.get(status, 0) + 1
    return counts


@task(queue_name="mail")
def send_oversize_notice(raw_mail_id: int, attempt: int = 1) -> str:
    """Tell the sender of an oversized mail that it was kept but not turned into a ticket (once).
    A temporary failure (mail server unreachable) is tried again after 1, 2, 4, 8 and 16 minutes."""
    from pomoc.channels.email import notices

    outcome = notices.send_oversize_notice(raw_mail_id).outcome
    if outcome == notices.RETRY and attempt < MAX_NOTICE_ATTEMPTS:
        send_oversize_notice.using(run_after=timezone.now() + dt.timedelta(minutes=2 ** (attempt - 1))).enqueue(
            raw_mail_id, attempt + 1)
    return outcome
