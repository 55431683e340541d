"""Recognition of delivery reports on our corpus of many mail systems and languages, and no person
taken for one (``make_bounce_corpus`` writes both corpora and what each file is)."""

import json

from pomoc.channels.email.classify import Kind, classify

from .eml_samples import EML, load

CORPUS = json.loads((EML / "bounce_corpus" / "expected.json").read_text())
NEGATIVE = json.loads((EML / "not_bounces" / "expected.json").read_text())
OURS = ["support@pomoc.example"]


def _verdict(result) -> str:
    if result.kind == Kind.BOUNCE:
        return "bounce"
    if result.is_delay:
        return "delay"
    if result.reason == "report:feedback-report":
        return "feedback"
    return str(result.kind)


def test_the_corpora_are_as_large_as_promised():
    assert len(CORPUS) >= 100 and len({e["shape"] for e in CORPUS.values()}) >= 50
    assert sum(e["kind"] == "delay" for e in CORPUS.values()) >= 15
    assert len(NEGATIVE) >= 30
    assert {p.name for p in (EML / "bounce_corpus").glob("*.eml")} == set(CORPUS)
    assert {p.name for p in (EML / "not_bounces").glob("*.eml")} == set(NEGATIVE)


def test_delivery_reports_are_recognised():
    results = {name: classify(load(f"bounce_corpus/{name}"), our_addresses=OURS) for name in CORPUS}
    missed = {name: (_verdict(r), r.reason) for name, r in results.items() if _verdict(r) != CORPUS[name]["kind"]}
    recognised = len(CORPUS) - len(missed)
    rate = 100 * recognised / len(CORPUS)
    summary = f"delivery reports recognised: {recognised}/{len(CORPUS)} ({rate:.1f} %)"
    print(summary)
    assert rate >= 95, f"{summary}; missed: {missed}"
    # a delay is never taken for a failure nor a failure for a delay
    confused = {name: v for name, v in missed.items() if {v[0], CORPUS[name]["kind"]} == {"bounce", "delay"}}
    assert not confused, confused

    named = [name for name in CORPUS if name not in missed]
    wrong_recipient = {name: results[name].failed_recipients for name in named
                       if results[name].failed_recipients != tuple(CORPUS[name]["recipients"])}
    found = len(named) - len(wrong_recipient)
    print(f"failing recipient extracted: {found}/{len(named)}")
    assert not wrong_recipient, wrong_recipient
    wrong_status = {name: results[name].status for name in named
                    if CORPUS[name]["status"] and results[name].status != CORPUS[name]["status"]}
    assert not wrong_status, wrong_status
    wrong_original = {name: results[name].original_message_id for name in named
                      if results[name].original_message_id != CORPUS[name]["original_message_id"]}
    assert not wrong_original, wrong_original


def test_delays_are_told_apart_and_keep_their_temporary_status():
    for name, expected in CORPUS.items():
        result = classify(load(f"bounce_corpus/{name}"))
        if expected["kind"] == "delay":
            assert result.kind == Kind.AUTO_REPLY and result.is_delay, (name, result)
            assert result.status.startswith("4"), (name, result)
        elif expected["kind"] == "bounce":
            assert not result.is_delay and not result.status.startswith("4"), (name, result)


def test_no_person_is_taken_for_a_delivery_report():
    taken = {}
    for name, kind in NEGATIVE.items():
        result = classify(load(f"not_bounces/{name}"), our_addresses=OURS)
        if result.kind == Kind.BOUNCE or result.is_delay or str(result.kind) != kind:
            taken[name] = (str(result.kind), result.reason)
    print(f"mail that is no delivery report taken for one or misread: {len(taken)}/{len(NEGATIVE)}")
    assert not taken, taken


def _text_only(msg):
    """The report as a relay that keeps only its readable text would pass it on: the machine-readable
    status dropped, the returned mail quoted after a separator line."""
    parts = [p for p in msg.walk() if not p.is_multipart()]
    human = next(p for p in parts if p.get_content_type() == "text/plain")
    text = human.get_content()
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            text += "\n------ Original message ------\n" + part.get_payload()[0].as_string()
        elif part.get_content_type() == "text/rfc822-headers":
            text += "\n------ Original message headers ------\n" + part.get_content()
    for name in ("Content-Type", "Content-Transfer-Encoding", "X-Failed-Recipients"):
        del msg[name]
    msg.set_content(text)
    return msg


def test_reports_are_recognised_by_their_text_when_the_machine_readable_part_is_lost():
    machine = [name for name in CORPUS if classify(load(f"bounce_corpus/{name}")).reason.startswith("dsn:")]
    assert len(machine) >= 30
    for name in machine:
        result = classify(_text_only(load(f"bounce_corpus/{name}")))
        assert _verdict(result) == CORPUS[name]["kind"], (name, result)
        assert result.failed_recipients == tuple(CORPUS[name]["recipients"]), (name, result)
        assert result.original_message_id == CORPUS[name]["original_message_id"], (name, result)


def _forwarded_by_a_person(name: str):
    """The report as a customer forwards it to us: their own From, "Fwd:" and the report attached."""
    msg = load(f"bounce_corpus/{name}")
    forward = load("not_bounces/returned_en.eml")
    forward.replace_header("Subject", "Fwd: " + str(msg["Subject"]))
    forward.add_attachment(msg)  # as message/rfc822
    assert forward.get_content_type() == "multipart/mixed"
    return forward


def _forwarded_inline(name: str):
    """The report's text pasted into a customer's mail under its own subject (no "Fwd:" even)."""
    msg = load(f"bounce_corpus/{name}")
    text = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()
    forward = load("not_bounces/returned_en.eml")
    forward.replace_header("Subject", str(msg["Subject"]))
    forward.set_content("Hello, I got this back, what does it mean?\n\n" + text)
    return forward


def test_a_report_forwarded_or_pasted_by_a_person_is_the_person_writing():
    for name in CORPUS:
        for made in (_forwarded_by_a_person, _forwarded_inline):
            result = classify(made(name), our_addresses=OURS)
            assert result.kind == Kind.HUMAN, (name, made.__name__, result)
