from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The customer-facing side at ``/``: the shell every portal page (knowledge base, community,
    ideas, the customer's own tickets, the contact form) is drawn in. The agent interface keeps its
    own paths (``/inbox/``, ``/tickets/``, …)."""

    name = "pomoc.portal"
    label = "portal"
    verbose_name = _("Customer portal")
    default_auto_field = "django.db.models.BigAutoField"
