from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The portal-wide search: one index of public (and internal) documents that the knowledge
    base, the forum and the ideas feed through ``services.index`` and read through
    ``selectors.search`` / ``selectors.suggest``. SQLite uses FTS5, PostgreSQL a ``tsvector``;
    both see the same folded text (see ``text.fold`` and decision 0023)."""

    name = "pomoc.search"
    label = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"
