"""Helpers of the hostile-input tests: what a hostile client sends, and every row to compare."""

from urllib.parse import quote

from django.apps import apps

HUGE = 2**64
DEEP = 1000

# Text a client may send; the first three must be refused wherever text enters.
HOSTILE_TEXT = {
    "nul": "bad\x00text",
    "surrogate": "bad\ud800text",
    "low surrogate": "\udfffx",
    "crlf": "Subject\r\nBcc: victim@example.org",
    "huge number text": str(HUGE),
    "huger number text": "9" * 40,
    "negative number text": "-1",
    "superscript digits": "²³",
}
# Raw bytes of a form field: overlong UTF-8 ("/" as two and three bytes), a surrogate encoded as
# UTF-8 would encode it, and a lone continuation byte.
HOSTILE_BYTES = {
    "overlong UTF-8": b"\xc0\xaf\xe0\x80\xaf",
    "UTF-8 surrogate": b"\xed\xa0\x80",
    "stray byte": b"\x80",
}


def form_encode(data: dict) -> str:
    """``application/x-www-form-urlencoded`` of values that may be str (surrogates too), bytes or lists."""
    parts = []
    for key, values in data.items():
        for value in values if isinstance(values, list) else [values]:
            raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
            parts.append(f"{quote(key)}={quote(raw)}")
    return "&".join(parts)


def all_rows() -> dict:
    """Every row of every Pomoc table (the test worlds are small). Left out: an API token's
    last_used_at and the organisation settings row a first read creates."""
    rows = {}
    for model in apps.get_models():
        if model.__module__.startswith("pomoc.") and model._meta.label not in (
                "accounts.ApiToken", "core.OrganisationSettings"):
            rows[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return rows
