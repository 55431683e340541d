"""Who may read and who may write knowledge-base content. Everything hidden answers 404, like a
missing page: a customer cannot tell an internal article or a draft from nothing."""

from __future__ import annotations

from django.http import Http404

from pomoc.accounts.models import Role
from pomoc.kb.models import Article, ArticleFile, Translation


def is_agent(user) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_agent_like", False))


def may_publish(user) -> bool:
    """Agents write and ask for review; supervisors and administrators publish."""
    return is_agent(user) and user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)


def readable_translations(user):
    """Published translations the user may read (internal articles only for agents)."""
    qs = Translation.objects.filter(published_version__isnull=False)
    if not is_agent(user):
        qs = qs.filter(article__internal=False)
    return qs


def access_published(user, *, language: str, slug: str) -> Translation:
    try:
        return (readable_translations(user).select_related("article", "article__section__category",
                                                         "published_version", "article__author")
                .get(language=language, slug=slug))
    except Translation.DoesNotExist:
        raise Http404 from None


def access_article_for_edit(user, pk: int) -> Article:
    if not is_agent(user):
        raise Http404
    try:
        return Article.objects.select_related("section__category", "author").get(pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None


def access_file(user, public_id: str) -> ArticleFile:
    """A file is public when its article is public and has a published translation; agents see all."""
    try:
        item = ArticleFile.objects.select_related("article").get(public_id=public_id)
    except ArticleFile.DoesNotExist:
        raise Http404 from None
    if is_agent(user):
        return item
    if item.article.internal or not item.article.translations.filter(published_version__isnull=False).exists():
        raise Http404
    return item
