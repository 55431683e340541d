from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftsConfig(AppConfig):
    name = "pomoc.drafts"
    label = "drafts"
    verbose_name = _("Drafts")

    def ready(self) -> None:
        from pomoc.drafts import selectors, services
        from pomoc.tickets import dispatch, page_query

        # A reply or note that was stored ends the draft it was typed in (after the commit, so a
        # refused reply keeps its draft).
        dispatch.register("drafts_sent", services.forget_sent_drafts, order=dispatch.LIVE_UPDATES + 1)
        page_query.register("drafts", selectors.annotate_ticket_page)
