"""The agent side of live chat: the live chats and queue (every agent sees their departments', a
supervisor all), visitors on the site now (invite, block), and the chat actions of the ticket page
(accept, transfer, invite a second agent, end)."""

from __future__ import annotations

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.accounts.models import Department, Role, User
from pomoc.channels.chat import selectors, services
from pomoc.channels.chat.groups import visitor_group
from pomoc.channels.chat.models import Conversation, Visitor
from pomoc.channels.models import Inbox
from pomoc.core.realtime import publish_on_commit
from pomoc.tickets import permissions
from pomoc.tickets.views_common import staff_required


def _department_ids(user) -> list[int] | None:
    """None: every department (supervisors and administrators, or who sees all tickets)."""
    if user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR) or permissions.sees_all_tickets(user):
        return None
    return list(user.departments.values_list("pk", flat=True))


def access_conversation(user, conversation_id: int) -> Conversation:
    """The conversation when ``user`` may see its ticket; 404 for hidden and missing alike."""
    conversation = Conversation.objects.filter(pk=conversation_id).select_related(
        "visitor", "inbox", "ticket", "agent").first()
    if conversation is None or conversation.ticket_id is None:
        raise Http404
    permissions.access_ticket(user, conversation.ticket_id)
    return conversation


def access_visitor(user, visitor_id: int) -> Visitor:
    visitor = Visitor.objects.filter(pk=visitor_id).select_related("inbox").first()
    departments = _department_ids(user)
    if visitor is None or (departments is not None and visitor.inbox.department_id not in departments):
        raise Http404
    return visitor


def _back(request, conversation: Conversation | None = None):
    if conversation is not None and conversation.ticket_id:
        return redirect("tickets:detail", number=conversation.ticket.number)
    return redirect("chat:live")


@staff_required
def live(request):
    departments = _department_ids(request.user)
    chats = selectors.live_chats(departments)
    queued = [c for c in chats if c.status == "queued"]
    lengths: dict = {}
    for chat in queued:
        lengths[chat.department] = lengths.get(chat.department, 0) + 1
    return render(request, "chat/live.html", {
        "chats": chats, "queued": queued, "open": [c for c in chats if c.status == "open"],
        "queue_lengths": sorted(lengths.items(), key=lambda item: item[0].name if item[0] else ""),
        "mine": selectors.open_chats_of(request.user.pk),
        "supervisor": departments is None,
    })


@staff_required
def visitors(request):
    departments = _department_ids(request.user)
    inboxes = Inbox.objects.filter(kind="chat", active=True)
    if departments is not None:
        inboxes = inboxes.filter(department_id__in=departments)
    return render(request, "chat/visitors.html",
                  {"visitors": selectors.visitors_now(list(inboxes.values_list("pk", flat=True)))})


@staff_required
@require_POST
def visitor_invite(request, visitor: int):
    found = access_visitor(request.user, visitor)
    message = (request.POST.get("message") or "").strip()[:500] or _("Hello! Can I help you?")
    publish_on_commit([([visitor_group(found.pk)], {"type": "invite", "message": message,
                                                    "name": request.user.display_name})])
    return redirect("chat:visitors")


@staff_required
@require_POST
def visitor_block(request, visitor: int):
    found = access_visitor(request.user, visitor)
    services.visitor_block(visitor=found, actor=request.user)
    following = request.POST.get("next", "")
    return redirect(following if following.startswith("/") and not following.startswith("//") else "chat:visitors")


@staff_required
@require_POST
def accept(request, conversation: int):
    found = access_conversation(request.user, conversation)
    try:
        services.conversation_accept(conversation=found, agent=request.user)
    except services.Refused as refused:
        return HttpResponseBadRequest(refused.message)
    return _back(request, found)


@staff_required
@require_POST
def transfer(request, conversation: int):
    found = access_conversation(request.user, conversation)
    target = request.POST.get("to", "")
    try:
        if target.startswith("agent:"):
            agent = User.objects.filter(pk=int(target[6:]), is_active=True).exclude(role=Role.CUSTOMER).first()
            if agent is None:
                raise services.Refused("target", _("Choose an agent or a department."))
            services.conversation_transfer(conversation=found, actor=request.user, agent=agent)
        elif target.startswith("department:"):
            department = Department.objects.filter(pk=int(target[11:])).first()
            services.conversation_transfer(conversation=found, actor=request.user, department=department)
        else:
            raise services.Refused("target", _("Choose an agent or a department."))
    except (ValueError, services.Refused) as exc:
        return HttpResponseBadRequest(getattr(exc, "message", _("Choose an agent or a department.")))
    return _back(request, found)


@staff_required
@require_POST
def invite_agent(request, conversation: int):
    found = access_conversation(request.user, conversation)
    try:
        agent = User.objects.filter(pk=int(request.POST.get("agent", "")), is_active=True).exclude(
            role=Role.CUSTOMER).first()
    except ValueError:
        agent = None
    if agent is None:
        return HttpResponseBadRequest(_("Choose an agent."))
    services.conversation_invite(conversation=found, actor=request.user, agent=agent)
    return _back(request, found)


@staff_required
@require_POST
def end(request, conversation: int):
    found = access_conversation(request.user, conversation)
    services.conversation_end(conversation=found, by_visitor=False, actor=request.user)
    return _back(request, found)
