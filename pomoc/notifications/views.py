"""The notifications page, opening one, the preferences, following a ticket, mention suggestions."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pomoc.notifications import selectors, services, wording
from pomoc.notifications.forms import PreferencesForm
from pomoc.notifications.models import Notification
from pomoc.tickets.permissions import access_ticket
from pomoc.tickets.views_common import staff_required


@staff_required
@require_GET
def notification_list(request):
    items = selectors.recent_notifications(request.user)
    for item in items:
        item.headline = wording.headline(item)
        item.details = wording.details(item)
    return render(request, "notifications/list.html", {"notifications": items,
                                                       "unread": sum(1 for n in items if n.read_at is None)})


@staff_required
@require_GET
def notification_open(request, notification_id: int):
    notification = get_object_or_404(Notification.objects.select_related("ticket"), pk=notification_id,
                                     recipient=request.user)
    services.notifications_read(user=request.user, ids=[notification.pk])
    if notification.ticket_id:
        try:
            ticket = access_ticket(request.user, notification.ticket_id)
        except Http404:
            messages.info(request, _("You can no longer see that ticket."))
            return redirect("notifications:list")
        return redirect("tickets:detail", ticket.number)
    return redirect("notifications:list")


@staff_required
@require_POST
def notifications_read(request):
    services.notifications_read(user=request.user)
    return redirect("notifications:list")


@staff_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = selectors.preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_save(user=request.user, email_kinds=form.cleaned_data["email_kinds"],
                                      chat_ring=form.cleaned_data["chat_ring"])
            messages.success(request, _("Your notification preferences have been saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial={"email_kinds": current.email_kinds, "chat_ring": current.chat_ring})
    return render(request, "notifications/preferences.html", {"form": form})


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


@staff_required
@require_POST
def ticket_follow(request, ticket_id: int):
    ticket = access_ticket(request.user, ticket_id)
    follow = request.POST.get("follow") == "1"
    services.ticket_follow(user=request.user, ticket=ticket, follow=follow)
    if request.headers.get("HX-Request") == "true":
        return render(request, "notifications/_follow.html", {"ticket": ticket, "following": follow})
    return redirect(_back(request, reverse("tickets:detail", args=[ticket.number])))


@staff_required
@require_GET
def mention_suggestions(request, ticket_id: int):
    ticket = access_ticket(request.user, ticket_id)
    query = request.GET.get("q", "")[:50]
    users = selectors.mentionable(ticket, query)
    return JsonResponse({"agents": [{"username": u.username, "name": u.display_name} for u in users]})
