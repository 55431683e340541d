"""The forum's portal pages: thin views over the selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pomoc.community import editing, links, selectors, services, spam
from pomoc.community import files as post_files
from pomoc.community.access import login_url, signed_in_required
from pomoc.community.forms import ReplyEditForm, ReplyForm, TopicEditForm, TopicForm
from pomoc.community.models import Category, Subscription
from pomoc.community.permissions import access_reply, access_topic, is_banned, moderates
from pomoc.core.form_errors import add_service_errors, error_messages
from pomoc.portal.context import portal_context
from pomoc.tickets.permissions import PermissionDenied


def page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {**portal_context(request), "portal_section": "community",
                                      "moderator": moderates(request.user),
                                      "login_url": login_url(), **context}, status=status)


def refused(request, message: str, status: int) -> HttpResponse:
    return page(request, "community/refused.html", {"message": message}, status=status)


TOO_MANY = gettext_lazy("You have posted a lot in the last hour. Please wait a while before posting again.")


@require_safe
def home(request):
    category = None
    if request.GET.get("category"):
        category = get_object_or_404(Category, slug=request.GET["category"][:100])
    return page(request, "community/home.html", {
        "categories": selectors.categories(), "category": category,
        "topics": selectors.topic_page(request.user, category=category, page=request.GET.get("page")),
    })


@require_safe
def topic(request, pk: int):
    item = access_topic(request.user, pk)
    replies = selectors.topic_replies(request.user, item)
    user = request.user
    may_edit_topic, editable_replies = editing.editable(user, item, replies)
    return page(request, "community/topic.html", {
        "may_edit_topic": may_edit_topic, "editable_replies": editable_replies,
        "topic": item, "replies": replies, "reply_form": ReplyForm(),
        "voted_topic": selectors.voted_topic(user, item), "voted_replies": selectors.voted_replies(user, replies),
        "follows": selectors.follows(user, item), "banned": is_banned(user),
        "may_accept": moderates(user) or (user.is_authenticated and item.author_id == user.pk),
        "categories": selectors.categories() if moderates(user) else (), **_file_limits(),
    })


@signed_in_required
@require_http_methods(["GET", "POST"])
def topic_new(request):
    if is_banned(request.user):
        return refused(request, _("Your account may no longer post in the community."), 403)
    form = TopicForm(request.POST or None, initial={"category": request.GET.get("category")})
    if request.method == "POST":
        if form.is_bot():
            return refused(request, _("This post could not be accepted."), 400)
        if form.is_valid():
            try:
                created = services.topic_create(author=request.user, category=form.cleaned_data["category"],
                                                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                                                files=request.FILES.getlist("files"))
            except spam.TooManyPosts:
                return refused(request, str(TOO_MANY), 429)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created.held:
                    messages.info(request, _("Thanks! Your topic waits for a moderator because it contains links."))
                return redirect("community:topic", pk=created.pk)
        return page(request, "community/topic_new.html", {"form": form, **_file_limits()}, status=400)
    return page(request, "community/topic_new.html", {"form": form, **_file_limits()})


def _file_limits() -> dict:
    return {"max_files": post_files.max_files(), "max_file_mb": f"{post_files.max_bytes() / (1024 * 1024):g}"}


@signed_in_required
@require_POST
def reply(request, pk: int):
    item = access_topic(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_bot():
        return refused(request, _("This post could not be accepted."), 400)
    if not form.is_valid():
        return refused(request, _("Write something first."), 400)
    try:
        created = services.reply_create(topic=item, author=request.user, body=form.cleaned_data["body"],
                                        files=request.FILES.getlist("files"))
    except spam.TooManyPosts:
        return refused(request, str(TOO_MANY), 429)
    except PermissionDenied as error:
        return refused(request, str(error), 403)
    except ValidationError as error:
        return refused(request, " ".join(sum(error_messages(error).values(), [])), 400)
    if created.held:
        messages.info(request, _("Thanks! Your reply waits for a moderator because it contains links."))
    return redirect(f"{item_url(item)}#reply-{created.pk}")


def item_url(item) -> str:
    from django.urls import reverse

    return reverse("community:topic", args=[item.pk])


def _act(request, action) -> HttpResponse | None:
    try:
        action()
    except PermissionDenied as error:
        return refused(request, str(error) or _("You may not do that."), 403)
    except ValidationError as error:
        return refused(request, " ".join(sum(error_messages(error).values(), [])), 400)
    return None


@signed_in_required
@require_POST
def topic_vote(request, pk: int):
    item = access_topic(request.user, pk)
    return _act(request, lambda: services.topic_vote_toggle(topic=item, user=request.user)) or redirect(item_url(item))


@signed_in_required
@require_POST
def reply_vote(request, pk: int):
    found = access_reply(request.user, pk)
    refusal = _act(request, lambda: services.reply_vote_toggle(reply=found, user=request.user))
    return refusal or redirect(f"{item_url(found.topic)}#reply-{found.pk}")


@signed_in_required
@require_POST
def accept(request, pk: int):
    item = access_topic(request.user, pk)
    chosen = access_reply(request.user, request.POST["reply"]) if request.POST.get("reply") else None
    return _act(request, lambda: services.answer_accept(topic=item, reply=chosen, actor=request.user)) \
        or redirect(item_url(item))


@signed_in_required
@require_POST
def follow(request, pk: int):
    item = access_topic(request.user, pk)
    following = services.subscription_toggle(topic=item, user=request.user)
    messages.success(request, _("You follow this topic: new replies come by e-mail.") if following
                     else _("You no longer follow this topic."))
    return redirect(item_url(item))


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """From the link in a notice: a page with one button (mail scanners follow links, never submit)."""
    subscription_id = links.subscription_id(token)
    if subscription_id is None:
        raise Http404
    subscription = Subscription.objects.select_related("topic").filter(pk=subscription_id).first()
    if request.method == "POST":
        services.unsubscribe(subscription_id)
        return page(request, "community/unsubscribe.html", {"done": True, "subscription": subscription})
    return page(request, "community/unsubscribe.html", {"done": subscription is None, "subscription": subscription})


def edit_page(request, *, post, form, heading: str, back: str, refusal: str | None, save):
    """The edit page of a topic, reply or idea: the form (text, the current files to remove, new ones
    to add), and the earlier versions for moderators. ``save(cleaned_data, uploads)`` edits."""
    if refusal:
        return refused(request, refusal, 403)
    status = 200
    if request.method == "POST":
        if form.is_bot():
            return refused(request, _("This post could not be accepted."), 400)
        if form.is_valid():
            try:
                saved = save(form.cleaned_data, request.FILES.getlist("files"))
            except PermissionDenied as error:
                return refused(request, str(error), 403)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if saved.held and not moderates(request.user):
                    messages.info(request, _("Saved. It waits for a moderator because it now contains links."))
                else:
                    messages.success(request, _("Your changes are saved."))
                return redirect(back)
        status = 400
    return page(request, "community/edit.html", {
        "form": form, "post": post, "heading": heading, "back": back, **_file_limits(),
        "revisions": editing.revisions(post) if moderates(request.user) else ()}, status=status)


@signed_in_required
@require_http_methods(["GET", "POST"])
def topic_edit(request, pk: int):
    item = access_topic(request.user, pk)
    form = TopicEditForm(request.POST or None, initial={"title": item.title, "body": item.body},
                         post_files=item.files.all())
    return edit_page(request, post=item, form=form, heading=_("Edit the topic"), back=item_url(item),
                     refusal=editing.topic_edit_refusal(item, request.user),
                     save=lambda data, uploads: editing.topic_edit(
                         topic=item, actor=request.user, title=data["title"], body=data["body"], add_files=uploads,
                         remove_files=data["remove_files"]))


@signed_in_required
@require_http_methods(["GET", "POST"])
def reply_edit(request, pk: int):
    found = access_reply(request.user, pk)
    form = ReplyEditForm(request.POST or None, initial={"body": found.body}, post_files=found.files.all())
    return edit_page(request, post=found, form=form, heading=_("Edit the reply"),
                     back=f"{item_url(found.topic)}#reply-{found.pk}",
                     refusal=editing.reply_edit_refusal(found, request.user),
                     save=lambda data, uploads: editing.reply_edit(
                         reply=found, actor=request.user, body=data["body"], add_files=uploads,
                         remove_files=data["remove_files"]))


@require_safe
def post_file(request, public_id: str):
    """A file of a topic, reply or idea, to whoever may see the post (404 otherwise, as for a missing one)."""
    return post_files.file_response(post_files.access_post_file(request.user, public_id))
