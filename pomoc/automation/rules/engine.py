"""Running rules: which trigger each committed event is, which rules match, firing them in order,
and the guards that stop loops.

``on_events`` is the dispatcher's subscriber (slot ``RULES``): it turns the events of a committed
transaction into work items ``[ticket id, trigger, chain, message id]`` and, if a switched-on rule
waits for one of those triggers, hands them to a task (ids only). ``run`` evaluates the rules of
each item in their order; a rule that matches runs its actions in one transaction, stamped with
its origin (``events.caused_by``) so that every event it writes says which rule wrote it, and
records a ``rule_fired`` event with the rule's name.

Loops: an event written by a rule carries the chain of rules that led to it; a rule already in the
chain is never triggered by it (a rule never re-triggers itself, directly or through others), a
chain stops after ``MAX_CHAIN`` rules, and a ticket takes at most ``MAX_FIRINGS_PER_HOUR`` firings an
hour (one ``rule_stopped`` event says so).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.automation.rules import actions as rule_actions
from pomoc.automation.rules.conditions import SINCE, Check, compile_conditions, facts_for
from pomoc.automation.rules.models import Rule, RuleFiring, Trigger
from pomoc.tickets import events as ticket_events
from pomoc.tickets.models import UNRESOLVED_STATUSES, Channel, EventType, MessageKind, Ticket, TicketEvent

logger = logging.getLogger(__name__)

MAX_CHAIN = 5
MAX_FIRINGS_PER_HOUR = 20
TIME_BATCH = 500  # tickets a time-based rule looks at per run
TRIGGERS_KEY = "rules:active-triggers"
TRIGGERS_SECONDS = 10

UPDATES = {EventType.STATUS_CHANGED, EventType.PRIORITY_CHANGED, EventType.ASSIGNED, EventType.DEPARTMENT_CHANGED,
           EventType.TAGS_CHANGED, EventType.SUBJECT_CHANGED, EventType.CUSTOM_FIELDS_CHANGED}


@dataclass
class CompiledRule:
    rule: Rule
    check: Check


# --- which rules ------------------------------------------------------------------------------
def active_triggers() -> frozenset[str]:
    """The triggers some switched-on rule waits for. Cached briefly (``TRIGGERS_SECONDS``): with Redis
    the services' ``forget_active_triggers`` reaches every process at once; without it (one machine,
    a cache per process) another process sees a change within seconds."""
    triggers = cache.get(TRIGGERS_KEY)
    if triggers is None:
        triggers = frozenset(Rule.objects.filter(active=True).values_list("trigger", flat=True).distinct())
        cache.set(TRIGGERS_KEY, triggers, TRIGGERS_SECONDS)
    return triggers


def forget_active_triggers() -> None:
    cache.delete(TRIGGERS_KEY)


def compiled(rules) -> list[CompiledRule]:
    return [CompiledRule(rule=rule, check=compile_conditions(rule.conditions)) for rule in rules]


# trigger → (rules version, compiled rules): compiled (regular expressions) once per process and change
_compiled: dict[str, tuple[tuple, list[CompiledRule]]] = {}


def rules_version() -> tuple:
    """Changes whenever a rule is created, changed or deleted (one small query, the same in every
    process whatever the cache)."""
    found = Rule.objects.aggregate(changed=Max("updated_at"), count=Count("id"), top=Max("id"))
    return found["changed"], found["count"], found["top"]


def rules_for(trigger: str, version: tuple | None = None) -> list[CompiledRule]:
    """The switched-on rules of ``trigger`` in their order, compiled; kept per process while the rules
    stay as they are."""
    version = version if version is not None else rules_version()
    kept = _compiled.get(trigger)
    if kept is not None and kept[0] == version:
        return kept[1]
    rules = Rule.objects.filter(active=True, trigger=trigger).select_related("author").order_by("position", "id")
    result = compiled(rules)
    _compiled[trigger] = (version, result)
    return result


# --- events → work ----------------------------------------------------------------------------
def _chain(event: TicketEvent) -> list[int]:
    by = (event.data or {}).get("by") if isinstance(event.data, dict) else None
    chain = by.get("chain") if isinstance(by, dict) else None
    return [c for c in chain if isinstance(c, int)] if isinstance(chain, list) else []


def triggers_of(events: list[TicketEvent]) -> list[list]:
    """Work items ``[ticket_id, trigger, chain, message_id]`` of committed events, one per ticket and
    trigger (the shortest chain wins: a person's change is never blocked by a rule's)."""
    created = {e.ticket_id for e in events if e.type == EventType.CREATED}
    work: dict[tuple[int, str], list] = {}

    def add(event: TicketEvent, trigger: str, message_id=None):
        chain = _chain(event)
        key = (event.ticket_id, trigger)
        if key not in work or len(chain) < len(work[key][2]):
            work[key] = [event.ticket_id, trigger, chain, message_id]
        elif message_id and not work[key][3]:
            work[key][3] = message_id

    for event in events:
        data = event.data if isinstance(event.data, dict) else {}
        if event.type == EventType.CREATED:
            add(event, Trigger.CREATED)
            if data.get("channel") == Channel.CHAT:
                add(event, Trigger.CHAT_STARTED)
        elif event.type == EventType.MESSAGE_ADDED:
            kind = data.get("kind")
            if kind == MessageKind.CUSTOMER:
                if event.ticket_id in created:  # the first message is the ticket's creation
                    key = (event.ticket_id, Trigger.CREATED)
                    if key in work and not work[key][3]:
                        work[key][3] = data.get("message")
                else:
                    add(event, Trigger.CUSTOMER_REPLIED, data.get("message"))
            elif kind == MessageKind.REPLY:
                add(event, Trigger.AGENT_REPLIED, data.get("message"))
        elif event.type in UPDATES and event.ticket_id not in created:
            add(event, Trigger.UPDATED)
    return list(work.values())


def on_events(events: list[TicketEvent]) -> None:
    """The dispatcher's subscriber: hand the work to a task when some rule waits for it."""
    from pomoc.automation.rules import tasks

    wanted = active_triggers()
    if not wanted:
        return
    work = [item for item in triggers_of(events) if item[1] in wanted]
    if work:
        tasks.run_rules.enqueue(work)


