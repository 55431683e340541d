"""Our hand-written .eml samples, parsed the way the channel parses mail."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

EML = Path(__file__).parent / "eml"


def load(name: str) -> EmailMessage:
    return message_from_bytes((EML / name).read_bytes(), policy=policy.default)


def names(folder: str) -> list[str]:
    return sorted(f"{folder}/{p.name}" for p in (EML / folder).glob("*.eml"))
