from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeBaseConfig(AppConfig):
    """The knowledge base: categories, sections, articles in several languages with their versions,
    files and feedback; the portal's pages under ``/kb/`` and the authors' pages under ``/articles/``."""

    name = "pomoc.kb"
    label = "kb"
    verbose_name = _("Knowledge base")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import datetime as dt

        from pomoc.core import scheduler
        from pomoc.kb import view_counts

        scheduler.register("kb.flush_views", lambda: scheduler.Periodic(
            "kb.flush_views", "pomoc.kb.tasks.flush_view_counts", dt.timedelta(minutes=5),
            has_work=view_counts.has_pending))
