"""The one place that decides who may see which ticket. Pages, API and websockets all use it."""

from django.db.models import Q, QuerySet
from django.http import Http404

from pomoc.accounts.models import STAFF_ROLES, Role, User
from pomoc.core.models import OrganisationSettings
from pomoc.core.text import text_problem
from pomoc.tickets.models import Attachment, Message, MessageKind, Ticket


class PermissionDenied(Exception):
    """The requester may see the object but not do this to it."""


def is_staff_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role != Role.CUSTOMER)


def sees_all_tickets(user, org: OrganisationSettings | None = None) -> bool:
    if not is_staff_user(user):
        return False
    org = org or OrganisationSettings.get()
    if user.role == Role.ADMINISTRATOR:
        return org.administrators_see_all_tickets
    if user.role == Role.SUPERVISOR:
        return org.supervisors_see_all_tickets
    return False


def ticket_visibility_q(user) -> Q | None:
    """A filter for the tickets ``user`` may see; None means all of them."""
    if not user or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.CUSTOMER:
        contact = getattr(user, "contact", None)
        return Q(requester=contact) if contact else Q(pk__in=[])
    org = OrganisationSettings.get()
    if sees_all_tickets(user, org):
        return None
    q = Q(department__in=user.departments.all()) | Q(assignee=user)
    if org.agents_see_unassigned_department_less:
        q |= Q(department__isnull=True)
    return q


def visible_tickets(user, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    qs = Ticket.objects.all() if queryset is None else queryset
    q = ticket_visibility_q(user)
    return qs if q is None else qs.filter(q)


def staff_who_can_see(ticket: Ticket) -> QuerySet:
    """The active staff users who may see ``ticket`` (``ticket_visibility_q`` the other way round):
    whom a mention may name and a notification may reach."""
    org = OrganisationSettings.get()
    users = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    if ticket.department_id is None and org.agents_see_unassigned_department_less:
        return users
    q = Q(pk__in=[ticket.assignee_id] if ticket.assignee_id else [])
    if ticket.department_id is not None:
        q |= Q(pk__in=User.departments.through.objects.filter(department_id=ticket.department_id)
               .values("user_id"))
    if org.administrators_see_all_tickets:
        q |= Q(role=Role.ADMINISTRATOR)
    if org.supervisors_see_all_tickets:
        q |= Q(role=Role.SUPERVISOR)
    return users.filter(q)


def access_ticket(user, ticket_id, *, for_update: bool = False) -> Ticket:
    """The ticket, if ``user`` may see it; Http404 otherwise (never reveals that it exists)."""
    try:
        ticket_id = int(ticket_id)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = visible_tickets(user)
    if for_update:
        qs = qs.select_for_update()
    ticket = qs.filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404
    return ticket


def access_ticket_by_number(user, number, queryset: QuerySet[Ticket] | None = None) -> Ticket:
    """The ticket numbered ``number`` if ``user`` may see it (404 otherwise), read from ``queryset``
    when given (one query whatever it joins)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise Http404 from None
    ticket = visible_tickets(user, queryset).filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


def visible_messages(user, ticket: Ticket):
    """Messages of a ticket the user already may see: customers never see internal notes."""
    qs = ticket.messages.all()
    if not is_staff_user(user):
        qs = qs.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
    return qs


def access_message(user, message_id) -> Message:
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        raise Http404 from None
    message = Message.objects.select_related("ticket").filter(pk=message_id).first()
    if message is None:
        raise Http404
    access_ticket(user, message.ticket_id)
    if not is_staff_user(user) and not message.is_public:
        raise Http404
    return message


def access_attachment(user, public_id: str) -> Attachment:
    public_id = str(public_id)
    if text_problem(public_id):  # a NUL (or worse) is no attachment's id, and PostgreSQL cannot compare it
        raise Http404
    attachment = Attachment.objects.select_related("message").filter(public_id=public_id).first()
    if attachment is None:
        raise Http404
    access_message(user, attachment.message_id)
    return attachment


def require_staff(user) -> None:
    if not is_staff_user(user):
        raise PermissionDenied("Only agents can do this.")


def require_can_work_on(user, ticket: Ticket) -> None:
    """Agents change tickets they can see; customers only add messages to their own."""
    require_staff(user)
