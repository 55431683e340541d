from django.shortcuts import render
from django.views.decorators.http import require_safe

from pomoc.portal.context import portal_context


@require_safe
def home(request):
    """The portal's front page: search and the sections, open to everyone."""
    return render(request, "portal/home.html", portal_context(request))
