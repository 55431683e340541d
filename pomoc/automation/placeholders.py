"""Placeholders in the texts automation writes for people: canned responses, replies of macros and
rules, follow-ups. ``Hello {{ customer.first_name }}, ticket {{ ticket.number }} …``.

Rendered by Jinja2's ``SandboxedEnvironment`` over plain values only (strings, numbers): a template
reaches no Python object, no attribute beyond the names in ``PLACEHOLDERS``, no file and no import.
An unknown name renders as nothing (a customer never sees ``{{ … }}``); a template that cannot be
parsed is refused when it is saved (``template_error``). Filters and ``{% if %}`` work, so
``{{ customer.first_name | default("customer") }}`` or ``{% if ticket.priority == "Urgent" %}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from jinja2 import TemplateSyntaxError, Undefined
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT = 100_000  # characters: a loop in a template cannot fill the memory


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: object  # lazy translated text


PLACEHOLDERS = (
    Placeholder("customer.name", _("Customer's name")),
    Placeholder("customer.first_name", _("Customer's first name")),
    Placeholder("customer.last_name", _("Customer's last name")),
    Placeholder("customer.email", _("Customer's e-mail address")),
    Placeholder("customer.phone", _("Customer's phone number")),
    Placeholder("customer.company", _("Customer's company")),
    Placeholder("ticket.number", _("Ticket number")),
    Placeholder("ticket.subject", _("Ticket subject")),
    Placeholder("ticket.status", _("Ticket status")),
    Placeholder("ticket.priority", _("Ticket priority")),
    Placeholder("ticket.department", _("Ticket department")),
    Placeholder("ticket.created", _("Date the ticket was opened")),
    Placeholder("agent.name", _("Agent's name")),
    Placeholder("agent.first_name", _("Agent's first name")),
    Placeholder("agent.email", _("Agent's e-mail address")),
    Placeholder("organisation.name", _("Organisation name")),
)


class _Blank(Undefined):
    """An unknown name or attribute: empty, never an error and never the name itself."""

    def __str__(self) -> str:
        return ""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self


_environment = SandboxedEnvironment(undefined=_Blank, autoescape=False, keep_trailing_newline=True)


def template_error(text: str) -> str | None:
    """Why ``text`` cannot be used as a template (translated, with the line), or None."""
    try:
        _environment.parse(text)
    except TemplateSyntaxError as error:
        return str(_("Line %(line)s: %(problem)s")) % {"line": error.lineno, "problem": error.message}
    return None


def _split_name(name: str) -> tuple[str, str]:
    first, _space, last = name.strip().partition(" ")
    return first, last.strip()


def context_for(*, ticket=None, contact=None, agent=None, language: str | None = None) -> dict:
    """The values the placeholders read, as plain strings. ``contact`` defaults to the ticket's
    requester; labels (status, priority, dates) are in ``language`` (the customer's, when given)."""
    from pomoc.core.models import OrganisationSettings

    if contact is None and ticket is not None:
        contact = ticket.requester
    with override(language):
        customer = {"name": "", "first_name": "", "last_name": "", "email": "", "phone": "", "company": ""}
        if contact is not None:
            identities = {}
            for identity in contact.identities.all():
                identities.setdefault(identity.kind, identity.value)
            first, last = _split_name(contact.name)
            customer.update(name=contact.name, first_name=first, last_name=last,
                            email=identities.get("email", ""), phone=identities.get("phone", ""),
                            company=contact.company.name if contact.company_id else "")
        ticket_values = {"number": "", "subject": "", "status": "", "priority": "", "department": "", "created": ""}
        if ticket is not None:
            ticket_values.update(
                number=ticket.number, subject=ticket.subject, status=str(ticket.get_status_display()),
                priority=str(ticket.get_priority_display()),
                department=ticket.department.name if ticket.department_id else "",
                created=formats.date_format(timezone.localtime(ticket.created_at), "DATE_FORMAT"),
            )
        agent_values = {"name": "", "first_name": "", "email": ""}
        if agent is not None:
            agent_values.update(name=agent.display_name, first_name=agent.first_name or agent.display_name,
                                email=agent.email)
    return {"customer": customer, "ticket": ticket_values, "agent": agent_values,
            "organisation": {"name": OrganisationSettings.get().name}}


def render(text: str, context: dict) -> str:
    """``text`` with its placeholders filled from ``context`` (see ``context_for``). A template that
    cannot be parsed or fails while rendering comes back as it was written, so nothing is lost."""
    try:
        rendered = _environment.from_string(text).render(context)
    except Exception:  # noqa: BLE001 - a broken template must not stop a reply or a rule
        return text
    return rendered[:MAX_OUTPUT]
