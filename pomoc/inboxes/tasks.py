"""Background work on inboxes. Tasks take ids (or nothing), are idempotent and call a service."""

import datetime as dt

from django.db import DatabaseError
from django.utils import timezone
from django_tasks import task

from pomoc.inboxes.ingest import process
from pomoc.inboxes.models import RawMail, RawMailStatus

PENDING_GRACE = dt.timedelta(minutes=1)  # younger pending mail is still being processed by its receiver
PENDING_BATCH = 200


@task(queue_name="mail")
def fetch_mailboxes(inbox_name: str | None = None) -> list[dict]:
    """Fetch every active IMAP/POP3 inbox (or only ``inbox_name``); one report per inbox."""
    from pomoc.channels.email.fetch import fetch_all

    return [report.as_json() for report in fetch_all(inbox_name)]


@task(queue_name="mail")
def process_pending_mail(limit: int = PENDING_BATCH) -> dict:
    """Process again mail left ``pending`` for over a minute (its receiver died, or the database was
    down after the bytes were stored). Oldest first, at most ``limit`` per run; ``process`` is
    idempotent, so two runs at once or a mail processed meanwhile store nothing twice. Stops at the
    first database error: the rest stays pending for the next run."""
    cutoff = timezone.now() - PENDING_GRACE
    ids = list(
        RawMail.objects.filter(status=RawMailStatus.PENDING, received_at__lt=cutoff)
        .order_by("received_at", "id").values_list("id", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for raw_mail_id in ids:
        try:
            result = process(raw_mail_id)
        except DatabaseError:
            counts["retry_later"] = len(ids) - sum(counts.values())
            break
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts
