"""Saved views: named inbox filters, personal or shared."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pomoc.tickets.custom_fields import FORM_PREFIX
from pomoc.tickets.inbox_columns import COLUMNS
from pomoc.tickets.models import SavedView
from pomoc.tickets.selectors import TicketFilters

# "columns" (pomoc.tickets.inbox_columns) and "fields" (custom fields shown as columns) are what the view
# shows, the others what it holds.
VIEW_FILTER_KEYS = ("status", "priority", "assignee", "department", "tag", "channel", "q", "sort", "requester",
                    "company", "fields", "columns")


def is_view_filter_key(key: str) -> bool:
    """A key the inbox understands: the fixed ones, and ``cf_<key>`` for a custom field."""
    return key in VIEW_FILTER_KEYS or (key.startswith(FORM_PREFIX) and len(key) > len(FORM_PREFIX))


def clean_view_filters(filters: Mapping) -> dict:
    """Only the keys the inbox understands, each checked the way the ticket list checks it."""
    errors = {f"filters.{key}": _("Unknown filter.") for key in filters if not is_view_filter_key(str(key))}
    cleaned: dict = {}
    for key, value in filters.items():
        if not is_view_filter_key(str(key)):
            continue
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str | int) or isinstance(value, bool):
            errors[f"filters.{key}"] = _("Use a text value or a list of them.")
            continue
        if str(value).strip():
            cleaned[key] = str(value).strip()
    unknown_columns = [c for c in cleaned.get("columns", "").split(",") if c and c not in COLUMNS]
    if unknown_columns:
        errors["filters.columns"] = _("Unknown column: %(values)s") % {"values": ", ".join(unknown_columns)}
    try:
        TicketFilters.from_mapping(cleaned)
    except ValidationError as exc:
        errors.update({f"filters.{k}": v for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_view_name(name: str) -> str:
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": _("This field cannot be blank.")})
    return name


def saved_view_create(*, owner, name: str, filters: Mapping, shared: bool = False) -> SavedView:
    """A named inbox filter of ``owner``'s; ``shared`` shows it to every agent."""
    return SavedView.objects.create(owner=owner, name=_clean_view_name(name), filters=clean_view_filters(filters),
                                    shared=shared)


def saved_view_update(*, view: SavedView, changes: Mapping) -> SavedView:
    """Change only the keys given: ``name``, ``filters``, ``shared``. Callers check that the actor owns it."""
    if "name" in changes:
        view.name = _clean_view_name(changes["name"])
    if "filters" in changes:
        view.filters = clean_view_filters(changes["filters"] or {})
    if "shared" in changes:
        view.shared = bool(changes["shared"])
    view.save()
    return view
