"""Macros: write them (administrators) and apply them (agents, on one ticket or many at once)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.automation.macros.models import Macro
from pomoc.automation.macros.selectors import forget_macro_choices
from pomoc.automation.rules import actions as rule_actions
from pomoc.core import refusals
from pomoc.core.text import validate_line
from pomoc.tickets import events
from pomoc.tickets.models import Ticket


def _clean(values: Mapping, *, exclude_pk: int | None = None) -> dict:
    cleaned, errors = {}, {}
    if "name" in values:
        name = " ".join(str(values["name"] or "").split())[:100]
        if not name:
            errors["name"] = _("A macro needs a name.")
        else:
            try:
                validate_line(name)
            except ValidationError as error:
                errors["name"] = " ".join(error.messages)
            if Macro.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
                errors["name"] = refusals.refusal(_("A macro with this name already exists."), refusals.CONFLICT)
        cleaned["name"] = name
    if "actions" in values:
        try:
            cleaned["actions"] = rule_actions.clean(values["actions"] or [], allowed=rule_actions.MACRO_ACTIONS,
                                                    for_macro=True)
        except ValidationError as error:
            errors["actions"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def macro_create(*, name: str, actions: list) -> Macro:
    macro = Macro.objects.create(**_clean({"name": name, "actions": actions}))
    forget_macro_choices()
    return macro


def macro_update(*, macro: Macro, changes: Mapping) -> Macro:
    unknown = set(changes) - {"name", "actions"}
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    for key, value in _clean(changes, exclude_pk=macro.pk).items():
        setattr(macro, key, value)
    macro.updated_at = timezone.now()
    macro.save()
    forget_macro_choices()
    return macro


def macro_delete(*, macro: Macro) -> None:
    macro.delete()
    forget_macro_choices()


def macro_apply(*, macro: Macro, tickets: list[Ticket], actor) -> list[str]:
    """Apply ``macro`` to ``tickets`` (the caller checked the agent may see and work on them) in one
    transaction: the field changes, reply, note… of each ticket, then a ``macro_applied`` event with
    what was done. What cannot be done on a ticket (a reply with nowhere to go, an agent who left)
    is left out and reported, the rest is done. Returns those reports."""
    problems: list[str] = []
    with transaction.atomic():
        for ticket in tickets:
            outcome = rule_actions.execute(macro.actions, ticket=ticket, actor=actor,
                                           reason=_("Macro “%(name)s”") % {"name": macro.name})
            events.macro_applied(ticket, actor, macro_id=macro.pk, name=macro.name, actions=outcome.done,
                                 errors=outcome.errors)
            problems.extend(f"#{ticket.number}: {error}" for error in outcome.errors)
    return problems
