"""Parse rate of Pomoc's e-mail parser beside the raw standard-library parse (the ceiling).

    .venv/bin/python benchmarks/mail_parse.py [--rounds 20]

Corpus: the 113 imap_tools messages (``../shared/corpora/imap_tools``, when present) plus the
messages our tests write (``pomoc/channels/email/tests/samples.py``). Rows:

- stdlib: ``email.message_from_bytes(raw, policy=default)`` + ``get_body()`` + its content
  (what any parser must at least do; errors counted, not raised);
- pomoc: ``parse_mail(raw)`` (headers decoded, text/HTML chosen, attachments decoded).

Prints messages/second (best of the rounds) and per-message microseconds. No database involved.
"""

from __future__ import annotations

import argparse
import email
import platform
import sys
import time
from email import policy
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pomoc.channels.email.parsing import parse_mail  # noqa: E402
from pomoc.channels.email.tests.corpus import corpus_files  # noqa: E402
from pomoc.channels.email.tests.samples import all_samples  # noqa: E402


def stdlib_parse(raw: bytes) -> int:
    """Ceiling: parse, find the body, read it. Returns 1 when the stdlib raised."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            body.get_content()
        return 0
    except Exception:
        return 1


def pomoc_parse(raw: bytes) -> int:
    parse_mail(raw)
    return 0


def measure(func, corpus: list[bytes], rounds: int) -> tuple[float, int]:
    best = float("inf")
    errors = 0
    for _ in range(rounds):
        start = time.perf_counter()
        errors = sum(func(raw) for raw in corpus)
        best = min(best, time.perf_counter() - start)
    return best, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    imap_tools = [p.read_bytes() for p in corpus_files()]
    ours = [s.raw for s in all_samples()]
    sets = {"imap_tools": imap_tools, "ours": ours, "both": imap_tools + ours}
    print(f"Python {platform.python_version()} on {platform.machine()}, best of {args.rounds} rounds")
    print(f"{'corpus':<11} {'messages':>8} {'MB':>6}  {'parser':<7} {'msg/s':>9} {'µs/msg':>8} {'% ceiling':>9} "
          f"{'stdlib errors':>13}")
    for name, corpus in sets.items():
        if not corpus:
            print(f"{name:<11} (missing)")
            continue
        size = sum(map(len, corpus)) / 1e6
        ceiling, ceiling_errors = measure(stdlib_parse, corpus, args.rounds)
        ours_time, _ = measure(pomoc_parse, corpus, args.rounds)
        for label, seconds, errors in (("stdlib", ceiling, ceiling_errors), ("pomoc", ours_time, "")):
            rate = len(corpus) / seconds
            share = f"{100 * ceiling / seconds:.0f}%"
            micros = 1e6 * seconds / len(corpus)
            print(f"{name:<11} {len(corpus):>8} {size:>6.2f}  {label:<7} {rate:>9,.0f} {micros:>8.0f} "
                  f"{share:>9} {errors!s:>13}")


if __name__ == "__main__":
    main()
