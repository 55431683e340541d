from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable thing (an article translation, a forum topic, an idea), owned by the app that
    indexes it. ``title``/``body`` keep the original text for snippets; the database's own full-text
    structure (FTS5 table ``search_fts`` on SQLite, column ``vector`` on PostgreSQL, both made by
    the migration) holds the folded text and is kept in step by ``services.index``."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=100)
    language = models.CharField(max_length=10, blank=True)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    public = models.BooleanField(default=True)
    boost = models.FloatField(default=1.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="search_document_kind_key")]
        indexes = [models.Index(fields=["language", "kind"], name="search_doc_lang_kind")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class SearchTerm(models.Model):
    """The vocabulary: every folded word ever indexed, for the one-typo fallback. Words of removed
    documents stay (a correction that then finds nothing costs one more query, nothing else)."""

    term = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.term
