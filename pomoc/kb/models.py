from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.core import models as core

# Migration 0001 names these two here: the shared callables, so the fields stay as they were.
new_public_id = core.new_public_id
file_path = core.stored_file_path


def _label(names: dict, language: str) -> str:
    """The name in ``language``, else in the site's default language, else English, else any."""
    for code in (language, settings.LANGUAGE_CODE, "en"):
        if names.get(code):
            return names[code]
    return next((v for v in names.values() if v), "")


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    names = models.JSONField(_("names"), default=dict, help_text=_("One name per language code."))
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE)

    def name_in(self, language: str) -> str:
        return _label(self.names, language)

    def description_in(self, language: str) -> str:
        return _label(self.descriptions or {}, language)


class Section(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections",
                                 verbose_name=_("category"))
    slug = models.SlugField(_("slug"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    names = models.JSONField(_("names"), default=dict)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["category", "slug"], name="kb_section_slug")]

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE)

    def name_in(self, language: str) -> str:
        return _label(self.names, language)


class ArticleKind(models.TextChoices):
    HOWTO = "howto", _("How-to")
    TROUBLESHOOTING = "troubleshooting", _("Troubleshooting guide")
    FAQ = "faq", _("FAQ")
    USE_CASE = "use_case", _("Use case")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")


class Article(models.Model):
    """One article; its text lives in one ``Translation`` per language."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles",
                                verbose_name=_("section"))
    kind = models.CharField(_("kind"), max_length=20, choices=ArticleKind.choices, default=ArticleKind.HOWTO)
    internal = models.BooleanField(_("internal (agents only)"), default=False)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))
    created_at = models.DateTimeField(default=timezone.now)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    unhelpful_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-view_count", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["section", "internal"], name="kb_article_section")]

    def __str__(self) -> str:
        return f"article {self.pk}"


class Translation(models.Model):
    """An article in one language. ``title``/``summary``/``body`` are the working copy the authors
    edit; visitors read ``published_version``, which stays until the next publication."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True,
                               help_text=_("One or two sentences; search engines show it."))
    body = models.TextField(_("text (Markdown)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_version = models.ForeignKey("ArticleVersion", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="kb_translation_language"),
            models.UniqueConstraint(fields=["language", "slug"], name="kb_translation_slug"),
        ]
        indexes = [models.Index(fields=["language", "published_version"], name="kb_translation_public")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.published_version_id is not None


class ArticleVersion(models.Model):
    """A saved state of a translation's working copy: every save makes one, restoring copies one."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["translation", "number"], name="kb_version_number")]

    def __str__(self) -> str:
        return f"{self.translation_id} v{self.number}"


class ArticleFile(core.StoredFile):
    """An image or attachment of an article, reached only through ``/kb/files/<public_id>/`` and its
    article's visibility."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")


class Feedback(models.Model):
    """"Was this helpful?": one answer, with an optional comment for the author."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(max_length=10)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
