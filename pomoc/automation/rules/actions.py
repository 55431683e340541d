"""The actions rules and macros run: one implementation for both.

``clean`` checks what an administrator wrote (names of departments and agents become ids, texts are
checked as placeholder templates) and ``execute`` runs a list on one ticket through the ticket
services, field changes first as one ``ticket_update`` (one event per field), then replies, notes,
notifications and webhooks. An action that is refused (a reply without a route, an agent who left)
is reported and the others still run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.accounts.models import STAFF_ROLES, Department, User
from pomoc.automation import placeholders
from pomoc.tickets import services as ticket_services
from pomoc.tickets.bulk import SPAM_TAG
from pomoc.tickets.models import MessageKind, Priority, Status, Ticket

# type: (label, kind of value)
ACTIONS = {
    "assign_department": (gettext_lazy("Assign to the department"), "department"),
    "assign_agent": (gettext_lazy("Assign to the agent (user name or e-mail; “me”, “nobody”)"), "agent"),
    "set_status": (gettext_lazy("Set the status"), "status"),
    "set_priority": (gettext_lazy("Set the priority"), "priority"),
    "set_field": (gettext_lazy("Set a custom field (key=value)"), "key_value"),
    "add_tag": (gettext_lazy("Add the tag"), "tag"),
    "remove_tag": (gettext_lazy("Remove the tag"), "tag"),
    "reply": (gettext_lazy("Reply to the customer (text with placeholders)"), "template"),
    "canned_reply": (gettext_lazy("Reply with a canned response (its name; shared or a department's)"), "canned"),
    "note": (gettext_lazy("Add an internal note"), "template"),
    "notify": (gettext_lazy("Notify agents (“assignee”, “department” or user names)"), "recipients"),
    "webhook": (gettext_lazy("Call a webhook (https:// address)"), "url"),
    "mark_spam": (gettext_lazy("Mark as spam (closed, tagged “spam”)"), "none"),
}
MACRO_ACTIONS = ("reply", "canned_reply", "set_status", "add_tag", "remove_tag", "assign_agent", "assign_department",
                 "set_priority", "set_field", "note")
ME, NOBODY = "me", "nobody"


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _agent(text: str) -> int | str:
    if text.lower() in (ME, NOBODY):
        return text.lower()
    found = (User.objects.filter(Q(username__iexact=text) | Q(email__iexact=text), role__in=STAFF_ROLES,
                                 is_active=True).values_list("pk", flat=True).first())
    if found is None and text.isdigit():
        found = User.objects.filter(pk=int(text), role__in=STAFF_ROLES, is_active=True).values_list(
            "pk", flat=True).first()
    if found is None:
        raise ValidationError(_("No active agent is called “%(value)s”.") % {"value": text})
    return found


def _canned_id(text: str) -> int:
    """A shared or department canned response by name (personal ones belong to one agent: no rule
    or shared macro may send them)."""
    from pomoc.automation.canned.models import CannedResponse, Scope

    found = (CannedResponse.objects.filter(name__iexact=text).exclude(scope=Scope.PERSONAL)
             .order_by("scope", "pk").values_list("pk", flat=True).first())
    if found is None and text.isdigit():
        found = CannedResponse.objects.filter(pk=int(text)).exclude(scope=Scope.PERSONAL).values_list(
            "pk", flat=True).first()
    if found is None:
        raise ValidationError(_("No shared or department canned response is called “%(value)s”.") % {"value": text})
    return found


def clean_value(kind: str, value, *, allowed_me: bool):
    from pomoc.automation.rules import conditions, webhooks

    text = str(value if value is not None else "").strip()
    if kind == "none":
        return ""
    if kind == "department":
        return conditions.clean_value("department", text)
    if kind == "agent":
        agent = _agent(text)
        if agent == ME and not allowed_me:
            raise ValidationError(_("“me” only means something in a macro; name the agent."))
        return agent
    if kind == "status":
        for key, label in Status.choices:
            if key != Status.SNOOZED and text.lower() in (key, str(label).lower()):
                return key
        raise ValidationError(_("Unknown status “%(value)s”.") % {"value": text})
    if kind == "priority":
        return conditions.clean_value("priority", text)
    if kind == "key_value":
        return conditions.clean_value("key_value", text)
    if kind == "tag":
        tag = " ".join(text.split()).lower()[:50]
        if not tag:
            raise ValidationError(_("Enter a tag."))
        return tag
    if kind == "template":
        if not text:
            raise ValidationError(_("Enter the text."))
        problem = placeholders.template_error(text)
        if problem:
            raise ValidationError(problem)
        return str(value).strip()[:10_000]
    if kind == "recipients":
        names = [part.strip() for part in text.split(",") if part.strip()]
        if not names:
            raise ValidationError(_("Say whom to notify."))
        for name in names:
            if name.lower() not in ("assignee", "department"):
                _agent(name)
        return ", ".join(names)
    if kind == "url":
        return webhooks.clean_url(text)
    if kind == "canned":
        return _canned_id(text)
    raise ValidationError(_("Unknown action."))


def clean(actions: Iterable[dict], *, allowed: Iterable[str] = tuple(ACTIONS), for_macro: bool = False) -> list[dict]:
    """Checked actions, normalised; at least one. A ValidationError names the action (1-based)."""
    allowed = tuple(allowed)
    cleaned = []
    for number, action in enumerate(actions, start=1):
        kind_name = action.get("type") if isinstance(action, dict) else None
        if kind_name not in ACTIONS or kind_name not in allowed:
            raise ValidationError(_("Action %(number)d: unknown action.") % {"number": number})
        label, kind = ACTIONS[kind_name]
        try:
            value = clean_value(kind, action.get("value"), allowed_me=for_macro)
        except ValidationError as error:
            raise ValidationError(_("Action %(number)d (%(action)s): %(problem)s")
                                  % {"number": number, "action": label, "problem": " ".join(error.messages)}) from None
        cleaned.append({"type": kind_name, "value": value})
    if not cleaned:
        raise ValidationError(_("Add at least one action."))
    return cleaned


def display_value(action: dict, names: dict) -> str:
    kind = ACTIONS.get(action.get("type"), ("", "none"))[1]
    value = action.get("value")
    if kind == "department":
        return names.get("department", {}).get(value, str(value))
    if kind == "agent" and isinstance(value, int):
        return names.get("agent", {}).get(value, str(value))
    if kind == "priority" and value in Priority.values:
        return str(Priority(value).label)
    if kind == "status" and value in Status.values:
        return str(Status(value).label)
    return str(value if value is not None else "")


def reference_names(actions: Iterable[dict]) -> dict:
    actions = list(actions)
    ids = [(a.get("type"), a.get("value")) for a in actions if isinstance(a.get("value"), int)]
    departments = {value for kind, value in ids if kind == "assign_department"}
    agents = {value for kind, value in ids if kind == "assign_agent"}
    names: dict = {}
    if departments:
        names["department"] = dict(Department.objects.filter(pk__in=departments).values_list("pk", "name"))
    if agents:
        names["agent"] = dict(User.objects.filter(pk__in=agents).values_list("pk", "username"))
    return names


# --- running ---------------------------------------------------------------------------------
def _changes(actions: list[dict], ticket: Ticket, actor, outcome: Outcome) -> dict:
    changes: dict = {}
    tags = None
    for action in actions:
        kind, value = action["type"], action["value"]
        try:
            if kind == "assign_department":
                department = Department.objects.filter(pk=value).first()
                if department is None:
                    raise ValidationError(_("the department was deleted"))
                changes["department"] = department
            elif kind == "assign_agent":
                if value == NOBODY:
                    changes["assignee"] = None
                elif value == ME:
                    changes["assignee"] = actor
                else:
                    agent = User.objects.filter(pk=value, role__in=STAFF_ROLES, is_active=True).first()
                    if agent is None:
                        raise ValidationError(_("the agent is no longer active"))
                    changes["assignee"] = agent
            elif kind == "set_status":
                changes["status"] = value
            elif kind == "set_priority":
                changes["priority"] = value
            elif kind == "set_field":
                key, _sep, field_value = value.partition("=")
                changes.setdefault("custom_fields", {})[key] = field_value
            elif kind in ("add_tag", "remove_tag", "mark_spam"):
                if tags is None:
                    tags = list(ticket.tags.order_by("name").values_list("name", flat=True))
                if kind == "remove_tag":
                    tags = [t for t in tags if t != value]
                else:
                    tag = SPAM_TAG if kind == "mark_spam" else value
                    tags = [*tags, tag] if tag not in tags else tags
                    if kind == "mark_spam":
                        changes["status"] = Status.CLOSED
            else:
                continue
            outcome.done.append(kind)
        except ValidationError as error:
            outcome.errors.append(f"{ACTIONS[kind][0]}: {' '.join(error.messages)}")
    if tags is not None:
        changes["tags"] = tags
    return changes


def _text(template: str, ticket: Ticket, agent) -> str:
    language = ticket.requester.language or None
    return placeholders.render(template, placeholders.context_for(ticket=ticket, agent=agent, language=language))


def _reply(*, ticket: Ticket, text: str, agent, automatic: bool) -> None:
    """Reply to the customer with the action's own text, its placeholders filled."""
    ticket_services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent,
                                body_text=_text(text, ticket, agent), automatic=automatic)


