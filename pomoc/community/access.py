"""Sign-in for posting: the portal's customer sign-in when it exists, else the agents' one."""

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse


def login_url() -> str:
    for name in ("portal:login", "accounts:login"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


def signed_in_required(view):
    """Visitors are sent to sign in, and come back here afterwards."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            target = request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER", "")
            if not target.startswith("/"):
                target = request.path
            return redirect(f"{login_url()}?{urlencode({'next': target})}")
        return view(request, *args, **kwargs)
    return wrapper
