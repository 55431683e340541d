"""What every portal page's shell needs: the organisation's name and the sections that exist."""

from pomoc.core.models import OrganisationSettings
from pomoc.portal.sections import available_sections


def portal_context(request) -> dict:
    return {"organisation": OrganisationSettings.get(), "portal_sections": available_sections(),
            "is_agent": bool(request.user.is_authenticated and getattr(request.user, "is_agent_like", False))}
