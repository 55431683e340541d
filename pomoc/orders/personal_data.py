"""A customer's orders and returns in their profile: the timeline's order entries, and the rows a
merge moves, an export includes and an erasure cleans (pomoc.contacts.registry, decision 0026)."""

from __future__ import annotations

import csv
import logging
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files import File
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from pomoc.contacts.models import ContactChange, Identity, IdentityKind
from pomoc.contacts.proposals import phone_key
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


def name_key(text: str) -> str:
    """A name as a whole cell compares: case, Unicode composition and spacing aside."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def _folded(text: str) -> str:
    """Words without accents or case, one space apart: "Zdeňka_Unikátní" → "zdenka unikatni"."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


@dataclass
class Person:
    """What identifies a person in a stored import file."""

    contact_id: int
    emails: set[str]  # lower case
    phones: set[str]  # normalised, "+420…"
    names: set[str] = field(default_factory=set)  # name_key()s: their name, former names, names their rows give
    orders: set[tuple[int | None, str]] = field(default_factory=set)  # (source id, order id) of their orders

    @property
    def empty(self) -> bool:
        return not (self.emails or self.phones or self.names or self.orders)

    def in_cell(self, cell: str) -> bool:
        """The cell holds one of their addresses (anywhere in it) or is one of their phone numbers."""
        cell = cell.strip().lower()
        if any(email in cell for email in self.emails):
            return True
        return bool(self.phones) and sum(c.isdigit() for c in cell) >= 5 and _phone(cell) in self.phones

    def in_text(self, text: str) -> bool:
        """Free text (an error message, a file name) that quotes them: an address, a phone number
        (its last nine digits among the text's digits) or a name (its words in order, accents, case
        and punctuation aside: "jana_novakova" for "Jana Nováková")."""
        lowered = (text or "").lower()
        if any(email in lowered for email in self.emails):
            return True
        digits = "".join(c for c in lowered if c.isdigit())
        if any(len(key := phone_key(phone)) >= 5 and key in digits for phone in self.phones):
            return True
        words = f" {_folded(text)} "
        return any((folded := _folded(name)) and f" {folded} " in words for name in self.names)


def person_of(contact) -> Person:
    """The person's addresses, phone numbers, names (now and before, from the contact's history) and
    orders."""
    emails, phones = _addresses(contact)
    names = {contact.name}
    for old, new in ContactChange.objects.filter(contact=contact, field="name").values_list("old", "new"):
        names.update(n for n in (old, new) if isinstance(n, str))
    return Person(contact_id=contact.pk, emails=emails, phones=phones,
                  names={key for n in names if (key := name_key(n))},
                  orders=set(Order.objects.filter(contact=contact).values_list("source_id", "external_id")))


def _records(fileobj) -> Iterator[tuple[int, bytes, list[str]]]:
    """(row number, the record's bytes, its cells) of each CSV record, the header being row 1; a last
    incomplete line comes as row 0."""
    pending: list[bytes] = []

    def lines():
        for raw in iter(fileobj.readline, b""):
            pending.append(raw)
            yield raw.decode("utf-8", errors="replace")

    for number, record in enumerate(csv.reader(lines()), start=1):
        raw = b"".join(pending)
        pending.clear()
        yield number, raw, record
    if pending:
        yield 0, b"".join(pending), []


class _Columns:
    def __init__(self, header: list[str]):
        header = [h.strip().lower().lstrip("\ufeff") for h in header]
        self.email = header.index("email") if "email" in header else None
        self.name = header.index("name") if "name" in header else None
        self.order = header.index("order_id") if "order_id" in header else None

    @staticmethod
    def cell(record: list[str], index: int | None) -> str:
        return record[index].strip() if index is not None and index < len(record) else ""


def _theirs_by_address(record: list[str], person: Person, columns: _Columns, orders: set[str]) -> bool:
    """A cell holds their address or phone number, or the row is a line of one of their orders."""
    if any(person.in_cell(cell) for cell in record):
        return True
    return bool(orders) and columns.cell(record, columns.order) in orders