def _canned_reply(*, ticket: Ticket, canned_id, agent, automatic: bool) -> None:
    """Reply with a canned response: in the customer's language, placeholders filled, its attachments
    attached; counted as a use."""
    from pomoc.automation.canned.models import CannedResponse
    from pomoc.automation.canned.services import canned_render, canned_used

    canned = CannedResponse.objects.filter(pk=canned_id).first()
    if canned is None:
        raise ValidationError(_("the canned response was deleted"))
    text, html, attachments = canned_render(canned, ticket=ticket, agent=agent)
    ticket_services.message_add(ticket=ticket, kind=MessageKind.REPLY, actor=agent, body_text=text, body_html=html,
                                attachments=attachments, automatic=automatic)
    canned_used(canned=canned)


def _note(*, ticket: Ticket, text: str, agent) -> None:
    if agent is None:  # a rule: Pomoc itself writes it
        ticket_services.system_note_add(ticket=ticket, text=_text(text, ticket, None), channel=ticket.channel)
    else:
        ticket_services.message_add(ticket=ticket, kind=MessageKind.NOTE, actor=agent,
                                    body_text=_text(text, ticket, agent))


def notify_recipients(value: str, ticket: Ticket) -> list[User]:
    users: dict[int, User] = {}
    staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True)
    for name in (part.strip() for part in value.split(",")):
        if name.lower() == "assignee":
            if ticket.assignee_id:
                users.update({u.pk: u for u in staff.filter(pk=ticket.assignee_id)})
        elif name.lower() == "department":
            if ticket.department_id:
                users.update({u.pk: u for u in staff.filter(departments=ticket.department_id)})
        elif name:
            users.update({u.pk: u for u in staff.filter(Q(username__iexact=name) | Q(email__iexact=name))})
    return [u for u in users.values() if u.email]


