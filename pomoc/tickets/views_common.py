"""Helpers shared by the agent pages: who may open them, and how service errors reach a form."""

from functools import lru_cache, wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from pomoc.tickets.permissions import is_staff_user


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def optional_reverse(name: str, *args) -> str:
    """The URL of a page another part of Pomoc may not provide (yet), or "". Without ``args`` the
    answer is remembered: the top bar of every agent page asks for a dozen of them."""
    if args:
        return _optional_reverse(name, args)
    return _remembered_reverse(settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name)


def _optional_reverse(name: str, args: tuple = ()) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@lru_cache(maxsize=256)
def _remembered_reverse(_root_urlconf, _urlconf, _script_prefix, name: str) -> str:
    """Keyed by what ``reverse`` depends on besides the name (the URL configuration and prefix)."""
    return _optional_reverse(name)


def staff_required(view):
    """Agent pages: anonymous users log in first; customers are told nothing exists here (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_user(request.user):
            raise Http404
        response = view(request, *args, **kwargs)
        # Partials and full pages share URLs: caches must keep them apart, and keep them private.
        patch_vary_headers(response, ["HX-Request"])
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


