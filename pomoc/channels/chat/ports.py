"""What live chat asks of the layers above channels: ringing agents (notifications) and storing a
rating (a surveys answer).

Channels sit below notifications and surveys (``core/tests/test_import_layers.py``), so chat names
them here by dotted path and resolves them when called, the way ``tickets/replies.py`` is a port of
the ticket core; ``install`` replaces one (tests, or an installation without those apps)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import import_string

_PATHS = {
    "notify": "pomoc.notifications.services.notify",
    "notification_kinds": "pomoc.notifications.models.NotificationKind",
    "survey_answer": "pomoc.surveys.services.answer_in_place",
    "survey_kinds": "pomoc.surveys.models.SurveyKind",
}
_installed: dict[str, object] = {}


def install(name: str, value: object) -> None:
    _installed[name] = value


def get(name: str):
    if name not in _installed:
        _installed[name] = import_string(_PATHS[name])
    return _installed[name]


def notify(users, *, kind: str, ticket, text: str, actor=None) -> None:
    """A notification of ``kind`` ("chat_waiting", "mentioned") for ``users`` about ``ticket``."""
    kinds = get("notification_kinds")
    notifier: Callable = get("notify")
    notifier(users, kind=getattr(kinds, kind.upper()), ticket=ticket, actor=actor, text=text)


def csat_answer_create(**fields):
    """A CSAT survey answer with ``fields`` (score, comment, contact, ticket, agent, department…),
    through the surveys' own path: a low score opens their follow-up, as for a CSAT by e-mail."""
    return get("survey_answer")(kind=get("survey_kinds").CSAT, **fields)
