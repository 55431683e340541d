"""The portal's look: a brand colour checked for contrast, a logo, a title. Applied as CSS custom
properties in a small stylesheet whose address carries the settings' version (strict CSP: no inline
styles), so browsers keep it until the settings change."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.portal.models import CACHE_KEY, COLOUR, PortalSettings

MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text: white text on the colour, and the colour as link text on white
LOGO_MAX_BYTES = 512 * 1024
LOGO_TYPES = {"image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8\xff", "image/webp": b"RIFF", "image/gif": b"GIF8"}


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def darker(colour: str, factor: float = 0.8) -> str:
    return "#" + "".join(f"{int(int(colour[i:i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def settings_update(*, title: str, brand_colour: str, company_sees_tickets: bool, logo=None,
                    remove_logo: bool = False) -> PortalSettings:
    """Save the portal's look. A brand colour must keep white text on it (and it as text on white)
    readable: a contrast of at least 4.5:1. A logo is a PNG, JPEG, WebP or GIF of at most 512 KB."""
    errors: dict[str, str] = {}
    brand_colour = (brand_colour or "").strip().lower()
    if brand_colour:
        try:
            COLOUR(brand_colour)
        except ValidationError as error:
            errors["brand_colour"] = " ".join(error.messages)
        else:
            ratio = contrast_with_white(brand_colour)
            if ratio < MIN_CONTRAST:
                errors["brand_colour"] = _(
                    "Text on this colour would be hard to read: its contrast with white is %(ratio).1f:1, "
                    "at least 4.5:1 is needed. Choose a darker colour.") % {"ratio": ratio}
    if logo is not None:
        head = logo.read(8)
        logo.seek(0)
        if logo.size > LOGO_MAX_BYTES:
            errors["logo"] = _("The logo may be at most 512 KB.")
        elif not any(head.startswith(magic) for magic in LOGO_TYPES.values()):
            errors["logo"] = _("The logo must be a PNG, JPEG, WebP or GIF image.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current, _created = PortalSettings.objects.select_for_update().get_or_create(pk=1)
        current.title = (title or "").strip()[:100]
        current.brand_colour = brand_colour
        current.company_sees_tickets = bool(company_sees_tickets)
        if remove_logo:
            current.logo = ""
        elif logo is not None:
            current.logo.save(logo.name, logo, save=False)
        current.version = F("version") + 1
        current.updated_at = timezone.now()
        current.save()
        cache.delete(CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(CACHE_KEY))  # and again, should a reader have cached the old row
    current.refresh_from_db()
    return current


def stylesheet(settings: PortalSettings) -> str:
    if not settings.brand_colour:
        return "/* the portal's default colours */\n"
    return (":root {\n"
            f"  --brand: {settings.brand_colour};\n"
            f"  --brand-dark: {darker(settings.brand_colour)};\n"
            "}\n")
