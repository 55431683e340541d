"""Creating, changing and removing SLA policies, every value checked where it enters. A change to
the policies recomputes the clocks of the unresolved tickets in the background."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.models import Role
from pomoc.automation.sla.models import SlaPolicy
from pomoc.core import refusals
from pomoc.core.text import text_problem
from pomoc.tickets.models import UNRESOLVED_STATUSES, Channel, Priority, Ticket

POLICY_FIELDS = ("name", "position", "active", "priorities", "channels", "departments", "companies", "calendar",
                 "first_response_minutes", "next_response_minutes", "resolution_minutes", "warn_minutes",
                 "escalate_department", "escalate_to", "raise_priority", "notify", "notify_outside_hours")
TARGET_FIELDS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
MAX_MINUTES = 366 * 24 * 60
RECOMPUTE_BATCH = 500


def _clean(values: Mapping[str, Any]) -> dict:
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    errors: dict[str, str] = {}
    cleaned = dict(values)
    if "name" in values:
        name = str(values["name"] or "").strip()
        problem = text_problem(name)
        if not name:
            errors["name"] = _("Give the policy a name.")
        elif problem or len(name) > 100:
            errors["name"] = problem or _("At most 100 characters.")
        cleaned["name"] = name
    if "priorities" in values:
        priorities = values["priorities"] or []
        if not isinstance(priorities, list) or any(p not in Priority.values for p in priorities):
            errors["priorities"] = _("Choose priorities from the list.")
        else:
            cleaned["priorities"] = sorted(set(priorities))
    if "channels" in values:
        channels = values["channels"] or []
        if not isinstance(channels, list) or any(c not in Channel.values for c in channels):
            errors["channels"] = _("Choose channels from the list.")
        else:
            cleaned["channels"] = sorted(set(channels))
    for field in (*TARGET_FIELDS, "warn_minutes"):
        value = values.get(field)
        if value is not None and (not isinstance(value, int) or not 1 <= value <= MAX_MINUTES):
            errors[field] = _("Give a number of minutes from 1 to %(max)s.") % {"max": MAX_MINUTES}
    escalate_to = values.get("escalate_to")
    if escalate_to is not None and (not escalate_to.is_active or escalate_to.role not in (Role.SUPERVISOR,
                                                                                          Role.ADMINISTRATOR)):
        errors["escalate_to"] = _("Escalate to an active supervisor or administrator.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_targets(policy: SlaPolicy) -> None:
    if not any(policy.target_minutes(t.removesuffix("_minutes")) for t in TARGET_FIELDS):
        raise ValidationError({"first_response_minutes": _("Set at least one target.")})
    longest = max(policy.target_minutes(t.removesuffix("_minutes")) or 0 for t in TARGET_FIELDS)
    if policy.warn_minutes and policy.warn_minutes >= longest:
        raise ValidationError({"warn_minutes": _("Warn earlier than the longest target.")})


def _save(policy: SlaPolicy, values: dict) -> SlaPolicy:
    many = {k: values.pop(k) for k in ("departments", "companies") if k in values}
    for key, value in values.items():
        setattr(policy, key, value)
    policy.updated_at = timezone.now()
    _check_targets(policy)
    try:
        with transaction.atomic():
            policy.save()
            for key, value in many.items():
                getattr(policy, key).set(value or [])
    except IntegrityError:
        raise refusals.conflict("name", _("A policy with this name exists already.")) from None
    transaction.on_commit(recompute_later)
    return policy


def policy_create(**values) -> SlaPolicy:
    """A new policy (``POLICY_FIELDS``; departments and companies as lists of objects)."""
    return _save(SlaPolicy(), _clean(values))


def policy_update(*, policy: SlaPolicy, changes: Mapping[str, Any]) -> SlaPolicy:
    return _save(policy, _clean(changes))


def policy_delete(*, policy: SlaPolicy) -> None:
    policy.delete()
    transaction.on_commit(recompute_later)


def recompute_later() -> None:
    from pomoc.automation.sla.tasks import sla_recompute_all

    sla_recompute_all.enqueue()


def recompute_unresolved() -> int:
    """Every unresolved ticket's clocks again (the policies changed), in batches; returns how many."""
    from pomoc.automation.sla.policies import load_policies
    from pomoc.automation.sla.timers import recompute

    policies = load_policies()
    ids = list(Ticket.objects.filter(status__in=UNRESOLVED_STATUSES).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), RECOMPUTE_BATCH):
        recompute(ids[start:start + RECOMPUTE_BATCH], policies=policies)
    return len(ids)