# --- firing -----------------------------------------------------------------------------------
def _over_limit(ticket: Ticket, chain: list[int]) -> str:
    if len(chain) >= MAX_CHAIN:
        return _("%(count)d rules in a row triggered each other") % {"count": len(chain)}
    since = timezone.now() - dt.timedelta(hours=1)
    if TicketEvent.objects.filter(ticket=ticket, type=EventType.RULE_FIRED, at__gte=since).count() \
            >= MAX_FIRINGS_PER_HOUR:
        return _("%(count)d rule firings on this ticket within an hour") % {"count": MAX_FIRINGS_PER_HOUR}
    return ""


def fire(rule: Rule, ticket: Ticket, *, trigger: str, chain: list[int]) -> bool:
    """Run ``rule``'s actions on ``ticket`` (call inside a transaction); False when a guard stopped it."""
    problem = _over_limit(ticket, chain)
    if problem:
        already = TicketEvent.objects.filter(ticket=ticket, type=EventType.RULE_STOPPED, data__rule=rule.pk,
                                             at__gte=timezone.now() - dt.timedelta(hours=1)).exists()
        if not already:
            ticket_events.rule_stopped(ticket, rule_id=rule.pk, name=rule.name, reason=problem)
        logger.warning("rule %s not run on ticket %s: %s", rule.pk, ticket.pk, problem)
        return False
    origin = {"rule": rule.pk, "name": rule.name, "chain": [*chain, rule.pk]}
    with ticket_events.caused_by(origin):
        outcome = rule_actions.execute(rule.actions, ticket=ticket, rule=rule, event=trigger,
                                       reason=_("Rule “%(name)s”") % {"name": rule.name})
    ticket_events.rule_fired(ticket, rule_id=rule.pk, name=rule.name, trigger=trigger, actions=outcome.done,
                             chain=origin["chain"], errors=outcome.errors)
    return True


def _ticket(ticket_id: int) -> Ticket | None:
    return (Ticket.objects.select_related("requester__company", "department", "assignee")
            .prefetch_related("requester__identities").filter(pk=ticket_id, merged_into__isnull=True).first())


