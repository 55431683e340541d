"""The community inside the agent interface: the moderation queue, categories (administrators),
moderating a topic or reply, banning, turning a topic into a ticket."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pomoc.community import selectors, services
from pomoc.community.forms import CategoryForm
from pomoc.community.models import Ban, Category
from pomoc.community.permissions import access_reply, access_topic, configures, moderates
from pomoc.core.form_errors import add_service_errors, error_messages
from pomoc.tickets.permissions import PermissionDenied


def agent_only(view):
    """Agents moderate: everyone else gets 404, as for a page that is not there."""
    @login_required
    def wrapper(request, *args, **kwargs):
        if not moderates(request.user):
            raise Http404
        return view(request, *args, **kwargs)
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _back(request, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = fallback
    return redirect(target)


def _run(request, action, done: str) -> bool:
    try:
        action()
    except (PermissionDenied, ValidationError) as error:
        text = " ".join(sum(error_messages(error).values(), [])) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text or _("You may not do that."))
        return False
    messages.success(request, done)
    return True


@agent_only
@require_safe
def queue(request):
    return render(request, "community/agent/queue.html", {
        **selectors.moderation_queue(), "bans": Ban.objects.select_related("user").order_by("-created_at")[:50],
        "configures": configures(request.user)})


DONE = {
    "hide": gettext_lazy("Hidden from the community."), "show": gettext_lazy("Shown in the community again."),
    "approve": gettext_lazy("Approved: now public."), "lock": gettext_lazy("Locked."),
    "unlock": gettext_lazy("Unlocked."),
    "pin": gettext_lazy("Pinned."), "unpin": gettext_lazy("Unpinned."), "move": gettext_lazy("Moved."),
}


@agent_only
@require_POST
def topic_moderate(request, pk: int):
    item = access_topic(request.user, pk)
    action = request.POST.get("action", "")
    category = None
    if action == "move":
        category = Category.objects.filter(pk=request.POST.get("category") or 0).first() \
            if (request.POST.get("category") or "").isdigit() else None
    _run(request, lambda: services.topic_moderate(topic=item, actor=request.user, action=action, category=category),
         str(DONE.get(action, "")))
    return _back(request, reverse("community:topic", args=[item.pk]))


@agent_only
@require_POST
def reply_moderate(request, pk: int):
    found = access_reply(request.user, pk)
    action = request.POST.get("action", "")
    _run(request, lambda: services.reply_moderate(reply=found, actor=request.user, action=action),
         str(DONE.get(action, "")))
    return _back(request, reverse("community:topic", args=[found.topic_id]))


@agent_only
@require_POST
def to_ticket(request, pk: int):
    item = access_topic(request.user, pk)
    result = {}

    def make():
        result["ticket"] = services.topic_to_ticket(topic=item, actor=request.user)
    if _run(request, make, _("Ticket opened for the topic's author.")):
        return redirect("tickets:detail", result["ticket"].number)
    return _back(request, reverse("community:topic", args=[item.pk]))


@agent_only
@require_POST
def ban(request, user_id: int):
    person = get_object_or_404(get_user_model(), pk=user_id)
    if request.POST.get("undo"):
        _run(request, lambda: services.unban(user=person, actor=request.user), _("The ban is lifted."))
    else:
        _run(request, lambda: services.ban(user=person, actor=request.user, reason=request.POST.get("reason", "")),
             _("%(name)s may no longer post in the community.") % {"name": person.display_name})
    return _back(request, reverse("community:moderation"))


@agent_only
@require_http_methods(["GET", "POST"])
def categories(request, pk: int | None = None):
    """Administrators add and change the forum's categories; other agents see them."""
    editing = get_object_or_404(Category, pk=pk) if pk else None
    initial = {"name": editing.name, "slug": editing.slug, "description": editing.description,
               "position": editing.position} if editing else None
    form = CategoryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not configures(request.user):
            raise Http404
        if form.is_valid():
            try:
                services.category_save(actor=request.user, category=editing, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Category saved."))
                return redirect("community:categories")
        status = 400
    return render(request, "community/agent/categories.html", {
        "categories": selectors.categories(), "form": form, "editing": editing,
        "configures": configures(request.user)}, status=status)