def _scan(job: ImportJob, person: Person) -> set[str]:
    """First reading of a file: the names given on their rows join the person's names; returns the
    ids of the orders any of their rows belongs to (each of that order's lines is theirs)."""
    orders = {external for source, external in person.orders if source == job.source_id and job.source_id}
    found: set[str] = set()
    with job.file.open("rb") as source:
        records = _records(source)
        columns = _Columns(next(records, (0, b"", []))[2])
        for number, _raw, record in records:
            if number and _theirs_by_address(record, person, columns, orders):
                if name := name_key(columns.cell(record, columns.name)):
                    person.names.add(name)
                if order := columns.cell(record, columns.order):
                    found.add(order)
    return orders | found


class _Namesakes:
    """Addresses of other contacts: a row with their name but another contact's address is the other
    contact's (the same name, another person), and stays."""

    def __init__(self, person: Person):
        self.person, self.known = person, {}

    def other(self, cell: str) -> bool:
        address = cell.strip().lower()
        if not address or address in self.person.emails:
            return False
        if address not in self.known:
            self.known[address] = Identity.objects.filter(kind=IdentityKind.EMAIL, value=address).exclude(
                contact_id=self.person.contact_id).exists()
        return self.known[address]


def redact_file(fileobj, out, person: Person, *, orders: set[str] = frozenset(),
                namesakes: _Namesakes | None = None) -> list[int]:
    """Copy the CSV ``fileobj`` to ``out`` with every record of the person blanked, and return the rows
    blanked, numbered as the import numbers them (the header is row 1). A record is theirs when a cell
    holds one of their addresses or phone numbers, when it is a line of one of their ``orders``, or
    when its name cell is, whole, one of their names (case aside) and its address cell holds no other
    contact's address."""
    namesakes = namesakes or _Namesakes(person)
    columns = None
    blanked = []
    for number, raw, record in _records(fileobj):
        if columns is None:
            columns = _Columns(record)
            out.write(raw)
            continue
        theirs = bool(number) and (
            _theirs_by_address(record, person, columns, orders)
            or (name_key(columns.cell(record, columns.name)) in person.names
                and not namesakes.other(columns.cell(record, columns.email))))
        if theirs:
            out.write(_blank(raw))
            blanked.append(number)
        else:
            out.write(raw)
    return blanked


def _blank(raw: bytes) -> bytes:
    """As many spaces as the record had bytes, its line end kept: the file keeps its length, so a job's
    committed offset still points at the same next row, and the import skips a blank row."""
    body = raw.rstrip(b"\r\n")
    return b" " * len(body) + raw[len(body):]


def _erase_imports(contact) -> int:
    """Each stored import file's rows of the person are blanked (the file is rewritten; what makes a
    row theirs: ``redact_file``), and its kept error rows for those rows, or quoting them, go; a job's
    original file name or failure that quotes them is replaced. The counters stay."""
    person = person_of(contact)
    if person.empty:
        return 0
    jobs = list(ImportJob.objects.exclude(file="").only("pk", "file", "source_id", "errors"))
    orders: dict[int, set[str]] = {}
    for job in jobs:  # first their names and orders in every file, then the rows those name
        try:
            orders[job.pk] = _scan(job, person)
        except FileNotFoundError:
            logger.warning("erasure: the file of import %s is missing", job.pk)
    touched = 0
    namesakes = _Namesakes(person)
    for job in jobs:
        blanked = []
        if job.pk in orders:
            with job.file.open("rb") as source, tempfile.TemporaryFile() as copy:
                blanked = redact_file(source, copy, person, orders=orders[job.pk], namesakes=namesakes)
                if blanked:
                    copy.seek(0)
                    old = job.file.name
                    job.file.save("import.csv", File(copy), save=False)
                    job.file.storage.delete(old)
        errors = [e for e in job.errors if e.get("row") not in blanked and not person.in_text(str(e.get("error", "")))]
        if blanked or len(errors) != len(job.errors):
            ImportJob.objects.filter(pk=job.pk).update(file=job.file.name, errors=errors)
            touched += len(blanked) + len(job.errors) - len(errors)
    for pk, file_name, failure in ImportJob.objects.values_list("pk", "file_name", "failure").iterator():
        changes = {}
        if person.in_text(file_name):
            changes["file_name"] = f"import-{pk}.csv"
        if failure and person.in_text(failure):
            changes["failure"] = "(erased: it quoted a person's data)"
        if changes:
            ImportJob.objects.filter(pk=pk).update(**changes)
            touched += 1
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
