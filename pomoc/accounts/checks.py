"""System checks of the accounts settings (run by ``pomoc check`` and before ``pomoc serve``)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def trusted_proxies_check(app_configs=None, **kwargs):
    """Every entry of TRUSTED_PROXIES must be an address or a network (no "*": a wildcard would let
    any client that reaches the process choose the address the rate limits count)."""
    from pomoc.accounts.ratelimit import _networks

    try:
        _networks(tuple(settings.TRUSTED_PROXIES))
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="List your proxies' addresses or networks, e.g. 10.0.0.10,10.1.0.0/16.",
                             id="pomoc.E101")]
    return []
