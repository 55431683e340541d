"""Time django-helpdesk's e-mail ingestion from its local-directory mailbox.

    python -m peer_tools.ingest --database-url URL --corpus DIR [--repeat-clean]

Two runs, each in a freshly created and migrated database, over a flat copy of every *.eml
file under DIR:

* as shipped: one queue with ``email_box_type = 'local'`` pointing at the copy, and
  ``manage.py get_email`` (``helpdesk.email.process_email``) called once. Its loop
  (``process_queue``) opens each file in text mode and hands it to ``extract_email_metadata``;
  the first message that raises ends the whole queue's run, and the files behind it wait.
* best case: ``extract_email_metadata`` (helpdesk's per-message processing function) called for
  each file in one process, each call in its own try/except so a bad message blocks nothing,
  and each file decoded as helpdesk means to (``force_str(..., errors="replace")``, which the
  shipped loop never reaches for non-UTF-8 bytes because ``open(m, "r")`` already raised).

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from peer_tools import database
from peer_tools.output import emit, fail, keep_stdout_for_result, peer_label, progress

QUEUE_SLUG = "mail"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a database of its own: it is dropped and recreated")
    parser.add_argument("--corpus", required=True, help="a folder of .eml files (searched recursively)")
    parser.add_argument("--repeat-clean", action="store_true",
                        help="recreate the database once more after the runs, leaving it empty and migrated")
    return parser.parse_args(argv)


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.eml") if p.is_file())


def copy_flat(files: list[Path], corpus: Path, into: Path) -> None:
    """helpdesk reads only the top level of its mail folder: sub-folders become name prefixes."""
    into.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, into / "__".join(path.relative_to(corpus).parts))


def fresh_schema(url: str) -> None:
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    database.recreate(url)
    call_command("migrate", interactive=False, verbosity=0)


def mail_queue(mail_dir: Path):
    from helpdesk.models import Queue

    # logging_type "info" keeps helpdesk's per-message log lines ("Processing message 3"),
    # which tell where a run stopped; no logging_dir, so nothing is written to disk.
    return Queue.objects.create(
        title="Mail", slug=QUEUE_SLUG, email_address="support@peer.example", allow_email_submission=True,
        email_box_type="local", email_box_local_dir=str(mail_dir), email_box_interval=0, logging_type="info",
    )


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


WARM_UP_MESSAGE = """\
From: Warm Up <warm-up@peer.example>
To: support@peer.example
Subject: Warm-up
Message-ID: <warm-up@peer.example>
Content-Type: text/plain; charset=utf-8

Imports, template compilation and the first database round trips happen here, untimed.
"""


def warm_up() -> None:
    """Process one throwaway message and delete what it made, so neither timed run pays first-use costs."""
    from helpdesk.email import extract_email_metadata
    from helpdesk.models import Queue, Ticket

    logger = logging.getLogger("peer.warm-up")
    logger.propagate = False
    queue = Queue.objects.create(title="Warm-up", slug="warm-up", email_address="warm-up@peer.example")
    extract_email_metadata(message=WARM_UP_MESSAGE, queue=queue, logger=logger)
    Ticket.objects.filter(queue=queue).delete()
    queue.delete()


def counts() -> tuple[int, int]:
    from helpdesk.models import FollowUp, Ticket

    return Ticket.objects.count(), FollowUp.objects.count()


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds > 0 else 0.0


def as_shipped(url: str, files: list[Path], corpus: Path, work: Path) -> dict:
    from django.core.management import call_command

    fresh_schema(url)
    warm_up()
    mail_dir = work / "as_shipped"
    copy_flat(files, corpus, mail_dir)
    order = [name for name in os.listdir(mail_dir) if (mail_dir / name).is_file()]  # process_queue's order
    mail_queue(mail_dir)
    recorder = Recorder()
    queue_logger = logging.getLogger(f"django.helpdesk.queue.{QUEUE_SLUG}")
    queue_logger.addHandler(recorder)
    progress(f"as shipped: get_email over {len(order)} messages…")
    started = time.perf_counter()
    call_command("get_email", quiet=True)
    seconds = time.perf_counter() - started
    queue_logger.removeHandler(recorder)

    reached = 0
    error = None
    for record in recorder.records:
        if record.msg == "Processing message %d" or str(record.msg).startswith("Processing message "):
            reached = int(record.getMessage().rsplit(" ", 1)[-1])
        if record.exc_info and str(record.msg).startswith("Queue processing failed"):
            exc = record.exc_info[1]
            error = f"{type(exc).__name__}: {exc}"
    stopped_at = order[reached - 1] if error and 0 < reached <= len(order) else None
    processed = reached - 1 if error else reached
    left = sorted(name for name in os.listdir(mail_dir))
    tickets, followups = counts()
    return {"seconds": round(seconds, 3), "processed": processed, "stopped_at": stopped_at, "error": error,
            "not_reached": len(order) - reached if error else 0, "left_in_mailbox": len(left),
            "tickets": tickets, "followups": followups, "per_second": rate(processed, seconds)}


def best_case(url: str, files: list[Path], corpus: Path, work: Path) -> dict:
    from django.utils import encoding
    from helpdesk.email import extract_email_metadata

    fresh_schema(url)
    warm_up()
    mail_dir = work / "best_case"
    copy_flat(files, corpus, mail_dir)
    queue = mail_queue(mail_dir)
    logger = logging.getLogger(f"django.helpdesk.queue.{QUEUE_SLUG}")
    logger.handlers, logger.propagate = [], False  # as process_email does for a queue without logging
    paths = sorted(mail_dir.iterdir())
    progress(f"best case: extract_email_metadata for each of {len(paths)} messages…")
    stored, failures = 0, []
    started = time.perf_counter()
    for path in paths:
        try:
            message = encoding.force_str(path.read_bytes(), errors="replace")
            if extract_email_metadata(message=message, queue=queue, logger=logger):
                stored += 1
            else:
                failures.append({"file": path.name, "error": "not stored (no ticket returned)"})
        except Exception as exc:  # counting what the peer fails on is the point
            failures.append({"file": path.name, "error": f"{type(exc).__name__}: {exc}"[:500]})
    seconds = time.perf_counter() - started
    tickets, followups = counts()
    return {"seconds": round(seconds, 3), "stored": stored, "failed": len(failures), "failures": failures,
            "tickets": tickets, "followups": followups, "per_second": rate(stored, seconds)}


def main(argv=None) -> int:
    args = parse_args(argv)
    keep_stdout_for_result()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        fail(f"no folder {corpus}")
    files = corpus_files(corpus)
    if not files:
        fail(f"no .eml files under {corpus}")
    try:
        db = database.use(args.database_url)
    except database.DatabaseUrlError as exc:
        fail(str(exc))
    work = Path(tempfile.mkdtemp(prefix="pomoc-peer-mail-"))
    os.environ["PEER_MEDIA_ROOT"] = str(work / "media")  # attachments helpdesk saves
    import django

    django.setup()
    try:
        shipped = as_shipped(args.database_url, files, corpus, work)
        best = best_case(args.database_url, files, corpus, work)
        if args.repeat_clean:
            fresh_schema(args.database_url)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(work, ignore_errors=True)
    progress(f"as shipped: {shipped['processed']}/{len(files)} in {shipped['seconds']} s"
             + (f", stopped at {shipped['stopped_at']} ({shipped['error']})" if shipped["error"] else ""))
    progress(f"best case: {best['stored']} stored, {best['failed']} failed, {best['per_second']} messages/s")
    emit({"peer": peer_label(), "database": db["vendor"], "messages": len(files),
          "as_shipped": shipped, "best_case": best})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
