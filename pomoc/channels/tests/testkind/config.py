"""The test kind's typed config: what an inbox of the kind stores in ``Inbox.config``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class HookConfig:
    """``url``: where replies are posted (http or https); ``timeout`` in seconds; ``window_hours``:
    when above 0, a message without a conversation key joins the sender's open ticket of this inbox
    that heard from them within so many hours (else it opens a ticket)."""

    url: str = ""
    timeout: float = 5.0
    window_hours: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> HookConfig:
        """Never raises: a wrong or missing value falls back to its default."""
        data = data or {}
        url = data.get("url")
        url = url if isinstance(url, str) and url.startswith(("http://", "https://")) else ""
        try:
            timeout = min(max(float(data.get("timeout", cls.timeout)), 0.1), 60.0)
        except (TypeError, ValueError):
            timeout = cls.timeout
        try:
            window = max(int(data.get("window_hours", 0)), 0)
        except (TypeError, ValueError):
            window = 0
        return cls(url=url, timeout=timeout, window_hours=window)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
