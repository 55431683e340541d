"""What happens when ``pomoc serve`` starts: a port for the apps above core.

An app that must know where the running Pomoc listens (the e-mail channel tells its MTA pipe)
registers a callback in its ``AppConfig.ready()``; ``pomoc serve`` calls every one with the address
it is about to listen on, before it accepts connections.
"""

from collections.abc import Callable

_callbacks: list[Callable[..., None]] = []


def on_start(callback: Callable[..., None]) -> None:
    """``callback(host=..., port=...)`` runs when ``pomoc serve`` starts (once per callback)."""
    if callback not in _callbacks:
        _callbacks.append(callback)


def starting(*, host: str, port: int) -> None:
    for callback in list(_callbacks):
        callback(host=host, port=port)


def local_address(host: str) -> str:
    """The address a process on this machine reaches a server listening on ``host`` at (for URLs)."""
    address = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104 -- matched, not bound
    return f"[{address}]" if ":" in address else address
