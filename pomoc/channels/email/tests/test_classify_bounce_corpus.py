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
