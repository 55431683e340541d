"""The corpus of ``benchmarks/mail_ingest.py`` is what the benchmark's checks assume it is."""

import importlib.util
import json
from email import message_from_bytes, policy
from pathlib import Path

BUILDER = Path(__file__).resolve().parents[4] / "benchmarks" / "mail_corpus.py"


def _builder():
    spec = importlib.util.spec_from_file_location("mail_corpus", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_mail_has_its_own_message_id_and_replies_follow_their_question(tmp_path):
    manifest = _builder().build(tmp_path, messages=400)

    entries = manifest["entries"]
    assert manifest == json.loads((tmp_path / "manifest.json").read_text())
    assert len(entries) == len(list(tmp_path.glob("*.eml")))
    ids = []
    for entry in entries:
        msg = message_from_bytes((tmp_path / entry["file"]).read_bytes(), policy=policy.default)
        ids.append(str(msg["Message-ID"] or ""))
        assert ids[-1] == entry["message_id"]
    named = [i for i in ids if i]
    assert len(named) == len(set(named)) == len(entries) - 1  # only the broken mail has none
    position = {entry["message_id"]: n for n, entry in enumerate(entries)}
    replies = [e for e in entries if e["kind"] == "reply"]
    assert replies and all(position[e["thread"]] < position[e["message_id"]] for e in replies)
    kinds = {e["kind"] for e in entries}
    assert {"question", "reply", "broken", "sample"} <= kinds


def test_a_leading_mbox_from_line_stays_first():
    raw = b"From someone@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nMessage-ID: <old@x>\n\nhi\n"

    rewritten = _builder().with_message_id(raw, "<new@bench>")

    assert rewritten.startswith(b"From someone@example.com")
    msg = message_from_bytes(rewritten, policy=policy.default)
    assert msg["Message-ID"] == "<new@bench>" and msg["From"] == "a@example.com"