def run(work: list[list]) -> int:
    """Evaluate and fire the rules of each work item in order; returns how many fired."""
    fired = 0
    by_trigger: dict[str, list[CompiledRule]] = {}
    schedules: dict = {}
    version = rules_version()
    for ticket_id, trigger, chain, message_id in work:
        if trigger not in by_trigger:
            by_trigger[trigger] = rules_for(trigger, version) if trigger in Trigger.values else []
        rules = by_trigger[trigger]
        ticket = _ticket(ticket_id) if rules else None
        if ticket is None:
            continue
        facts = facts_for(ticket, message_id=message_id, schedules=schedules)
        for compiled_rule in rules:
            if compiled_rule.rule.pk in chain or not compiled_rule.check(facts):
                continue
            try:
                with transaction.atomic():
                    if fire(compiled_rule.rule, ticket, trigger=trigger, chain=chain):
                        fired += 1
            except Exception:
                logger.exception("rule %s failed on ticket %s", compiled_rule.rule.pk, ticket_id)
                continue
            # later rules see what this one changed
            ticket = _ticket(ticket_id)
            if ticket is None:
                break
            facts = facts_for(ticket, message_id=message_id, schedules=schedules)
    return fired


# --- time-based -------------------------------------------------------------------------------
def has_time_rules() -> bool:
    return Trigger.TIME in active_triggers()


def _firing_key(rule: Rule, ticket: Ticket) -> str:
    """The moment a time-based rule counts from on this ticket: it fires once per such moment (again
    after the customer writes again, for "hours since the customer last wrote")."""
    for condition in rule.conditions:
        attribute = SINCE.get(condition.get("field"))
        if attribute:
            moment = getattr(ticket, attribute)
            return moment.isoformat() if moment else "never"
    return "once"


def _candidates(rule: Rule, now: dt.datetime):
    """Unresolved tickets the rule might match, narrowed in the database by its "hours since" conditions."""
    tickets = Ticket.objects.filter(status__in=UNRESOLVED_STATUSES, merged_into__isnull=True)
    for condition in rule.conditions:
        attribute = SINCE.get(condition.get("field"))
        if attribute and condition.get("op") == "at_least":
            tickets = tickets.filter(**{f"{attribute}__lte": now - dt.timedelta(hours=float(condition["value"]))})
    anchors = [SINCE[c["field"]] for c in rule.conditions if c.get("field") in SINCE]
    if anchors:  # fired since the moment it counts from: done (keeps the batch for the others)
        tickets = tickets.exclude(Exists(RuleFiring.objects.filter(rule=rule, ticket=OuterRef("pk"),
                                                                   at__gte=OuterRef(anchors[0]))))
    else:
        tickets = tickets.exclude(pk__in=RuleFiring.objects.filter(rule=rule).values("ticket_id"))
    return (tickets.select_related("requester__company", "department", "assignee")
            .prefetch_related("requester__identities").order_by("pk")[:TIME_BATCH])


def run_time_rules(now: dt.datetime | None = None) -> int:
    """Fire every switched-on time-based rule on the tickets it matches now, each exactly once per
    moment it counts from: the ``RuleFiring`` row is written in the same transaction as the actions,
    so a second worker (or a run after downtime) finds it and skips, and nothing is lost if the
    worker dies before the commit."""
    now = now or timezone.now()
    fired = 0
    schedules: dict = {}
    for compiled_rule in rules_for(Trigger.TIME):
        rule = compiled_rule.rule
        for ticket in _candidates(rule, now):
            facts = facts_for(ticket, schedules=schedules)
            facts.now = now
            if not compiled_rule.check(facts):
                continue
            key = _firing_key(rule, ticket)
            try:
                with transaction.atomic():
                    try:
                        with transaction.atomic():
                            RuleFiring.objects.create(rule=rule, ticket=ticket, key=key)
                    except IntegrityError:
                        continue  # fired already, by this worker earlier or by another one
                    if fire(rule, ticket, trigger=Trigger.TIME, chain=[]):
                        fired += 1
            except Exception:
                logger.exception("time-based rule %s failed on ticket %s", rule.pk, ticket.pk)
    return fired
