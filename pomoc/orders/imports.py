"""CSV imports of contacts and orders: streamed in batches, resumable, idempotent.

The file is read as bytes, one CSV record at a time, so memory stays flat whatever its size. After
each batch the job's byte offset and counters are committed in the same transaction as the batch's
rows: a worker that dies resumes after the last committed row, and a batch done twice changes nothing
(contacts are found by e-mail address, orders and lines by their ids in the source).

Orders CSV (one row per order line; the order's columns repeat on each of its lines):
``order_id, email, name, order_number, status, currency, placed_at, paid_at, refunded, line_id,
product, sku, quantity, unit_price``. Contacts CSV: ``email, name, phone``.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.contacts import services as contact_services
from pomoc.contacts.models import IdentityKind
from pomoc.core.upsert import upsert
from pomoc.orders import services
from pomoc.orders.models import ImportJob, ImportKind, ImportState, Order, OrderLine, OrderSource

BATCH_ROWS = 1000
MAX_ERRORS_KEPT = 100
ORDER_COLUMNS = ("order_id", "email", "currency", "placed_at", "product", "unit_price")
CONTACT_COLUMNS = ("email",)
csv.field_size_limit(1024 * 1024)


@dataclass
class Batch:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    end_offset: int = 0


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def read_header(fileobj) -> tuple[list[str], int]:
    """The column names (lower case) and the byte offset where the first data row starts."""
    fileobj.seek(0)
    position = 0

    def lines():
        nonlocal position
        for raw in iter(fileobj.readline, b""):  # not `for raw in fileobj`: Django's File starts again at 0
            position += len(raw)
            yield _decode(raw)

    header = next(csv.reader(lines()), None) or []
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    return [h.strip().lower() for h in header], position


def batches(fileobj, *, offset: int, first_row: int, size: int = BATCH_ROWS) -> Iterator[Batch]:
    """Records from byte ``offset`` on, as dicts by column, in batches ending on a record boundary."""
    header, data_start = read_header(fileobj)
    offset = max(offset, data_start)
    fileobj.seek(offset)
    position = offset

    def lines():
        nonlocal position
        for raw in iter(fileobj.readline, b""):  # not `for raw in fileobj`: Django's File starts again at 0
            position += len(raw)
            yield _decode(raw)

    batch = Batch()
    number = first_row + 1  # the header is row 1, as a spreadsheet counts
    for record in csv.reader(lines()):
        number += 1
        if any(cell.strip() for cell in record):
            batch.rows.append((number, dict(zip(header, (c.strip() for c in record), strict=False))))
        batch.end_offset = position
        if len(batch.rows) >= size:
            yield batch
            batch = Batch()
    if batch.rows or batch.end_offset:
        batch.end_offset = position
        yield batch


def missing_columns(kind: str, header: list[str]) -> list[str]:
    needed = ORDER_COLUMNS if kind == ImportKind.ORDERS else CONTACT_COLUMNS
    return [c for c in needed if c not in header]


# --- one batch ---------------------------------------------------------------------------------
def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def contacts_batch(rows: list[tuple[int, dict]]) -> list[dict]:
    """Find or create each row's contact by e-mail address and add its phone number, set-wise: the
    new contacts and their addresses in one statement each, the new numbers in one
    (``contacts.services.contact_ids_by_email``, ``identities_add``, over ``core.upsert``)."""
    errors, senders, phones = [], [], []
    for number, row in rows:
        try:
            email = contact_services.normalize_identity(IdentityKind.EMAIL, row.get("email", ""))
        except ValidationError as exc:
            errors.append({"row": number, "error": _message(exc)})
            continue
        senders.append((email, row.get("name", "")))
        if row.get("phone"):
            phones.append((number, email, row["phone"]))
    found = contact_services.contact_ids_by_email(senders) if senders else {}
    refused = contact_services.identities_add([(found[email], IdentityKind.PHONE, phone)
                                               for _number, email, phone in phones])
    errors += [{"row": number, "error": _message(exc)}
               for (number, _email, _phone), exc in zip(phones, refused, strict=True) if exc is not None]
    return sorted(errors, key=lambda e: e["row"])


def _order_row(row: dict) -> services.OrderIn:
    line = services.LineIn(product=row.get("product", ""), unit_price=row.get("unit_price", ""),
                           quantity=row.get("quantity") or 1, sku=row.get("sku", ""),
                           external_id=row.get("line_id") or row.get("sku") or row.get("product", ""))
    data = services.OrderIn(
        external_id=row.get("order_id", ""), email=row.get("email", ""), name=row.get("name", ""),
        number=row.get("order_number", ""), status=(row.get("status") or "paid").lower(),
        currency=row.get("currency", ""), placed_at=row.get("placed_at", ""), paid_at=row.get("paid_at") or None,
        refunded=row.get("refunded") or 0, lines=[line])
    return services.clean_order(data)


def orders_batch(rows: list[tuple[int, dict]], source: OrderSource) -> list[dict]:
    """Upsert the batch's orders and lines in a few statements (a row that does not validate is
    reported and skipped; the others are imported)."""
    errors, good = [], []
    for number, row in rows:
        try:
            good.append(_order_row(row))
        except ValidationError as exc:
            errors.append({"row": number, "error": _message(exc)})
    if not good:
        return errors
    contacts = contact_services.contact_ids_by_email([(o.email, o.name) for o in good])
    now = timezone.now()
    orders: dict[str, dict] = {}
    for o in good:  # the last row of an order says what the order is now
        orders[o.external_id] = {
            "source": source.pk, "external_id": o.external_id, "number": o.number, "contact": contacts[o.email],
            "status": o.status, "currency": o.currency, "placed_at": o.placed_at, "paid_at": o.paid_at,
            "refunded": o.refunded, "total": 0, "created_at": now, "updated_at": now}
    ids = dict(upsert(Order, list(orders.values()), unique=["source", "external_id"], returning=["external_id"],
                      update=["number", "contact", "status", "currency", "placed_at", "paid_at", "refunded",
                              "updated_at"]))
    lines: dict[tuple[int, str], dict] = {}
    for o in good:
        line = o.lines[0]
        lines[(ids[o.external_id], line.external_id)] = {
            "order": ids[o.external_id], "external_id": line.external_id, "product": line.product, "sku": line.sku,
            "quantity": line.quantity, "unit_price": line.unit_price}
    upsert(OrderLine, list(lines.values()), unique=["order", "external_id"],
           update=["product", "sku", "quantity", "unit_price"])
    services.orders_totals_refresh(ids.values())
    return errors


# --- the job -----------------------------------------------------------------------------------
def import_create(*, kind: str, upload, user, source: OrderSource | None = None) -> ImportJob:
    """Store the uploaded file and queue its import (after commit)."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": _("Choose contacts or orders.")})
    if kind == ImportKind.ORDERS and source is None:
        raise ValidationError({"source": _("Orders need a source.")})
    header, _start = read_header(upload)
    missing = missing_columns(kind, header)
    if missing:
        raise ValidationError({"file": _("The file has no column %(columns)s (the first row names the columns).")
                               % {"columns": ", ".join(missing)}})
    upload.seek(0)
    from pomoc.orders import tasks

    with transaction.atomic():
        job = ImportJob(kind=kind, source=source, file_name=(upload.name or "import.csv")[:255],
                        size=upload.size or 0, created_by=user, runner=secrets.token_hex(8))
        job.file.save("import.csv", upload, save=False)
        job.save()
        transaction.on_commit(lambda: tasks.run_import.enqueue(job.pk, job.runner))
    return job


