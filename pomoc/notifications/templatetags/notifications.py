from django import template

from pomoc.notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/_follow.html", takes_context=True)
def follow_button(context, ticket):
    """Follow / Unfollow for the ticket page."""
    return {"ticket": ticket, "following": selectors.is_following(context["request"].user, ticket),
            "csrf_token": context.get("csrf_token")}