def _notify(*, users: list[User], ticket: Ticket, reason: str) -> None:
    """Tell agents about ``ticket`` (the bell, the browser, and e-mail for those who chose it)."""
    from pomoc.notifications.models import NotificationKind
    from pomoc.notifications.services import notify

    notify(users, kind=NotificationKind.RULE, ticket=ticket, text=reason)


def execute(actions: list[dict], *, ticket: Ticket, actor=None, rule=None, reason: str = "",
            event: str = "") -> Outcome:
    """Run ``actions`` on ``ticket``. ``actor`` is the agent applying a macro (None for a rule, whose
    replies are written in the name of ``rule.author``). Call inside a transaction."""
    from pomoc.automation.rules import webhooks

    outcome = Outcome()
    changes = _changes(actions, ticket, actor, outcome)
    if changes:
        try:
            ticket = ticket_services.ticket_update(ticket=ticket, actor=actor, changes=changes)
        except ValidationError as error:
            outcome.errors.append(" ".join(error.messages))
    author = actor if actor is not None else getattr(rule, "author", None)
    for action in actions:
        kind, value = action["type"], action["value"]
        try:
            if kind in ("reply", "canned_reply"):
                if author is None or not author.is_agent_like:
                    raise ValidationError(_("nobody to write it in the name of: save the rule again"))
                if kind == "reply":
                    _reply(ticket=ticket, text=value, agent=author, automatic=actor is None)
                else:
                    _canned_reply(ticket=ticket, canned_id=value, agent=author, automatic=actor is None)
            elif kind == "note":
                _note(ticket=ticket, text=value, agent=actor)
            elif kind == "notify":
                _notify(users=notify_recipients(value, ticket), ticket=ticket, reason=reason)
            elif kind == "webhook":
                webhooks.webhook_queue(url=value, ticket=ticket, rule=rule, event=event)
            else:
                continue
            outcome.done.append(kind)
        except ValidationError as error:
            outcome.errors.append(f"{ACTIONS[kind][0]}: {' '.join(error.messages)}")
    return outcome