def import_resume(*, job: ImportJob) -> ImportJob:
    """Hand an unfinished job to a new run, which continues after the last committed row."""
    if job.state == ImportState.DONE:
        return job
    from pomoc.orders import tasks

    with transaction.atomic():
        job.runner = secrets.token_hex(8)
        job.state = ImportState.QUEUED
        job.failure = ""
        job.save(update_fields=["runner", "state", "failure"])
        transaction.on_commit(lambda: tasks.run_import.enqueue(job.pk, job.runner))
    return job


def import_run(job_id: int, runner: str, *, batch_rows: int = BATCH_ROWS) -> ImportJob | None:
    """Import the job's rows from its committed offset to the end; None if another run took it over."""
    job = ImportJob.objects.select_related("source").get(pk=job_id)
    if job.runner != runner or job.state == ImportState.DONE:
        return None
    ImportJob.objects.filter(pk=job.pk, runner=runner).update(state=ImportState.RUNNING)
    try:
        with job.file.open("rb") as fileobj:
            for batch in batches(fileobj, offset=job.offset, first_row=job.rows_done + job.rows_failed,
                                 size=batch_rows):
                with transaction.atomic():
                    current = ImportJob.objects.select_for_update().get(pk=job.pk)
                    if current.runner != runner:
                        return None
                    if job.kind == ImportKind.ORDERS:
                        errors = orders_batch(batch.rows, job.source)
                    else:
                        errors = contacts_batch(batch.rows)
                    kept = current.errors + errors[: max(0, MAX_ERRORS_KEPT - len(current.errors))]
                    ImportJob.objects.filter(pk=job.pk).update(
                        offset=batch.end_offset, rows_done=F("rows_done") + len(batch.rows) - len(errors),
                        rows_failed=F("rows_failed") + len(errors), errors=kept)
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk, runner=runner).update(
            state=ImportState.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    ImportJob.objects.filter(pk=job.pk, runner=runner).update(state=ImportState.DONE, finished_at=timezone.now())
    return ImportJob.objects.get(pk=job.pk)
