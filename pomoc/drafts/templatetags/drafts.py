from django import template

from pomoc.drafts import selectors

register = template.Library()


@register.inclusion_tag("drafts/_ticket_drafts.html", takes_context=True)
def ticket_drafts(context, ticket):
    """The agent's own drafts (restored by drafts.js) and the notice of the other agents' drafts."""
    user = context["request"].user
    return {"ticket": ticket, "drafts": selectors.ticket_drafts(user, ticket)}
