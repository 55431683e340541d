"""Text folding shared by the index and the queries: lower case, no diacritics, one spelling.

Both databases index and query the *folded* text, so ``prihlaseni`` finds ``přihlášení`` the same
way on SQLite and on PostgreSQL. Unicode decomposition strips combining marks (á, ř, õ, ż) but
leaves letters that are distinct code points (ł, đ, ø, ß…): those are mapped by hand."""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not split into a base letter and a combining mark.
_LETTERS = str.maketrans({
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ß": "ss", "ẞ": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
    "ı": "i", "ħ": "h", "Ħ": "h", "ŧ": "t", "Ŧ": "t", "ŀ": "l", "Ŀ": "l",
})

WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """``Přihlášení do účtu, żółw, õigus`` → ``prihlaseni do uctu, zolw, oigus``."""
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_LETTERS).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (underscores count as separators)."""
    return [w for w in WORD.findall(fold(text).replace("_", " ")) if w]


def query_terms(query: str, *, max_terms: int = 8) -> list[str]:
    """The words a query searches for, folded, without duplicates, at most ``max_terms``."""
    seen: list[str] = []
    for word in words(query):
        if word not in seen:
            seen.append(word)
    return seen[:max_terms]


ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def one_edit_away(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away from ``word``
    (Norvig's candidate set), over the folded alphabet."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}
