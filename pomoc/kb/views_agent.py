"""The authors' pages in the agent interface: the article list, the editor with preview, review and
publication, versions, files, categories and sections, and the article-link search of the composer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pomoc.core.form_errors import add_service_errors
from pomoc.kb import languages, rendering, selectors, services
from pomoc.kb.forms import ArticleForm, ArticleSettingsForm, CategoryForm, NewArticleForm, SectionForm
from pomoc.kb.models import Category, Section, Status, Translation
from pomoc.kb.permissions import access_article_for_edit, may_publish
from pomoc.search import selectors as search
from pomoc.tickets.views_common import staff_required

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


@staff_required
@require_GET
def article_list(request):
    status = request.GET.get("status", "")
    language = request.GET.get("language", "")
    query = (request.GET.get("q") or "").strip()[:200]
    status = status if status in Status.values else ""
    language = language if language in LANGUAGE_CODES else ""
    return render(request, "kb/manage/list.html", {
        "translations": selectors.agent_list(status=status, language=language, query=query),
        "status": status, "language": language, "query": query, "statuses": Status.choices,
        "languages": settings.LANGUAGES, "has_sections": Section.objects.exists(),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def article_new(request):
    if not Section.objects.exists():
        messages.info(request, _("Create a category and a section first."))
        return redirect("kb:structure")
    first = Section.objects.order_by("category__position", "position", "id").first()
    form = NewArticleForm(request.POST or None, initial={"language": request.LANGUAGE_CODE, "section": first})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            translation = services.article_create(
                section=data["section"], author=request.user, language=data["language"], title=data["title"],
                summary=data["summary"], body=data["body"], kind=data["kind"], tags=data["tags"],
                internal=data["internal"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("kb:edit", translation.article_id, translation.language)
    return render(request, "kb/manage/new.html", {"form": form})


def _translation_or_none(article, language: str) -> Translation | None:
    if language not in LANGUAGE_CODES:
        raise Http404
    return article.translations.filter(language=language).select_related("published_version").first()


@staff_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int, language: str):
    """One translation's editor; a language the article lacks starts from the article's first one."""
    article = access_article_for_edit(request.user, pk)
    translation = _translation_or_none(article, language)
    source = translation or article.translations.order_by("id").first()
    initial = {"title": source.title, "summary": source.summary, "body": source.body} if source else {}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.translation_save(article=article, language=language, title=data["title"],
                                      summary=data["summary"], body=data["body"], author=request.user,
                                      note=data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("kb:edit", article.pk, language)
    existing = {t.language: t for t in article.translations.all()}
    return render(request, "kb/manage/edit.html", {
        "article": article, "translation": translation, "language": language, "form": form,
        "language_name": languages.names()[language],
        "tabs": [{"code": code, "name": languages.names()[code], "translation": existing.get(code)}
                 for code in LANGUAGE_CODES],
        "versions": list(translation.versions.select_related("author")[:30]) if translation else [],
        "files": list(article.files.all()), "may_publish": may_publish(request.user),
        "settings_form": ArticleSettingsForm(initial={
            "section": article.section_id, "kind": article.kind, "tags": ", ".join(article.tags),
            "internal": article.internal}),
        "feedback": list(article.feedback.all()[:20]),
        "public_url": reverse("kb:article", args=[language, translation.slug])
        if translation and translation.published_version_id else "",
    })


@staff_required
@require_POST
def workflow(request, pk: int, language: str, action: str):
    article = access_article_for_edit(request.user, pk)
    translation = _translation_or_none(article, language)
    if translation is None:
        raise Http404
    steps = {"submit": services.translation_submit, "publish": services.translation_publish,
             "unpublish": services.translation_unpublish}
    if action == "delete":
        try:
            services.article_delete(article=article, actor=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("kb:edit", pk, language)
        messages.success(request, _("The article is deleted."))
        return redirect("kb:manage")
    if action not in steps:
        raise Http404
    try:
        steps[action](translation=translation, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, {"submit": _("Sent for review."), "publish": _("Published."),
                                   "unpublish": _("Taken off the portal.")}[action])
    return redirect("kb:edit", pk, language)


@staff_required
@require_POST
def restore(request, pk: int, language: str, number: int):
    article = access_article_for_edit(request.user, pk)
    translation = _translation_or_none(article, language)
    if translation is None:
        raise Http404
    version = get_object_or_404(translation.versions, number=number)
    services.version_restore(version=version, actor=request.user)
    messages.success(request, _("Version %(n)d is the working copy again; publish it to show it.") % {"n": number})
    return redirect("kb:edit", pk, language)


@staff_required
@require_POST
def article_settings(request, pk: int):
    article = access_article_for_edit(request.user, pk)
    form = ArticleSettingsForm(request.POST)
    back = request.POST.get("language") if request.POST.get("language") in LANGUAGE_CODES else LANGUAGE_CODES[0]
    if form.is_valid():
        services.article_update(article=article, section=form.cleaned_data["section"], kind=form.cleaned_data["kind"],
                                tags=form.cleaned_data["tags"], internal=form.cleaned_data["internal"])
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Check the article's settings."))
    return redirect("kb:edit", article.pk, back)


@staff_required
@require_POST
def file_upload(request, pk: int):
    article = access_article_for_edit(request.user, pk)
    upload = request.FILES.get("file")
    back = request.POST.get("language") if request.POST.get("language") in LANGUAGE_CODES else LANGUAGE_CODES[0]
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            item = services.file_add(article=article, upload=upload, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Uploaded. Copy its Markdown into the text: %(code)s")
                             % {"code": _markdown_for(item)})
    return redirect("kb:edit", article.pk, back)


def _markdown_for(item) -> str:
    url = reverse("kb:file", args=[item.public_id, item.file_name])
    return f"![{item.file_name}]({url})" if item.is_image else f"[{item.file_name}]({url})"


@staff_required
@require_POST
def preview(request):
    body = request.POST.get("body", "")
    if len(body) > services.MAX_BODY:
        return HttpResponseBadRequest(_("The text is too long."))
    return render(request, "kb/manage/_preview.html", {"body": rendering.render(body)})


@staff_required
@require_http_methods(["GET", "POST"])
def structure(request):
    category_form = CategoryForm(request.POST if request.POST.get("what") == "category" else None, prefix="c")
    section_form = SectionForm(request.POST if request.POST.get("what") == "section" else None, prefix="s")
    if request.method == "POST":
        form = category_form if request.POST.get("what") == "category" else section_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is category_form:
                    services.category_create(names={data["language"]: data["name"]})
                else:
                    services.section_create(category=data["category"], names={data["language"]: data["name"]})
            except ValidationError as error:
                add_service_errors(form, error, aliases={"names": "name", "slug": "name"})
            else:
                messages.success(request, _("Saved."))
                return redirect("kb:structure")
    return render(request, "kb/manage/structure.html", {
        "categories": Category.objects.prefetch_related("sections"), "category_form": category_form,
        "section_form": section_form, "language": request.LANGUAGE_CODE})


@staff_required
@require_GET
def link_search(request):
    """The composer's "Insert article link": published articles matching the words typed."""
    query = (request.GET.get("q") or "").strip()[:200]
    hits = search.suggest(query, kinds=["article"], include_internal=False, limit=8) if query else []
    return render(request, "kb/manage/_links.html", {"hits": hits, "query": query})
