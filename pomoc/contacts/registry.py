"""Ports that the apps holding a person's data install themselves into (decision 0026).

``contacts`` is below tickets, surveys and orders, so it never imports them. Instead each app that
keeps rows about a contact registers, in its ``AppConfig.ready``:

- a ``PersonalData`` source: how to export the rows (and files), how to erase them, and how to move
  them from one contact to another during a merge (and back when the merge is undone);
- a ``TimelineSource``: the entries it adds to the contact's one timeline, newest first, paged by
  a keyset (``before``);
- a ``RetentionSweep`` for what holds people's data outside a contact's rows (raw payloads,
  uploaded files): the daily retention run removes what is older than the shortest policy's period.

Export, erasure, merge and unmerge walk the registered sources in order, so a new app (orders) adds
its tables by registering one source, and nothing here changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.core.files import File

    from pomoc.contacts.models import Contact


@dataclass(frozen=True)
class PersonalData:
    """One table (or a few) holding a person's data."""

    name: str  # a key in exports and merge records: "tickets", "survey_answers", …
    # JSON-able rows of this person
    export: Callable[[Contact], list[dict[str, Any]]]
    # anonymise or delete this person's rows; returns how many rows it touched
    erase: Callable[[Contact], int]
    # (path in the zip, file) of the person's files (attachments)
    files: Callable[[Contact], Iterable[tuple[str, File]]] = lambda contact: ()
    # move the source's rows to the target, returning what it moved (JSON: ids); None: nothing to move
    move: Callable[[Contact, Contact], Any] | None = None
    # put back what ``move`` recorded (target → source)
    restore: Callable[[Contact, Contact, Any], None] | None = None


@dataclass(frozen=True, order=True)
class Cursor:
    """Where a timeline page ends: entries strictly older than (at, key) come next."""

    at: dt.datetime
    key: str

    def encode(self) -> str:
        return f"{self.at.isoformat()}|{self.key}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text or "|" not in text:
            return None
        at, _sep, key = text.partition("|")
        try:
            moment = dt.datetime.fromisoformat(at)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        return cls(at=moment, key=key[:100])


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    key: str  # unique across sources: "ticket:12", "answer:7"
    kind: str  # a CSS-friendly word: "ticket", "chat", "answer", "order"
    label: str  # translated: "E-mail ticket", "Chat", "Survey answer"
    title: str
    url: str = ""
    detail: str = ""
    status: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.at, key=self.key)


@dataclass(frozen=True)
class TimelineSource:
    name: str
    # (contact, viewer, before, limit) → at most ``limit`` entries older than ``before``, newest first,
    # in a constant number of queries
    entries: Callable[[Contact, Any, Cursor | None, int], list[TimelineEntry]]


@dataclass(frozen=True)
class RetentionSweep:
    """Data not tied to one contact's row but holding people's data (raw webhook bodies, uploaded
    files): the retention run removes what is older than ``cutoff`` and returns how much it removed."""

    name: str
    sweep: Callable[[dt.datetime], int]


_PERSONAL_DATA: dict[str, PersonalData] = {}
_TIMELINE: dict[str, TimelineSource] = {}
_RETENTION_SWEEPS: dict[str, RetentionSweep] = {}


def register_personal_data(source: PersonalData) -> None:
    _PERSONAL_DATA[source.name] = source


def register_timeline(source: TimelineSource) -> None:
    _TIMELINE[source.name] = source


def register_retention_sweep(sweep: RetentionSweep) -> None:
    _RETENTION_SWEEPS[sweep.name] = sweep


def retention_sweeps() -> list[RetentionSweep]:
    return list(_RETENTION_SWEEPS.values())


def personal_data() -> list[PersonalData]:
    return list(_PERSONAL_DATA.values())


def timeline_sources() -> list[TimelineSource]:
    return list(_TIMELINE.values())


# --- custom fields --------------------------------------------------------------------------------
# The definitions live with the tickets' (one mechanism, a target per definition); tickets installs
# the check at start-up. Until then (or without it) no field is known.
def _no_fields(target: str, values) -> dict:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if values:
        raise ValidationError({"custom_fields": _("Unknown custom field.")})
    return {}


def _no_definitions(target: str) -> list:
    return []


_field_validator: Callable[[str, Any], dict] = _no_fields
_field_definitions: Callable[[str], list] = _no_definitions


def install_fields(*, validator: Callable[[str, Any], dict], definitions: Callable[[str], list]) -> None:
    global _field_validator, _field_definitions
    _field_validator, _field_definitions = validator, definitions


def validate_fields(target: str, values) -> dict:
    """Custom field values for ``target`` ("contact" or "company"), checked; ValidationError otherwise."""
    return _field_validator(target, values)


def field_definitions(target: str) -> list:
    return _field_definitions(target)
