"""Reads for the knowledge-base pages. Each page costs a fixed handful of queries, whatever the
number of articles (tests in ``tests/test_query_costs.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from pomoc.kb import languages
from pomoc.kb.models import Article, Category, Section, Translation
from pomoc.kb.permissions import is_agent, readable_translations
from pomoc.search import selectors as search

POPULAR = 8


@dataclass
class Entry:
    """An article as listed: the translation a visitor reads, with its published title."""

    article: Article
    translation: Translation

    @property
    def title(self) -> str:
        return self.translation.published_version.title

    @property
    def summary(self) -> str:
        return self.translation.published_version.summary

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("kb:article", args=[self.translation.language, self.translation.slug])


def _entries(user, article_ids: list[int], language: str) -> list[Entry]:
    """The best readable translation of each article, in the order of ``article_ids``."""
    found: dict[int, list[Translation]] = {}
    for t in (readable_translations(user).filter(article_id__in=article_ids)
              .select_related("article", "published_version")
              .only("id", "language", "slug", "article__id", "article__kind", "article__internal",
                    "article__view_count", "published_version__title", "published_version__summary")):
        found.setdefault(t.article_id, []).append(t)
    out = []
    for pk in article_ids:
        if pk in found:
            chosen = languages.best(found[pk], language)
            out.append(Entry(article=chosen.article, translation=chosen))
    return out


def _readable_articles(user):
    qs = Article.objects.filter(translations__published_version__isnull=False)
    if not is_agent(user):
        qs = qs.filter(internal=False)
    return qs


def home(user, language: str) -> dict:
    """Categories with their sections (and how many articles each holds), and the popular articles."""
    counts = dict(_readable_articles(user).values("section").annotate(n=Count("id", distinct=True))
                  .values_list("section", "n"))
    categories = []
    for category in Category.objects.prefetch_related("sections"):
        sections = [{"section": s, "name": s.name_in(language), "count": counts.get(s.pk, 0)}
                    for s in category.sections.all() if counts.get(s.pk)]
        if sections:
            categories.append({"category": category, "name": category.name_in(language),
                               "description": category.description_in(language), "sections": sections})
    popular_ids = list(_readable_articles(user).order_by("-view_count", "id").values_list("id", flat=True)
                       .distinct()[:POPULAR])
    return {"categories": categories, "popular": _entries(user, popular_ids, language)}


def section_page(user, section: Section, language: str, *, page: int = 1, per_page: int = 50) -> dict:
    ids = list(_readable_articles(user).filter(section=section).order_by("-view_count", "id")
               .values_list("id", flat=True).distinct()[(page - 1) * per_page: page * per_page + 1])
    return {"entries": _entries(user, ids[:per_page], language), "has_next": len(ids) > per_page}


def related(user, translation: Translation, *, limit: int = 5) -> list[Entry]:
    """Articles of the same section or sharing a tag, then ones search finds by the title."""
    article = translation.article
    same = _readable_articles(user).exclude(pk=article.pk)
    condition = Q(section_id=article.section_id)
    for tag in article.tags[:5]:
        condition |= Q(tags__contains=tag) if _json_contains_supported() else Q()
    ids = list(same.filter(condition).order_by("-view_count", "id").values_list("id", flat=True).distinct()[:limit])
    if len(ids) < limit:
        for hit in search.search(translation.published_version.title, kinds=["article"],
                                 include_internal=is_agent(user), limit=limit * 2):
            pk = int(hit.key.split(":")[0])
            if pk != article.pk and pk not in ids:
                ids.append(pk)
            if len(ids) >= limit:
                break
    return _entries(user, ids, translation.language)


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def other_languages(user, translation: Translation) -> list[Translation]:
    return list(readable_translations(user).filter(article_id=translation.article_id)
                .exclude(pk=translation.pk).only("language", "slug"))


def hits_for(user, query: str, language: str, *, limit: int = 20) -> list:
    """The portal search: the visitor's language first; every language when that finds nothing.
    One hit per article (its best language)."""
    include_internal = is_agent(user)
    hits = search.search(query, language=language, include_internal=include_internal, limit=limit)
    if not hits:
        hits = search.search(query, include_internal=include_internal, limit=limit)
    seen, out = set(), []
    for hit in hits:
        ident = (hit.kind, hit.key.split(":")[0]) if hit.kind == "article" else (hit.kind, hit.key)
        if ident not in seen:
            seen.add(ident)
            out.append(hit)
    return out


def agent_list(*, status: str = "", language: str = "", query: str = "", limit: int = 200) -> list[Translation]:
    qs = Translation.objects.select_related("article__section__category", "updated_by").order_by("-updated_at")
    if status:
        qs = qs.filter(status=status)
    if language:
        qs = qs.filter(language=language)
    if query:
        qs = qs.filter(title__icontains=query)
    return list(qs[:limit])
