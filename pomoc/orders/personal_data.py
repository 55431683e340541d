"""A customer's orders and returns in their profile: the timeline's order entries, and the rows a
merge moves, an export includes and an erasure cleans (pomoc.contacts.registry, decision 0026)."""

from __future__ import annotations

import csv
import logging
import re
import tempfile

from django.core.files import File
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from pomoc.contacts.models import Identity, IdentityKind
from pomoc.contacts.registry import Cursor, PersonalData, RetentionSweep, TimelineEntry, TimelineSource
from pomoc.orders.models import ImportJob, ImportState, Order, ReturnLine, ReturnRequest, WebhookDelivery

logger = logging.getLogger(__name__)

PREFIX = "order"


def _key(pk: int) -> str:
    return f"{PREFIX}:{pk:012d}"


def _older_than(cursor: Cursor | None) -> Q:
    """Orders strictly after ``cursor`` in the timeline's order (newest first; at one moment, keys in
    descending order, as the other sources page)."""
    if cursor is None:
        return Q()
    same = f"{PREFIX}:"
    if cursor.key.startswith(same):
        try:
            last = int(cursor.key[len(same):])
        except ValueError:
            last = 0
        same_moment = Q(placed_at=cursor.at, pk__lt=last)
    elif same < cursor.key:
        same_moment = Q(placed_at=cursor.at)
    else:
        same_moment = Q(pk__in=[])
    return Q(placed_at__lt=cursor.at) | same_moment


