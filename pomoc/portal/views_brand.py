"""The brand stylesheet and logo (public), and the administrators' page for the portal's look."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from pomoc.accounts.permissions import manage_view
from pomoc.portal import branding
from pomoc.portal.models import PortalSettings

YEAR = 365 * 24 * 60 * 60


@require_safe
def brand_css(request, version: int):
    response = HttpResponse(branding.stylesheet(PortalSettings.get()), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


@require_safe
def logo(request, version: int):
    settings = PortalSettings.get()
    if not settings.logo:
        raise Http404
    try:
        handle = settings.logo.open("rb")
    except OSError:
        raise Http404 from None
    content_type = mimetypes.guess_type(settings.logo.name)[0] or "application/octet-stream"
    if content_type not in branding.LOGO_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@manage_view()
@require_http_methods(["GET", "POST"])
def settings_page(request):
    current = PortalSettings.get()
    errors = {}
    if request.method == "POST":
        try:
            branding.settings_update(
                title=request.POST.get("title", ""), brand_colour=request.POST.get("brand_colour", ""),
                company_sees_tickets=request.POST.get("company_sees_tickets") == "on",
                logo=request.FILES.get("logo"), remove_logo=request.POST.get("remove_logo") == "on")
        except ValidationError as error:
            errors = {key: " ".join(value) for key, value in error.message_dict.items()}
        else:
            messages.success(request, _("The portal settings are saved."))
            return redirect("portal:settings")
    values = request.POST if request.method == "POST" else {
        "title": current.title, "brand_colour": current.brand_colour,
        "company_sees_tickets": "on" if current.company_sees_tickets else ""}
    return render(request, "portal/manage_settings.html", {"section": "portal", "settings": current,
                                                           "values": values, "errors": errors},
                  status=400 if errors else 200)
