"""What every peer script shares: one JSON object on stdout, progress and errors on stderr."""

from __future__ import annotations

import json
import math
import sys

PEER = "django-helpdesk"

# The one JSON object goes here; anything else that writes to stdout (helpdesk prints some
# warnings with print()) is sent to stderr by keep_stdout_for_result().
_RESULT_STREAM = sys.stdout


def keep_stdout_for_result() -> None:
    sys.stdout = sys.stderr


def peer_label() -> str:
    from importlib.metadata import version

    return f"{PEER} {version('django-helpdesk')}"


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def emit(result: dict) -> None:
    _RESULT_STREAM.write(json.dumps(result, ensure_ascii=False) + "\n")
    _RESULT_STREAM.flush()


def fail(message: str, code: int = 2):
    progress(f"error: {message}")
    sys.exit(code)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (as benchmarks/inbox.py computes it for Pomoc)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]
