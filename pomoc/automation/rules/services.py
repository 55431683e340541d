"""Writing rules: create, change, switch on or off, delete. Conditions and actions are checked here
(``conditions.clean``, ``actions.clean``); the engine's cache of active triggers is forgotten after
every change."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.automation.rules import actions, conditions, engine
from pomoc.automation.rules.models import Rule, Trigger
from pomoc.core import refusals
from pomoc.core.text import validate_line

FIELDS = ("name", "trigger", "conditions", "actions", "position", "active")


def _clean(values: Mapping, *, exclude_pk: int | None = None) -> dict:
    cleaned: dict = {}
    errors: dict = {}
    if "name" in values:
        name = " ".join(str(values["name"] or "").split())[:100]
        if not name:
            errors["name"] = _("A rule needs a name.")
        else:
            try:
                validate_line(name)
            except ValidationError as error:
                errors["name"] = " ".join(error.messages)
            if Rule.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
                errors["name"] = refusals.refusal(_("A rule with this name already exists."), refusals.CONFLICT)
        cleaned["name"] = name
    if "trigger" in values:
        if values["trigger"] not in Trigger.values:
            errors["trigger"] = _("Choose when the rule runs.")
        cleaned["trigger"] = values["trigger"]
    for key, clean in (("conditions", conditions.clean), ("actions", actions.clean)):
        if key in values:
            try:
                cleaned[key] = clean(values[key] or [])
            except ValidationError as error:
                errors[key] = error.messages
    if "position" in values:
        try:
            cleaned["position"] = max(0, int(values["position"]))
        except (TypeError, ValueError):
            errors["position"] = _("Enter a whole number.")
    if "active" in values:
        cleaned["active"] = bool(values["active"])
    if errors:
        raise ValidationError(errors)
    if cleaned.get("trigger") == Trigger.TIME and "conditions" in cleaned and not any(
            c["field"] in conditions.SINCE for c in cleaned["conditions"]):
        raise ValidationError({"conditions": _(
            "A time-based rule needs an “hours since …” condition (it says when the rule is due).")})
    return cleaned


def rule_create(*, author, name: str, trigger: str, conditions: list, actions: list, active: bool = False,
                position: int | None = None) -> Rule:
    """A new rule, last in the order unless ``position`` is given; off until switched on."""
    values = _clean({"name": name, "trigger": trigger, "conditions": conditions, "actions": actions,
                     "active": active, **({"position": position} if position is not None else {})})
    if "position" not in values:
        values["position"] = (Rule.objects.aggregate(top=Max("position"))["top"] or 0) + 10
    with transaction.atomic():
        rule = Rule.objects.create(author=author, **values)
        transaction.on_commit(engine.forget_active_triggers)
    engine.forget_active_triggers()
    return rule


def rule_update(*, rule: Rule, author, changes: Mapping) -> Rule:
    """Change the keys given (``FIELDS``); the saving administrator becomes the rule's author."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    values = _clean({"trigger": rule.trigger, **changes} if "conditions" in changes else changes,
                    exclude_pk=rule.pk)
    if "trigger" in values and "conditions" not in values and values["trigger"] == Trigger.TIME:
        _clean({"trigger": Trigger.TIME, "conditions": rule.conditions})
    with transaction.atomic():
        for key, value in values.items():
            setattr(rule, key, value)
        rule.author = author if author is not None else rule.author
        rule.updated_at = timezone.now()
        rule.save()
        transaction.on_commit(engine.forget_active_triggers)
    engine.forget_active_triggers()
    return rule


def rule_delete(*, rule: Rule) -> None:
    rule.delete()
    engine.forget_active_triggers()
