"""Segments: saved filters over contacts. A segment is a list of conditions, all of which must hold:

    {"field": "company", "op": "is", "value": 3}
    {"field": "tag", "op": "is" | "is_not", "value": "vip"}
    {"field": "language", "op": "is" | "is_not", "value": "cs"}
    {"field": "identity", "op": "has" | "has_not", "value": "email" | "phone" | "chat" | "social"}
    {"field": "name", "op": "contains", "value": "Nov"}
    {"field": "domain", "op": "is", "value": "example.com"}
    {"field": "created", "op": "before" | "after", "value": "2026-01-31"}
    {"field": "custom_field", "key": "plan", "op": "is", "value": "gold"}

Each condition is one filter in the database, so a segment of a million contacts is one query;
rules ask ``holds(segment, contact_id)``, survey campaigns and reports ``apply`` it to a queryset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.contacts.models import Company, Contact, ContactTag, Identity, IdentityKind, Segment

OPS = {
    "company": ("is", "is_not"),
    "tag": ("is", "is_not"),
    "language": ("is", "is_not"),
    "identity": ("has", "has_not"),
    "name": ("contains",),
    "domain": ("is", "is_not"),
    "created": ("before", "after"),
    "custom_field": ("is", "is_not"),
}

FIELD_LABELS = {
    "company": gettext_lazy("Company"),
    "tag": gettext_lazy("Tag"),
    "language": gettext_lazy("Language"),
    "identity": gettext_lazy("Has a kind of address"),
    "name": gettext_lazy("Name"),
    "domain": gettext_lazy("E-mail domain"),
    "created": gettext_lazy("Created"),
    "custom_field": gettext_lazy("Custom field"),
}
OP_LABELS = {
    "is": gettext_lazy("is"), "is_not": gettext_lazy("is not"), "has": gettext_lazy("has"),
    "has_not": gettext_lazy("has not"), "contains": gettext_lazy("contains"), "before": gettext_lazy("before"),
    "after": gettext_lazy("after"),
}


def from_typed(rows: list[dict]) -> list[dict]:
    """Conditions as people type them on the segments page (a company by its name) as stored ones
    (the company's id); then ``clean`` checks them."""
    result = []
    for number, row in enumerate(rows, start=1):
        row = dict(row)
        if row.get("field") == "company":
            name = str(row.get("value") or "").strip()
            company = Company.objects.filter(name__iexact=name).order_by("pk").first() if name else None
            if company is None:
                message = _("Condition %(number)s: no company “%(name)s”.") % {"number": number, "name": name}
                raise ValidationError({"conditions": message})
            row["value"] = company.pk
        if row.get("field") != "custom_field":
            row.pop("key", None)
        result.append(row)
    return result


def typed(conditions: list[dict]) -> list[dict]:
    """The inverse of ``from_typed``, for the form: company ids as names (one query)."""
    ids = [c.get("value") for c in conditions if c.get("field") == "company"]
    names = dict(Company.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return [{**c, "value": names.get(c.get("value"), c.get("value"))} if c.get("field") == "company" else c
            for c in conditions]


def clean(conditions) -> list[dict]:
    """Checked, normalised conditions; ValidationError names the condition (1-based) that is wrong."""
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": _("Send a list of conditions.")})
    cleaned = []
    for number, condition in enumerate(conditions, start=1):
        try:
            cleaned.append(_clean_one(condition))
        except ValidationError as error:
            message = _("Condition %(number)s: %(problem)s") % {"number": number, "problem": " ".join(error.messages)}
            raise ValidationError({"conditions": message}) from None
    return cleaned


def _clean_one(condition) -> dict:
    if not isinstance(condition, dict):
        raise ValidationError(_("not an object."))
    field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if field not in OPS:
        raise ValidationError(_("unknown field."))
    if op not in OPS[field]:
        raise ValidationError(_("choose one of: %(ops)s.") % {"ops": ", ".join(OPS[field])})
    result = {"field": field, "op": op}
    if field == "company":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError(_("the company's id."))
    elif field == "identity":
        if value not in IdentityKind.values:
            raise ValidationError(_("choose one of: %(ops)s.") % {"ops": ", ".join(IdentityKind.values)})
    elif field == "created":
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError(_("a date (YYYY-MM-DD).")) from None
    elif field == "custom_field":
        key = condition.get("key")
        if not isinstance(key, str) or not key:
            raise ValidationError(_("the field's key."))
        result["key"] = key
        if not isinstance(value, str | int | float | bool):
            raise ValidationError(_("a value."))
    else:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(_("a value."))
        value = value.strip()[:200]
        if field in ("domain", "language"):
            value = value.lower()
    result["value"] = value
    return result


def _q(condition: dict) -> Q:
    field, op, value = condition["field"], condition["op"], condition["value"]
    negate = op in ("is_not", "has_not")
    if field == "company":
        q = Q(company_id=value)
    elif field == "tag":
        q = Q(pk__in=ContactTag.objects.filter(name=value).values("contact_id"))
    elif field == "language":
        q = Q(language=value)
    elif field == "identity":
        q = Q(pk__in=Identity.objects.filter(kind=value).values("contact_id"))
    elif field == "name":
        q = Q(name__icontains=value)
    elif field == "domain":
        q = Q(pk__in=Identity.objects.filter(kind=IdentityKind.EMAIL, value__endswith="@" + value)
              .values("contact_id"))
    elif field == "created":
        day = dt.date.fromisoformat(value)
        q = Q(created_at__date__lt=day) if op == "before" else Q(created_at__date__gt=day)
    else:  # custom_field: JSON key lookups work on SQLite and PostgreSQL alike
        q = Q(**{f"custom_fields__{condition['key']}": value})
    return ~q if negate else q


def apply(segment: Segment | Iterable[dict], queryset: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """The contacts of ``queryset`` (every contact by default) in the segment."""
    conditions = segment.conditions if isinstance(segment, Segment) else list(segment)
    queryset = Contact.objects.all() if queryset is None else queryset
    q = Q()
    for condition in conditions:
        try:
            q &= _q(condition)
        except (KeyError, ValueError, TypeError):  # a malformed stored condition matches nobody
            return queryset.none()
    return queryset.filter(q)


def holds(segment: Segment, contact_id: int | None) -> bool:
    if contact_id is None:
        return False
    return apply(segment, Contact.objects.filter(pk=contact_id)).exists()


def contact_ids(segment: Segment) -> QuerySet:
    """The segment as a subquery of ids (for ``requester__in=…``)."""
    return apply(segment).values("pk")


# --- writes -----------------------------------------------------------------------------------------
def segment_save(*, name: str, conditions, segment: Segment | None = None, actor=None) -> Segment:
    name = " ".join((name or "").split())[:200]
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    cleaned = clean(conditions)
    if Segment.objects.filter(name=name).exclude(pk=segment.pk if segment else None).exists():
        raise ValidationError({"name": _("A segment with this name exists.")})
    if segment is None:
        return Segment.objects.create(name=name, conditions=cleaned,
                                      created_by=actor if getattr(actor, "is_authenticated", False) else None)
    segment.name, segment.conditions = name, cleaned
    segment.save(update_fields=["name", "conditions"])
    return segment


def segment_delete(*, segment: Segment) -> None:
    """Campaigns lose the segment (they ask everyone), rules' conditions on it stop holding; a
    retention policy limited to it keeps it (delete or change the policy first)."""
    try:
        segment.delete()
    except ProtectedError:
        message = _("A retention policy uses this segment: change that policy first.")
        raise ValidationError({"segment": message}) from None
