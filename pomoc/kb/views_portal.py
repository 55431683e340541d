"""The knowledge base in the portal: open to everyone; internal articles and drafts only for agents."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from pomoc.kb import languages, rendering, selectors, services, view_counts
from pomoc.kb.models import Section
from pomoc.kb.permissions import access_file, access_published, is_agent
from pomoc.portal.context import portal_context

MAX_QUERY = 200


def _context(request, **extra) -> dict:
    return {**portal_context(request), "portal_section": "kb", **extra}


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@require_safe
def home(request):
    return render(request, "kb/home.html", _context(request, **selectors.home(request.user, _language())))


@require_safe
def section(request, pk: int, slug: str):
    item = get_object_or_404(Section.objects.select_related("category"), pk=pk)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    data = selectors.section_page(request.user, item, _language(), page=page)
    if not data["entries"] and page == 1 and not is_agent(request.user):
        raise Http404
    return render(request, "kb/section.html", _context(
        request, section=item, section_name=item.name_in(_language()),
        category_name=item.category.name_in(_language()), page=page, **data))


@require_safe
def article(request, language: str, slug: str):
    translation = access_published(request.user, language=language, slug=slug)
    version = translation.published_version
    if not is_agent(request.user):
        view_counts.count_view(translation.article_id)
    voted = str(translation.article_id) in request.session.get("kb_voted", [])
    return render(request, "kb/article.html", _context(
        request, translation=translation, article=translation.article, version=version,
        body=rendering.render(version.body),
        description=version.summary or rendering.plain_text(version.body)[:160],
        section_name=translation.article.section.name_in(language),
        category_name=translation.article.section.category.name_in(language),
        others=[{"language": t.language, "slug": t.slug, "name": languages.names().get(t.language, t.language)}
                for t in selectors.other_languages(request.user, translation)],
        related=selectors.related(request.user, translation), voted=voted,
        thanks=request.GET.get("thanks") == "1"))


@require_POST
def feedback(request, language: str, slug: str):
    translation = access_published(request.user, language=language, slug=slug)
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        return HttpResponseBadRequest(_("Answer yes or no."))
    voted = request.session.get("kb_voted", [])
    key = str(translation.article_id)
    if key not in voted:  # one answer per visit: a second click changes nothing
        services.feedback_add(article=translation.article, language=language, helpful=answer == "yes",
                              comment=request.POST.get("comment", ""), user=request.user)
        request.session["kb_voted"] = (voted + [key])[-200:]
    if request.headers.get("HX-Request"):
        return render(request, "kb/_thanks.html", {})
    return redirect(request.path.rsplit("feedback/", 1)[0] + "?thanks=1#feedback")


def _query(request) -> str:
    return (request.GET.get("q") or "").strip()[:MAX_QUERY]


@require_safe
def search_page(request):
    query = _query(request)
    hits = selectors.hits_for(request.user, query, _language()) if query else []
    return render(request, "kb/search.html", _context(request, query=query, hits=hits))


@require_safe
def suggest(request):
    """Suggestions as the visitor types (htmx, debounced): a few titles, or nothing."""
    from pomoc.search import selectors as search

    query = _query(request)
    hits = search.suggest(query, language=None, include_internal=is_agent(request.user), limit=6) \
        if len(query) >= 2 else []
    return render(request, "kb/_suggestions.html", {"hits": hits, "query": query})


@require_safe
def file(request, public_id: str, name: str):
    item = access_file(request.user, public_id)
    response = FileResponse(item.file.open("rb"), as_attachment=not item.is_image, filename=item.file_name,
                            content_type=item.content_type if item.is_image else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600" if not item.article.internal else "private, no-store"
    return response