def order_entries(contact, viewer, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    orders = (Order.objects.filter(contact=contact).filter(_older_than(before))
              .order_by("-placed_at", "-pk")[:limit])
    return [TimelineEntry(at=o.placed_at, key=_key(o.pk), kind="order", label=_("Order"),
                          title=str(o), status=o.get_status_display(),
                          detail=f"{number_format(o.total, 2)} {o.currency}",
                          url=reverse("customers:contact", args=[contact.pk]) + "#orders")
            for o in orders]


def _export(contact) -> list[dict]:
    rows = []
    orders = Order.objects.filter(contact=contact).prefetch_related("lines").select_related("source").order_by("pk")
    for order in orders:
        rows.append({"number": str(order), "source": order.source.name, "status": order.status,
                     "currency": order.currency, "total": str(order.total), "refunded": str(order.refunded),
                     "placed_at": order.placed_at,
                     "lines": [{"product": line.product, "sku": line.sku, "quantity": line.quantity,
                                "unit_price": str(line.unit_price)} for line in order.lines.all()]})
    for rma in ReturnRequest.objects.filter(contact=contact).prefetch_related("lines").order_by("pk"):
        rows.append({"return": str(rma), "kind": rma.kind, "state": rma.state, "created_at": rma.created_at,
                     "lines": [{"quantity": line.quantity, "reason": line.reason, "note": line.note}
                               for line in rma.lines.all()]})
    return rows


def _erase(contact) -> int:
    """Orders keep their amounts (revenue statistics); what the customer wrote on a return goes."""
    return ReturnLine.objects.filter(return_request__contact=contact).exclude(note="").update(note="")


def _move(source, target) -> dict:
    orders = list(Order.objects.filter(contact=source).values_list("pk", flat=True))
    returns = list(ReturnRequest.objects.filter(contact=source).values_list("pk", flat=True))
    Order.objects.filter(pk__in=orders).update(contact=target)
    ReturnRequest.objects.filter(pk__in=returns).update(contact=target)
    return {"orders": orders, "returns": returns}


def _restore(target, source, record: dict) -> None:
    Order.objects.filter(pk__in=record.get("orders", []), contact=target).update(contact=source)
    ReturnRequest.objects.filter(pk__in=record.get("returns", []), contact=target).update(contact=source)


# --- raw webhook bodies ---------------------------------------------------------------------------
def _addresses(contact) -> tuple[set[str], set[str]]:
    """The person's e-mail addresses (lower case) and phone numbers (normalised, "+420…")."""
    emails, phones = set(), set()
    for kind, value in Identity.objects.filter(contact=contact, kind__in=[IdentityKind.EMAIL, IdentityKind.PHONE]
                                               ).values_list("kind", "value"):
        (emails if kind == IdentityKind.EMAIL else phones).add(value.lower())
    return emails, phones


def _deliveries(contact):
    """Deliveries that applied one of the person's orders, and any (refused ones too) whose body or
    refusal names one of their addresses."""
    emails, phones = _addresses(contact)
    named = Q(order__contact=contact)
    for value in [*emails, *phones]:
        named |= Q(body__icontains=value) | Q(error__icontains=value)
    return WebhookDelivery.objects.filter(named)


def _export_deliveries(contact) -> list[dict]:
    return list(_deliveries(contact).exclude(body="").order_by("pk").values("received_at", "event_id", "body"))


def _erase_deliveries(contact) -> int:
    """The body (the shop's copy of the customer) and the reason of a refusal go; the row stays, so
    counts of deliveries and the dedup of redelivered event ids are unchanged."""
    return _deliveries(contact).exclude(body="", error="").update(body="", error="")


def _sweep_deliveries(cutoff) -> int:
    return WebhookDelivery.objects.filter(received_at__lt=cutoff).exclude(body="", error="").update(body="", error="")


# --- uploaded CSV files ---------------------------------------------------------------------------
def _phone(cell: str) -> str:
    digits = re.sub(r"[^\d+]", "", cell)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits if digits.startswith("+") else "+" + digits


def _names_person(record: list[str], emails: set[str], phones: set[str]) -> bool:
    for cell in record:
        cell = cell.strip().lower()
        if any(email in cell for email in emails):
            return True
        if phones and sum(c.isdigit() for c in cell) >= 5 and _phone(cell) in phones:
            return True
    return False


def _blank(raw: bytes) -> bytes:
    """As many spaces as the record had bytes, its line end kept: the file keeps its length, so a job's
    committed offset still points at the same next row, and the import skips a blank row."""
    body = raw.rstrip(b"\r\n")
    return b" " * len(body) + raw[len(body):]


def redact_file(fileobj, out, emails: set[str], phones: set[str]) -> list[int]:
    """Copy the CSV ``fileobj`` to ``out`` with every record that names the person blanked; the rows
    blanked, numbered as the import numbers them (the header is row 1)."""
    pending: list[bytes] = []

    def lines():
        for raw in iter(fileobj.readline, b""):
            pending.append(raw)
            yield raw.decode("utf-8", errors="replace")

    blanked = []
    for number, record in enumerate(csv.reader(lines()), start=1):
        raw = b"".join(pending)
        pending.clear()
        if number > 1 and _names_person(record, emails, phones):
            out.write(_blank(raw))
            blanked.append(number)
        else:
            out.write(raw)
    out.write(b"".join(pending))
    return blanked


def _erase_imports(contact) -> int:
    """Each stored import file's rows naming the person are blanked (the file is rewritten), and its
    kept error rows for those rows, or quoting their address, go. The counters stay."""
    emails, phones = _addresses(contact)
    if not emails and not phones:
        return 0
    touched = 0
    for job in ImportJob.objects.exclude(file="").only("pk", "file", "errors").iterator():
        try:
            with job.file.open("rb") as source, tempfile.TemporaryFile() as copy:
                blanked = redact_file(source, copy, emails, phones)
                if blanked:
                    copy.seek(0)
                    old = job.file.name
                    job.file.save("import.csv", File(copy), save=False)
                    job.file.storage.delete(old)
        except FileNotFoundError:
            logger.warning("erasure: the file of import %s is missing", job.pk)
            blanked = []
        values = [*emails, *phones]
        errors = [e for e in job.errors if e.get("row") not in blanked
                  and not any(v in str(e.get("error", "")).lower() for v in values)]
        if blanked or len(errors) != len(job.errors):
            ImportJob.objects.filter(pk=job.pk).update(file=job.file.name, errors=errors)
            touched += len(blanked) + len(job.errors) - len(errors)
    return touched


def _sweep_imports(cutoff) -> int:
    """Finished (or failed) imports older than ``cutoff`` lose their file and error rows; the job and its
    counters stay."""
    swept = 0
    for job in ImportJob.objects.filter(state__in=[ImportState.DONE, ImportState.FAILED],
                                        created_at__lt=cutoff).exclude(file="").only("pk", "file"):
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="", errors=[])
        swept += 1
    return swept


PERSONAL_DATA = PersonalData("orders", export=_export, erase=_erase, move=_move, restore=_restore)
WEBHOOK_PAYLOADS = PersonalData("webhook_payloads", export=_export_deliveries, erase=_erase_deliveries)
IMPORT_FILES = PersonalData("import_files", export=lambda contact: [], erase=_erase_imports)
SWEEPS = (RetentionSweep("webhook_payloads", _sweep_deliveries), RetentionSweep("import_files", _sweep_imports))
TIMELINE = TimelineSource("orders", order_entries)
