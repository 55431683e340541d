"""How many of a folder of real delivery reports ``classify`` recognises.

    .venv/bin/python benchmarks/bounce_recognition.py DIR [--exclude PREFIX ...]

Every ``*.eml`` under DIR is classified; a report counts as recognised when it is a bounce, a delay
warning or an abuse report (ARF). Files whose name starts with an ``--exclude`` prefix are mail
that is no report (auto-replies, list notices a public corpus keeps beside its bounces): they are
counted apart and must not be taken for reports. Prints the rate, how many reports named a failing
recipient, and the files not recognised. Our own corpus is a test
(``pomoc/channels/email/tests/test_classify_bounce_corpus.py``); this is for corpora that live
outside the repository, such as the public test mail of bounce parsers.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pomoc.channels.email.classify import Kind, classify  # noqa: E402


def verdict(raw: bytes) -> tuple[str, bool]:
    result = classify(message_from_bytes(raw, policy=policy.default))
    if result.kind == Kind.BOUNCE:
        return "bounce", bool(result.failed_recipients)
    if result.is_delay:
        return "delay", bool(result.failed_recipients)
    if result.reason == "report:feedback-report":
        return "feedback", bool(result.failed_recipients)
    return f"{result.kind} ({result.reason})", False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--exclude", action="append", default=[], help="file-name prefix of mail that is no report")
    args = parser.parse_args()
    files = sorted(args.folder.rglob("*.eml"))
    kinds: Counter[str] = Counter()
    with_recipient = 0
    missed: list[str] = []
    taken: list[str] = []
    others = 0
    for path in files:
        kind, named = verdict(path.read_bytes())
        if any(path.name.startswith(prefix) for prefix in args.exclude):
            others += 1
            if kind in ("bounce", "delay", "feedback"):
                taken.append(path.name)
            continue
        kinds[kind] += 1
        if kind in ("bounce", "delay", "feedback"):
            with_recipient += named
        else:
            missed.append(f"{path.name}: {kind}")
    reports = sum(kinds.values())
    recognised = kinds["bounce"] + kinds["delay"] + kinds["feedback"]
    print(f"reports: {reports}, recognised {recognised} ({100 * recognised / max(reports, 1):.1f} %): "
          f"{kinds['bounce']} bounces, {kinds['delay']} delays, {kinds['feedback']} abuse reports; "
          f"failing recipient named in {with_recipient}")
    print(f"mail that is no report: {others}, taken for a report: {len(taken)} {taken if taken else ''}")
    for line in missed:
        print("  not recognised:", line)


if __name__ == "__main__":
    main()
