"""What every portal page's shell needs: the organisation's name, the portal's look and the sections
that exist."""

from pomoc.core.models import OrganisationSettings
from pomoc.portal.models import PortalSettings
from pomoc.portal.sections import available_sections


def portal_context(request) -> dict:
    user = request.user
    customer = bool(user.is_authenticated and user.is_active and getattr(user, "role", "") == "customer")
    return {"organisation": OrganisationSettings.get(), "portal": PortalSettings.get(),
            "portal_sections": available_sections(),
            "is_agent": bool(user.is_authenticated and getattr(user, "is_agent_like", False)),
            "is_customer": customer}
