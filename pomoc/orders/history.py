"""How a return's state change reads in the ticket's history (plugged into tickets.history)."""

from django.utils.translation import gettext as _

from pomoc.orders.models import ReturnKind, ReturnState
from pomoc.tickets import history
from pomoc.tickets.models import EventType


def _state(value) -> str:
    return str(ReturnState(value).label) if value in ReturnState.values else str(value or "—")


def return_changed(event, data, names) -> str:
    kind = str(ReturnKind(data["kind"]).label) if data.get("kind") in ReturnKind.values else _("Return")
    if data.get("from") is None:
        text = _("%(kind)s opened for order %(order)s") % {"kind": kind, "order": data.get("order") or "—"}
    else:
        change = f"{_state(data.get('from'))} → {_state(data.get('to'))}"
        text = _("%(kind)s: %(change)s") % {"kind": kind, "change": change}
    if data.get("note"):
        text = f"{text} ({data['note']})"
    return text


def register() -> None:
    history.RENDERERS[EventType.RETURN_CHANGED] = return_changed
