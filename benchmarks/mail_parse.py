"""Parse rate of Pomoc's e-mail parser beside the raw standard-library parse (the ceiling).

    .venv/bin/python benchmarks/mail_parse.py [--rounds 20]

    .venv/bin/python benchmarks/mail_parse.py --generated 2000   # also the ingestion benchmark's corpus

Corpus: the 113 imap_tools messages (``../shared/corpora/imap_tools``, when present) plus the
messages our tests write (``pomoc/channels/email/tests/samples.py``); with ``--generated N`` also the
N-mail corpus of ``benchmarks/mail_corpus.py`` (conversations, auto-replies, bounces), built in a
temporary folder. Rows:

- stdlib: ``email.message_from_bytes(raw, policy=default)`` + ``get_body()`` + its content
  (what any parser must at least do; errors counted, not raised);
- pomoc: ``parse_mail(raw)`` (headers decoded, text/HTML chosen, attachments decoded);
- parse+classify: what ingestion does per mail: ``message_from_bytes(raw, policy=default)``,
  ``parse_mail(raw, message=msg)``, ``classify(msg)`` and ``is_from_ourselves(msg)``;
- classify, from-ourselves: those two calls alone, on messages parsed beforehand (no parse in the
  time). Every round starts with classify's cache of parsed From values empty, so from-ourselves
  alone pays for the From parse that it shares with classify in ingestion.

Prints messages/second (best of the rounds) and per-message microseconds. No database involved.
"""

from __future__ import annotations

import argparse
import email
import platform
import sys
import tempfile
import time
from email import policy
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pomoc.channels.email.classify import classify, forget_parsed_senders, is_from_ourselves  # noqa: E402
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


OUR_ADDRESSES = ("support@pomoc.test", "@bench.pomoc.test")


def parse_and_classify(raw: bytes) -> int:
    """Ingestion's per-mail work without the database (see ``pomoc.channels.email.ingest._process``)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    parse_mail(raw, message=msg)
    classify(msg, our_addresses=OUR_ADDRESSES)
    is_from_ourselves(msg, OUR_ADDRESSES)
    return 0


def measure(func, corpus: list[bytes], rounds: int) -> tuple[float, int]:
    best = float("inf")
    errors = 0
    for _ in range(rounds):
        forget_parsed_senders()  # every round starts cold, as a mail of a new sender would
        start = time.perf_counter()
        errors = sum(func(raw) for raw in corpus)
        best = min(best, time.perf_counter() - start)
    return best, errors


def measure_parsed(func, corpus: list[bytes], rounds: int) -> float:
    """Best time of ``func(msg)`` over messages parsed (with policy.default) before the clock starts."""
    best = float("inf")
    for _ in range(rounds):
        messages = [email.message_from_bytes(raw, policy=policy.default) for raw in corpus]
        forget_parsed_senders()
        start = time.perf_counter()
        for msg in messages:
            func(msg)
        best = min(best, time.perf_counter() - start)
    return best


def generated_corpus(count: int) -> list[bytes]:
    if not count:
        return []
    from benchmarks.mail_corpus import build

    with tempfile.TemporaryDirectory() as folder:
        build(Path(folder), count)
        return [path.read_bytes() for path in sorted(Path(folder).glob("*.eml"))]


def rows(corpus: list[bytes], rounds: int) -> list[tuple[str, float, object]]:
    """(label, seconds, stdlib errors) per row; the first row is the stdlib ceiling."""
    ceiling, ceiling_errors = measure(stdlib_parse, corpus, rounds)
    return [
        ("stdlib", ceiling, ceiling_errors),
        ("pomoc", measure(pomoc_parse, corpus, rounds)[0], ""),
        ("parse+classify", measure(parse_and_classify, corpus, rounds)[0], ""),
        ("classify", measure_parsed(lambda msg: classify(msg, our_addresses=OUR_ADDRESSES), corpus, rounds), ""),
        ("from-ourselves", measure_parsed(lambda msg: is_from_ourselves(msg, OUR_ADDRESSES), corpus, rounds), ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--generated", type=int, default=0, metavar="N",
                        help="also time the N-mail corpus of benchmarks/mail_corpus.py")
    args = parser.parse_args()
    imap_tools = [p.read_bytes() for p in corpus_files()]
    ours = [s.raw for s in all_samples()]
    sets = {"imap_tools": imap_tools, "ours": ours, "both": imap_tools + ours}
    if args.generated:
        sets["generated"] = generated_corpus(args.generated)
    print(f"Python {platform.python_version()} on {platform.machine()}, best of {args.rounds} rounds")
    print(f"{'corpus':<11} {'messages':>8} {'MB':>6}  {'parser':<14} {'msg/s':>9} {'µs/msg':>8} {'% ceiling':>9} "
          f"{'stdlib errors':>13}")
    for name, corpus in sets.items():
        if not corpus:
            print(f"{name:<11} (missing)")
            continue
        size = sum(map(len, corpus)) / 1e6
        measured = rows(corpus, args.rounds)
        ceiling = measured[0][1]
        for label, seconds, errors in measured:
            rate = len(corpus) / seconds
            share = f"{100 * ceiling / seconds:.0f}%"
            micros = 1e6 * seconds / len(corpus)
            print(f"{name:<11} {len(corpus):>8} {size:>6.2f}  {label:<14} {rate:>9,.0f} {micros:>8.0f} "
                  f"{share:>9} {errors!s:>13}")


if __name__ == "__main__":
    main()
