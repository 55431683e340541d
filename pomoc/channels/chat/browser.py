"""Plain words for the side panel: the browser from the User-Agent, the place from the time zone."""

from __future__ import annotations

import re

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def browser_of(user_agent: str) -> str:
    if not user_agent:
        return ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    version = ""
    if browser:
        marker = next(m for m, n in _BROWSERS if n == browser)
        found = re.search(re.escape(marker) + r"(\d+)", user_agent)
        version = found.group(1) if found and browser != "Safari" else ""
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    words = " ".join(part for part in (browser, version) if part)
    return f"{words} · {system}" if words and system else (words or system)


def place_of(time_zone: str) -> str:
    """``Europe/Prague`` → ``Prague (Europe)``: where the visitor's clock says they are."""
    if not time_zone or "/" not in time_zone:
        return time_zone or ""
    region, _sep, city = time_zone.partition("/")
    return f"{city.rsplit('/', 1)[-1].replace('_', ' ')} ({region})"
