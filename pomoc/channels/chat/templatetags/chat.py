"""``{% chat_panel ticket %}``: the live chat beside a chat ticket (nothing for other tickets)."""

from __future__ import annotations

from django import template

from pomoc.accounts.models import Department, Role, User
from pomoc.channels.chat import selectors
from pomoc.channels.chat.browser import browser_of, place_of

register = template.Library()


@register.inclusion_tag("chat/_panel.html", takes_context=True)
def chat_panel(context, ticket):
    if ticket.channel != "chat":
        return {"conversation": None}
    conversation = selectors.conversation_of_ticket(ticket.pk)
    if conversation is None:
        return {"conversation": None}
    visitor = conversation.visitor
    user = context["request"].user
    return {
        "conversation": conversation, "visitor": visitor, "user": user,
        "lines": selectors.lines_after(conversation.pk, 0),
        "history": selectors.visitor_history(visitor, exclude_ticket=ticket.pk),
        "browser": browser_of(visitor.user_agent), "place": place_of(visitor.time_zone),
        "pages": list(reversed(visitor.pages[-10:])),
        "agents": User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR])
        .exclude(pk=user.pk).order_by("first_name", "last_name", "username")[:100],
        "departments": Department.objects.order_by("name")[:100],
        "csrf_token": context.get("csrf_token"),
    }
