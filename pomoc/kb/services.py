"""Every write of the knowledge base. The search index follows each commit (``transaction.on_commit``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pomoc.kb import rendering
from pomoc.kb.models import Article, ArticleFile, ArticleVersion, Category, Feedback, Section, Status, Translation
from pomoc.kb.permissions import may_publish
from pomoc.search import services as search_index
from pomoc.search.text import fold

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
MAX_BODY = 200_000
MAX_COMMENT = 2000
IMAGE_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8"}


def clean_slug(text: str, *, fallback: str = "article") -> str:
    """``Přihlášení do účtu`` → ``prihlaseni-do-uctu``: ASCII, readable in every language."""
    return slugify(fold(text))[:100].strip("-") or fallback


def _unique_slug(language: str, title: str, *, exclude_pk: int | None = None) -> str:
    base = clean_slug(title)
    taken = set(Translation.objects.filter(language=language, slug__startswith=base)
                .exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _tags(tags: Iterable[str]) -> list[str]:
    return sorted({t.strip().lower()[:40] for t in tags if t and t.strip()})[:20]


def category_create(*, names: dict[str, str], slug: str = "", position: int = 0,
                    descriptions: dict[str, str] | None = None) -> Category:
    names = {k: v.strip() for k, v in names.items() if k in LANGUAGE_CODES and v and v.strip()}
    if not names:
        raise ValidationError({"names": _("Give the category a name.")})
    slug = slug or clean_slug(next(iter(names.values())), fallback="category")
    if Category.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("A category with this address exists already.")})
    return Category.objects.create(names=names, slug=slug, position=position, descriptions=descriptions or {})


def section_create(*, category: Category, names: dict[str, str], slug: str = "", position: int = 0) -> Section:
    names = {k: v.strip() for k, v in names.items() if k in LANGUAGE_CODES and v and v.strip()}
    if not names:
        raise ValidationError({"names": _("Give the section a name.")})
    slug = slug or clean_slug(next(iter(names.values())), fallback="section")
    if Section.objects.filter(category=category, slug=slug).exists():
        raise ValidationError({"slug": _("A section with this address exists already in this category.")})
    return Section.objects.create(category=category, names=names, slug=slug, position=position)


def _check_text(*, language: str, title: str, body: str) -> None:
    errors = {}
    if language not in LANGUAGE_CODES:
        errors["language"] = _("Choose one of the site's languages.")
    if not title.strip():
        errors["title"] = _("Give the article a title.")
    if len(body) > MAX_BODY:
        errors["body"] = _("The text is too long (at most %(n)d characters).") % {"n": MAX_BODY}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def article_create(*, section: Section, author, language: str, title: str, body: str = "", summary: str = "",
                   kind: str = "howto", tags: Iterable[str] = (), internal: bool = False) -> Translation:
    """A new article with its first translation (a draft, version 1)."""
    _check_text(language=language, title=title, body=body)
    article = Article.objects.create(section=section, kind=kind, internal=internal, tags=_tags(tags), author=author)
    return translation_save(article=article, language=language, title=title, summary=summary, body=body,
                            author=author)


@transaction.atomic
def article_update(*, article: Article, section: Section, kind: str, tags: Iterable[str], internal: bool) -> Article:
    """Where the article lives and who may read it; applies to every language at once."""
    article.section, article.kind, article.tags, article.internal = section, kind, _tags(tags), internal
    article.save(update_fields=["section", "kind", "tags", "internal"])
    _reindex_on_commit(article.pk)
    return article


@transaction.atomic
def translation_save(*, article: Article, language: str, title: str, body: str, summary: str = "",
                     author=None, note: str = "") -> Translation:
    """Save the working copy of ``article`` in ``language`` (created when new) as a new version.
    A changed published translation goes back to draft; visitors keep reading the published version
    until it is published again."""
    _check_text(language=language, title=title, body=body)
    title, summary = title.strip()[:200], summary.strip()[:300]
    translation = Translation.objects.select_for_update().filter(article=article, language=language).first()
    now = timezone.now()
    if translation is None:
        translation = Translation.objects.create(
            article=article, language=language, title=title, summary=summary, body=body,
            slug=_unique_slug(language, title), updated_by=author, updated_at=now)
    elif (translation.title, translation.summary, translation.body) == (title, summary, body) and not note:
        return translation
    else:
        translation.title, translation.summary, translation.body = title, summary, body
        translation.status, translation.updated_by, translation.updated_at = Status.DRAFT, author, now
        translation.save(update_fields=["title", "summary", "body", "status", "updated_by", "updated_at"])
    number = (translation.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    ArticleVersion.objects.create(translation=translation, number=number, title=title, summary=summary,
                                  body=body, author=author, note=note[:200], created_at=now)
    return translation


def translation_submit(*, translation: Translation, actor) -> Translation:
    """Ask a reviewer to publish the working copy."""
    if translation.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."))
    translation.status = Status.REVIEW
    translation.save(update_fields=["status"])
    return translation


@transaction.atomic
def translation_publish(*, translation: Translation, actor) -> Translation:
    """Publish the newest version of the working copy: visitors read it from now on."""
    if not may_publish(actor):
        raise PermissionDenied(_("Only supervisors and administrators publish articles."))
    latest = translation.versions.order_by("-number").first()
    if latest is None:
        raise ValidationError(_("There is nothing to publish yet."))
    translation.published_version = latest
    translation.status = Status.PUBLISHED
    translation.published_at = timezone.now()
    translation.save(update_fields=["published_version", "status", "published_at"])
    _reindex_on_commit(translation.article_id)
    return translation


@transaction.atomic
def translation_unpublish(*, translation: Translation, actor) -> Translation:
    if not may_publish(actor):
        raise PermissionDenied(_("Only supervisors and administrators publish articles."))
    translation.published_version = None
    translation.status = Status.DRAFT
    translation.save(update_fields=["published_version", "status"])
    _reindex_on_commit(translation.article_id)
    return translation


def version_restore(*, version: ArticleVersion, actor) -> Translation:
    """Make an old version the working copy again (as a new version: history is never rewritten)."""
    translation = version.translation
    return translation_save(article=translation.article, language=translation.language, title=version.title,
                            summary=version.summary, body=version.body, author=actor,
                            note=_("Restored version %(n)d") % {"n": version.number})


@transaction.atomic
def article_delete(*, article: Article, actor) -> None:
    if not may_publish(actor):
        raise PermissionDenied(_("Only supervisors and administrators delete articles."))
    pk, languages = article.pk, list(article.translations.values_list("language", flat=True))
    for item in article.files.all():
        transaction.on_commit(lambda f=item.file.name, s=item.file.storage: s.delete(f))
    article.delete()
    transaction.on_commit(lambda: [search_index.unindex("article", f"{pk}:{code}") for code in languages])


def feedback_add(*, article: Article, language: str, helpful: bool, comment: str = "", user=None) -> Feedback:
    """A visitor's answer to "was this helpful?"; a comment (or a "no") reaches the article's author."""
    from pomoc.notifications.models import NotificationKind
    from pomoc.notifications.services import notify

    comment = comment.strip()[:MAX_COMMENT]
    with transaction.atomic():
        item = Feedback.objects.create(article=article, language=language[:10], helpful=helpful, comment=comment,
                                       user=user if user is not None and user.is_authenticated else None)
        field = "helpful_count" if helpful else "unhelpful_count"
        Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
        if article.author_id and (comment or not helpful):
            title = (article.translations.filter(language=language).values_list("title", flat=True).first()
                     or article.translations.values_list("title", flat=True).first() or "")
            verdict = _("helpful") if helpful else _("not helpful")
            text = _("Feedback on “%(title)s”: %(verdict)s") % {"title": title, "verdict": verdict}
            if comment:
                text += f" · {comment}"
            notify([article.author_id], kind=NotificationKind.ARTICLE_FEEDBACK, text=text)
    return item


def file_add(*, article: Article, upload: File, actor) -> ArticleFile:
    """Store an image or attachment of ``article``. Only PNG, JPEG and GIF are shown as images; every
    other file is offered as a download."""
    from pomoc.tickets.attachments import clean_file_name

    size = upload.size or 0
    if size > settings.MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than the limit of %(limit)d MB.")
                               % {"limit": settings.MAX_ATTACHMENT_BYTES // (1024 * 1024)}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = next((t for t, magic in IMAGE_TYPES.items() if head.startswith(magic)), "application/octet-stream")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    item = ArticleFile(article=article, file_name=clean_file_name(upload.name), content_type=kind, size=size,
                       sha256=digest.hexdigest(), uploaded_by=actor)
    item.file.save(item.public_id, upload, save=False)
    item.save()
    return item


def _reindex_on_commit(article_id: int) -> None:
    transaction.on_commit(lambda: reindex(article_id))


def reindex(article_id: int) -> None:
    """Put the article's published translations in the search index (and take the others out)."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return
    for translation in article.translations.select_related("published_version"):
        key = f"{article.pk}:{translation.language}"
        version = translation.published_version
        if version is None:
            search_index.unindex("article", key)
            continue
        body = " ".join(filter(None, [version.summary, rendering.plain_text(version.body), " ".join(article.tags)]))
        search_index.index("article", key, language=translation.language, title=version.title, body=body,
                           url=reverse("kb:article", args=[translation.language, translation.slug]),
                           public=not article.internal)
