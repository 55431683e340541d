"""Rule evaluation per event with 200 switched-on rules, beside a baseline measured in the same run.

    .venv/bin/python benchmarks/rule_evaluation.py [--quick] [--rules 200] [--output FILE]

A fresh SQLite database in a temporary folder (the work measured is in-process; the database part
is reported apart). 200 switched-on rules of the usual kinds (subject/body contains or matches,
tags, priority, department, customer, custom field, language; a few actions each) wait for "ticket
created"; a few tickets of different shapes are opened through the services. Then, per event:

- evaluate: the committed events → work items (``engine.triggers_of``) and all 200 compiled rules'
  conditions checked against the ticket's facts — what the rules cost on every change (aim: under
  1 ms per event);
- baseline: the least any engine must do for 200 rules: 200 calls of a trivial check, in the same
  process and run;
- with loading: the same plus what ``engine.run`` reads from the database for one event (the
  rules, the ticket, its facts), none of the rules matching so nothing is written.

Prints p50/p95 per event and writes ``benchmarks/results/rule_evaluation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
CEILING_MS = 1.0  # the aim per event
sys.path.insert(0, str(REPO))


def setup_django(data_dir: str) -> None:
    os.environ.update({"DJANGO_SETTINGS_MODULE": "pomoc.settings", "POMOC_DATA_DIR": data_dir, "DEBUG": "0",
                       "DATABASE_URL": "", "REDIS_URL": "",
                       "POMOC_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rule_shapes(count: int) -> list[tuple[list[dict], list[dict]]]:
    """``count`` (conditions, actions) pairs of the kinds administrators write; none matches the tickets."""
    kinds = [
        lambda i: [{"field": "subject", "op": "contains", "value": f"order-{i}"}],
        lambda i: [{"field": "body", "op": "matches", "value": rf"invoice\s+#?{i}\b"}],
        lambda i: [{"field": "tag", "op": "is", "value": f"tag-{i}"}, {"field": "priority", "op": "at_least",
                                                                       "value": "high"}],
        lambda i: [{"field": "customer", "op": "contains", "value": f"@client{i}.example"}],
        lambda i: [{"field": "custom_field", "op": "is", "value": f"plan=tier{i}"}],
        lambda i: [{"field": "language", "op": "is", "value": "et"}, {"field": "subject", "op": "contains",
                                                                      "value": f"tellimus {i}"}],
        lambda i: [{"field": "channel", "op": "is", "value": "chat"}, {"field": "body", "op": "contains",
                                                                      "value": f"code {i}"}],
        lambda i: [{"field": "subject", "op": "not_contains", "value": "e"}, {"field": "hours_since_created",
                                                                              "op": "at_least", "value": "48"}],
    ]
    actions = [{"type": "add_tag", "value": "auto"}, {"type": "set_priority", "value": "high"}]
    return [(kinds[i % len(kinds)](i), actions) for i in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def timed(func, iterations: int) -> dict:
    for _ in range(min(50, iterations)):
        func()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(samples), 4), "p95_ms": round(percentile(samples, 0.95), 4),
            "iterations": iterations}


def measure(rule_count: int, iterations: int) -> dict:
    from pomoc.accounts.models import Role, User
    from pomoc.automation.rules import engine, services
    from pomoc.automation.rules.conditions import facts_for
    from pomoc.contacts.models import Contact, Identity
    from pomoc.tickets import services as ticket_services
    from pomoc.tickets.models import TicketEvent

    admin = User.objects.create(username="bench-admin", role=Role.ADMINISTRATOR)
    for number, (conditions, actions) in enumerate(rule_shapes(rule_count)):
        services.rule_create(author=admin, name=f"Rule {number}", trigger="created", conditions=conditions,
                             actions=actions, active=True)
    tickets = []
    for number, (subject, body, language) in enumerate([
        ("Printer prints blank pages", "Hello, since Monday the printer prints blank pages only.", "en"),
        ("Faktura za prosinec", "Dobrý den, v příloze posílám fakturu č. 2026-118 k zaplacení.", "cs"),
        ("Tellimus ei ole kohale jõudnud", "Tere, minu tellimus 55512 pole veel kohale jõudnud.", "et"),
    ]):
        contact = Contact.objects.create(name=f"Customer {number}", language=language)
        Identity.objects.create(contact=contact, kind="email", value=f"customer{number}@example.org")
        tickets.append(ticket_services.ticket_create(requester=contact, subject=subject, body_text=body * 8,
                                                     tags=["billing", "vip"]))
    compiled = engine.rules_for("created")
    events = [list(TicketEvent.objects.filter(ticket=t).select_related("ticket").order_by("pk")) for t in tickets]
    facts = [facts_for(t) for t in tickets]
    assert len(compiled) == rule_count
    assert not any(rule.check(f) for rule in compiled for f in facts), "the benchmark's rules must not match"
    cycle = {"i": 0}

    def evaluate():
        i = cycle["i"] = (cycle["i"] + 1) % len(tickets)
        work = engine.triggers_of(events[i])
        f = facts[i]
        for _ticket, _trigger, chain, _message in work:
            for rule in compiled:
                if rule.rule.pk not in chain:
                    rule.check(f)

    trivial = [lambda f: False for _ in range(rule_count)]

    def baseline():
        i = cycle["i"] = (cycle["i"] + 1) % len(tickets)
        f = facts[i]
        for check in trivial:
            check(f)

    def with_loading():
        i = cycle["i"] = (cycle["i"] + 1) % len(tickets)
        engine.run(engine.triggers_of(events[i]))

    return {
        "rules": rule_count,
        "evaluate": timed(evaluate, iterations),
        "baseline": timed(baseline, iterations),
        "with_loading": timed(with_loading, max(50, iterations // 10)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--output", default=str(RESULTS / "rule_evaluation.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pomoc-bench-rules-") as data_dir:
        setup_django(data_dir)
        result = measure(args.rules, 500 if args.quick else 5000)
    result["ceiling_ms"] = CEILING_MS
    print(f"\n{'rule evaluation per event':<40} {'p50 ms':>9} {'p95 ms':>9} {'aim ms':>9}")
    for key, label in (("evaluate", f"evaluate, {args.rules} active rules"),
                       ("baseline", f"baseline, {args.rules} trivial checks"),
                       ("with_loading", "evaluate + database reads (one event)")):
        row = result[key]
        aim = f"{CEILING_MS:9.1f}" if key == "evaluate" else "        -"
        print(f"{label:<40} {row['p50_ms']:9.4f} {row['p95_ms']:9.4f} {aim}")
    result["within_aim"] = result["evaluate"]["p95_ms"] < CEILING_MS
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
