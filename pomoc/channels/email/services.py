"""Writes of the e-mail channel's own: trying kept (unprocessable) mail again.

Inboxes themselves are written through the channel-neutral ``pomoc.channels.services``.
"""

from pomoc.channels.email.ingest import process
from pomoc.channels.email.models import RawMail, RawMailStatus

REPROCESS_BATCH = 500


def raw_mail_reprocess(*, raw_mail: RawMail):
    """Try one kept mail again (after a fix); returns ``pomoc.channels.email.ingest.IngestResult``."""
    return process(raw_mail.pk)


def raw_mail_reprocess_all(*, status: str = RawMailStatus.UNPROCESSABLE, limit: int = REPROCESS_BATCH) -> dict:
    """Try again up to ``limit`` mails with ``status`` (oldest first); counts per resulting status.
    Database errors propagate (nothing is lost: the mails stay as they were)."""
    ids = list(RawMail.objects.filter(status=status).order_by("received_at", "id").values_list("id", flat=True)[:limit])
    counts: dict[str, int] = {}
    for raw_mail_id in ids:
        result = process(raw_mail_id)
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts
