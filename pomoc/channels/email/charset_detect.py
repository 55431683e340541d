"""Which charset 8-bit text is in when the mail does not say (or says wrong).

Old mail programs and web forms still send Czech, Polish and Estonian text in windows-1250,
ISO-8859-2 or windows-1257 without a charset parameter. These charsets share most byte values and
differ in a few letters, so a general-purpose detector alone guesses badly on them (and on a few
bytes it guesses anything at all). The policy here:

- UTF-8 is decided before this module is asked (``parsing.decode_bytes``): text that decodes as
  UTF-8 is UTF-8.
- Candidates: windows-1250, ISO-8859-2, windows-1257 and windows-1252, in this order of preference,
  plus charset-normalizer's own best guess when none of these reads every 8-bit character as a
  letter of one language, the text has enough 8-bit bytes to judge (``DETECTOR_MIN_BYTES``; below
  that its guesses are noise) and the guess reads ASCII as ASCII (no UTF-16/32, no EBCDIC).
- A long text is judged by up to 4 KB of its lines with 8-bit bytes (``SAMPLE_BYTES``).
- Each candidate's decoding is scored by how its non-ASCII characters read as one language
  (``_ALPHABETS``: letters of that language count most, other letters little, stray symbols and
  control characters against, words made almost only of accented Latin letters against), taking
  the language that fits best. The best score wins; a tie goes to the earlier candidate, so a short
  text whose few letters read the same in several charsets (``přijde``: ř is 0xF8 in both
  windows-1250 and ISO-8859-2) is read as windows-1250.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

PREFERRED = ("cp1250", "iso8859-2", "cp1257", "cp1252")
DETECTOR_MIN_BYTES = 24  # 8-bit bytes below which charset-normalizer is not asked
SAMPLE_BYTES = 4096  # what is judged of a long text: its lines with 8-bit bytes, up to this much


def _both(letters: str) -> frozenset[str]:
    return frozenset(letters + letters.upper())


_ALPHABETS = {
    "cs": _both("áčďéěíňóřšťúůýž"),
    "sk": _both("áäčďéíĺľňóôŕšťúýž"),
    "pl": _both("ąćęłńóśźż"),
    "et": _both("äõöüšž"),
    "de": _both("äöüß"),
    "lt": _both("ąčęėįšųūž"),
    "lv": _both("āčēģīķļņšūž"),
    "fi-sv": _both("äöå"),
    "fr-es-pt": _both("àâçèéêëîïôùûüÿœñáíóúãõ") | frozenset("¿¡"),
    "ru": frozenset(chr(c) for c in range(0x0410, 0x0450)) | _both("ё"),
}
_PUNCTUATION = frozenset("\u00a0„“”‚‘’–—…«»°€§©®×·•²³½¼¾±")
_WORD = re.compile(r"[^\W\d_]+")


def score(text: str) -> int:
    """How well the non-ASCII characters of ``text`` read as one language (higher is better)."""
    foreign = [ch for ch in text if ord(ch) > 127]
    if not foreign:
        return 0
    base = 0
    letters: list[str] = []
    for ch in foreign:
        if ch.isalpha():
            letters.append(ch)
        elif ch in _PUNCTUATION:
            base += 1
        elif unicodedata.category(ch).startswith("C"):
            base -= 6  # a control character (C1) or an unassigned byte: that is no text
        else:
            base -= 3  # a stray symbol between words: ¶, ¤, ˘, ˝…
    best_language = max(
        sum(3 if ch in alphabet else 1 for ch in letters) for alphabet in _ALPHABETS.values()
    ) if letters else 0
    odd_words = 0
    for word in _WORD.findall(text):
        accented = sum(1 for ch in word if ord(ch) > 127 and "LATIN" in unicodedata.name(ch, ""))
        if len(word) >= 4 and accented * 4 > len(word) * 3:
            odd_words += accented  # "Ďđčâĺň": Cyrillic read as a Latin charset
    return base + best_language - 4 * odd_words


def _decoded(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detector_guess(data: bytes) -> str | None:
    """charset-normalizer's best guess, or None (too little to judge, or a wide encoding)."""
    if sum(1 for byte in data if byte > 127) < DETECTOR_MIN_BYTES:
        return None
    from charset_normalizer import from_bytes  # only mail that needs guessing pays for the import

    best = from_bytes(data).best()
    if best is None or not ascii_compatible(best.encoding):
        return None  # UTF-16/32, EBCDIC: mail with ASCII headers around it is never in these
    return best.encoding


_ASCII_PROBE = bytes(range(32, 127)) + b"\r\n\t"


def ascii_compatible(codec: str) -> bool:
    """The codec reads ASCII bytes as ASCII (what every mail charset does; UTF-16 and EBCDIC do not)."""
    try:
        return _ASCII_PROBE.decode(codec) == _ASCII_PROBE.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def single_byte(codec: str) -> bool:
    """One character per byte (windows-125x, ISO-8859-x, KOI8…), unlike Shift_JIS, Big5, GB18030."""
    try:
        decoded = bytes(range(128, 256)).decode(codec, errors="replace")
    except LookupError:
        return False
    return len(decoded) == 128 and decoded.count("\ufffd") < 32  # not a 7-bit charset (ISO-2022) either


def _sample(data: bytes) -> bytes:
    """The lines of ``data`` that have 8-bit bytes, up to ``SAMPLE_BYTES``: a long mail is judged by
    a few kilobytes of its non-ASCII text (charset-normalizer takes 200 ms on 32 KB), not by its
    ASCII quotes and signatures."""
    if len(data) <= SAMPLE_BYTES:
        return data
    lines = [line for line in data.split(b"\n") if not line.isascii()]
    return b"\n".join(lines)[:SAMPLE_BYTES]


def detect(data: bytes) -> str:
    """The Python codec to read ``data`` (8-bit, not UTF-8) with; never fails (windows-1250 at worst)."""
    sample = _sample(data)
    best, best_score = _best_of(sample, PREFERRED, PREFERRED[0], None)
    foreign = sum(1 for byte in sample if byte > 127)
    if best_score is not None and best_score >= 3 * foreign:
        return best  # every 8-bit character a letter of one of our languages: nothing to ask
    guess = _detector_guess(sample)
    if guess and codecs.lookup(guess).name not in {codecs.lookup(c).name for c in PREFERRED}:
        best, best_score = _best_of(sample, (guess,), best, best_score)
    return best


def _best_of(sample: bytes, candidates, best: str, best_score: int | None) -> tuple[str, int | None]:
    """The candidate whose reading scores highest (the earlier on a tie), against the best so far."""
    for codec in candidates:
        text = _decoded(sample, codec)
        if text is None and len(sample) == SAMPLE_BYTES:  # the sample may cut a multibyte character
            text = _decoded(sample[:-3], codec)
        if text is None:
            continue
        points = score(text)
        if best_score is None or points > best_score:
            best, best_score = codec, points
    return best, best_score


def mime_name(codec: str) -> str:
    """The name mail uses for a Python codec: cp1250 → windows-1250, iso8859-2 → iso-8859-2."""
    name = codecs.lookup(codec).name
    if re.fullmatch(r"cp125\d", name):
        return "windows-" + name[2:]
    if name.startswith("iso8859-"):
        return "iso-8859-" + name[8:]
    return name.replace("_", "-")
