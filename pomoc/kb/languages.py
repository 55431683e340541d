"""Which translation a visitor reads: their language, else the site's default, else English."""

from __future__ import annotations

from django.conf import settings


def chain(language: str) -> list[str]:
    out: list[str] = []
    for code in (language, settings.LANGUAGE_CODE, "en"):
        if code and code not in out:
            out.append(code)
    return out


def best(translations, language: str):
    """The best of an article's ``translations`` for a visitor speaking ``language``."""
    by_language = {t.language: t for t in translations}
    for code in chain(language):
        if code in by_language:
            return by_language[code]
    return min(translations, key=lambda t: t.language) if translations else None


def names() -> dict[str, str]:
    from django.utils.translation import get_language_info

    return {code: get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}
