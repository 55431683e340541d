"""@mentions in internal notes: ``@username`` names an agent (the note box suggests them)."""

import re

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def mentioned_usernames(text: str) -> set[str]:
    """The user names ``text`` mentions, lower-cased (a sentence's full stop is not part of one)."""
    return {name.rstrip(".").lower() for name in MENTION.findall(text or "") if name.rstrip(".")}
