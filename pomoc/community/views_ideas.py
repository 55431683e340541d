"""Ideas: the portal pages for customers, and the agents' controls (status, answer, merge)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pomoc.community import editing, idea_services, selectors, spam
from pomoc.community.access import signed_in_required
from pomoc.community.forms import IdeaEditForm, IdeaForm, IdeaStatusForm
from pomoc.community.models import IdeaStatus
from pomoc.community.permissions import access_idea, is_banned, moderates
from pomoc.community.views import TOO_MANY, _act, _file_limits, edit_page, page, refused
from pomoc.community.views_agent import agent_only
from pomoc.core.form_errors import add_service_errors


def idea_page(request, template, context, status=200):
    return page(request, template, {"portal_section": "ideas", **context}, status=status)


@require_safe
def home(request):
    status, sort = request.GET.get("status", ""), request.GET.get("sort", "top")
    ideas = selectors.idea_page(request.user, status=status, sort=sort, page=request.GET.get("page"))
    return idea_page(request, "ideas/home.html", {
        "ideas": ideas, "voted": selectors.voted_ideas(request.user, ideas.object_list),
        "statuses": IdeaStatus.choices, "status": status, "sort": sort if sort in selectors.IDEA_SORTS else "top"})


@require_safe
def idea(request, pk: int):
    item = access_idea(request.user, pk)
    if item.merged_into_id is not None and not moderates(request.user):
        return redirect("ideas:idea", pk=item.merged_into_id)
    return idea_page(request, "ideas/idea.html", {
        "idea": item, "files": list(item.files.all()), "voted": bool(selectors.voted_ideas(request.user, [item])),
        "banned": is_banned(request.user),
        "status_form": IdeaStatusForm(initial={"status": item.status, "answer": item.official_answer}),
        "statuses": IdeaStatus, "may_edit": request.user.is_authenticated
        and editing.idea_edit_refusal(item, request.user) is None})


@signed_in_required
@require_http_methods(["GET", "POST"])
def new(request):
    if is_banned(request.user):
        return refused(request, _("Your account may no longer post in the community."), 403)
    form = IdeaForm(request.POST or None)
    if request.method == "POST":
        if form.is_bot():
            return refused(request, _("This post could not be accepted."), 400)
        if form.is_valid():
            try:
                created = idea_services.idea_create(author=request.user, title=form.cleaned_data["title"],
                                                    body=form.cleaned_data["body"],
                                                    files=request.FILES.getlist("files"))
            except spam.TooManyPosts:
                return refused(request, str(TOO_MANY), 429)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created.held:
                    messages.info(request, _("Thanks! Your idea waits for a moderator because it contains links."))
                return redirect("ideas:idea", pk=created.pk)
        return idea_page(request, "ideas/new.html", {"form": form, **_file_limits()}, status=400)
    return idea_page(request, "ideas/new.html", {"form": form, **_file_limits()})


@signed_in_required
@require_POST
def vote(request, pk: int):
    item = access_idea(request.user, pk)
    refusal = _act(request, lambda: idea_services.idea_vote_toggle(idea=item, user=request.user))
    if refusal:
        return refusal
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else
                    reverse("ideas:idea", args=[item.pk]))


@agent_only
@require_POST
def manage(request, pk: int):
    item = access_idea(request.user, pk)
    action = request.POST.get("action", "status")
    if action in ("hide", "show", "approve"):
        refusal = _act(request, lambda: idea_services.idea_moderate(idea=item, actor=request.user, action=action))
    elif action == "merge":
        target_id = (request.POST.get("target") or "").strip().lstrip("#")
        try:
            target = access_idea(request.user, target_id)
        except Http404:
            messages.error(request, _("There is no idea with that number."))
            return redirect("ideas:idea", pk=item.pk)
        refusal = _act(request, lambda: idea_services.idea_merge(source=item, target=target, actor=request.user))
        if not refusal:
            messages.success(request, _("Merged: the votes moved to this idea."))
            return redirect("ideas:idea", pk=target.pk)
    else:
        form = IdeaStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the statuses."))
            return redirect("ideas:idea", pk=item.pk)
        refusal = _act(request, lambda: idea_services.idea_status_set(
            idea=item, actor=request.user, status=form.cleaned_data["status"], answer=form.cleaned_data["answer"]))
        if not refusal:
            messages.success(request, _("Status saved; the voters are told by e-mail."))
    return refusal or redirect("ideas:idea", pk=item.pk)


@signed_in_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    item = access_idea(request.user, pk)
    form = IdeaEditForm(request.POST or None, initial={"title": item.title, "body": item.body},
                        post_files=item.files.all())
    return edit_page(request, post=item, form=form, heading=_("Edit the idea"),
                     back=reverse("ideas:idea", args=[item.pk]),
                     refusal=editing.idea_edit_refusal(item, request.user),
                     save=lambda data, uploads: editing.idea_edit(
                         idea=item, actor=request.user, title=data["title"], body=data["body"], add_files=uploads,
                         remove_files=data["remove_files"]))
