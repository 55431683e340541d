"""Demo data: staff, companies, contacts and ticket conversations in four languages.

Every ticket is first *planned* as a list of steps (opened, assigned, messages, status changes),
each at a point in time. Small loads replay the steps through the real services
(``ticket_create``, ``message_add``, ``ticket_update``) and then move the rows they wrote back to
the planned times. Large loads turn the same steps into rows directly, with the same fields and
events the services would have written, and insert them in batches.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from pomoc.accounts.models import Department, Role, User
from pomoc.contacts.models import Company, Contact, Identity, IdentityKind
from pomoc.contacts.services import normalize_identity
from pomoc.core.sanitize import text_to_html
from pomoc.demo.content import RARE_ASIDES, Conversation, Language, languages
from pomoc.tickets import services
from pomoc.tickets.models import (
    ACTIVE_STATUSES,
    Channel,
    CustomFieldDefinition,
    CustomFieldType,
    DeliveryState,
    EventType,
    Message,
    MessageKind,
    Status,
    Tag,
    Ticket,
    TicketEvent,
)

DEFAULT_PASSWORD = "pomoc-demo"
BULK_THRESHOLD = 2000  # above this many tickets, rows are written in bulk
DEMO_EMAIL_DOMAIN = "demo.pomoc.example"

DEPARTMENTS = {
    "Support": "General questions, accounts, orders and deliveries.",
    "Billing": "Invoices, payments, refunds and subscriptions.",
    "Technical": "Bugs, integrations, outages and security.",
    "Sales": "Quotes, demos, upgrades and partnerships.",
}
ALL_DEPARTMENTS = tuple(DEPARTMENTS)

# username, role, first name, last name, language, departments
STAFF = (
    ("admin", Role.ADMINISTRATOR, "Sarah", "Mitchell", "en", ALL_DEPARTMENTS),
    ("supervisor", Role.SUPERVISOR, "Kateřina", "Vondráčková", "cs", ALL_DEPARTMENTS),
    ("agent1", Role.AGENT, "Emma", "Clarke", "en", ("Support", "Sales")),
    ("agent2", Role.AGENT, "Tereza", "Dvořáková", "cs", ("Support", "Billing")),
    ("agent3", Role.AGENT, "Łukasz", "Wiśniewski", "pl", ("Technical", "Support")),
    ("agent4", Role.AGENT, "Kadri", "Tamm", "et", ("Billing", "Technical")),
    ("agent5", Role.AGENT, "Ondřej", "Kučera", "cs", ("Technical", "Sales")),
    ("agent6", Role.AGENT, "Małgorzata", "Zielińska", "pl", ("Sales", "Billing")),
    ("agent7", Role.AGENT, "Jüri", "Põder", "et", ("Support",)),
)

LANGUAGE_WEIGHTS = {"en": 35, "cs": 25, "pl": 25, "et": 15}
CHANNEL_WEIGHTS = {
    Channel.EMAIL: 45, Channel.CHAT: 16, Channel.WEB: 12, Channel.PHONE: 12, Channel.SOCIAL: 7,
    Channel.SMS: 4, Channel.API: 2, Channel.AGENT: 2,
}
INFORMAL_CHANNELS = {Channel.CHAT, Channel.SMS, Channel.SOCIAL}
EXTRA_TAGS = (("vip", 4), ("follow-up", 5), ("escalated", 3), ("newsletter", 1), ("key-account", 2))
TAG_COLORS = ("#2563eb", "#16a34a", "#dc2626", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#64748b")

CUSTOM_FIELDS = (
    ("order_number", "Order number", CustomFieldType.TEXT, []),
    ("customer_tier", "Customer tier", CustomFieldType.CHOICE, ["standard", "premium", "enterprise"]),
    ("product_area", "Product area", CustomFieldType.CHOICE, ["web", "mobile", "billing", "api", "shop"]),
    ("seats", "Seats", CustomFieldType.NUMBER, []),
    ("renewal_date", "Renewal date", CustomFieldType.DATE, []),
)
PRODUCT_AREA = {"Support": "shop", "Billing": "billing", "Technical": "web", "Sales": "web"}

INVOICE_FORMATS = {"en": "INV-{y}-{n:05d}", "cs": "FV{y}{n:05d}", "pl": "FV/{n:05d}/{y}", "et": "ARV-{y}-{n:05d}"}


def _amount(language: str, rng: random.Random) -> str:
    value = rng.choice((19, 29, 49, 79, 99, 149, 199, 249, 399, 590, 1290)) + rng.choice((0, 0.5, 0.9, 0.99))
    if language == "en":
        return f"£{value:,.2f}"
    if language == "cs":
        return f"{round(value * 25):,} Kč".replace(",", " ")
    text = f"{value * (4.3 if language == 'pl' else 1.0):,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} zł" if language == "pl" else f"{text} €"


def _date(language: str, when: dt.datetime) -> str:
    if language == "en":
        return f"{when.day} {when:%B}"
    if language == "cs":
        return f"{when.day}. {when.month}."
    return f"{when.day:02d}.{when.month:02d}." if language == "pl" else f"{when.day}.{when.month:02d}"


def _ascii(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()


# --- staff, catalogue, contacts -------------------------------------------------------------
@dataclass
class Staff:
    admin: User
    supervisor: User
    agents: list[User]
    departments: dict[str, Department]
    members: dict[str, list[User]]  # department name -> agents (and admin) working there
    password_unchanged: list[str] = field(default_factory=list)

    @property
    def users(self) -> list[User]:
        return [self.admin, self.supervisor, *self.agents]


def ensure_staff(password: str) -> Staff:
    """Departments and the demo users, created once and reused on later runs.

    A user that exists but was not made by the demo (its e-mail is elsewhere) keeps its password.
    """
    departments = {}
    for name, description in DEPARTMENTS.items():
        departments[name], _created = Department.objects.get_or_create(name=name, defaults={"description": description})
    users = {}
    unchanged = []
    hashed = make_password(password)  # hashing is slow on purpose: once for every demo user
    for username, role, first, last, language, member_of in STAFF:
        email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "first_name": first, "last_name": last, "language": language, "email": email,
                      "is_staff": role == Role.ADMINISTRATOR, "is_superuser": role == Role.ADMINISTRATOR},
        )
        if created or user.email == email:
            user.password = hashed
            user.save(update_fields=["password"])
        else:
            unchanged.append(username)
        users[username] = user
        for name in member_of:
            departments[name].members.add(user)
    members = {name: [users[u] for u, role, *_r, member_of in STAFF if name in member_of and role != Role.SUPERVISOR]
               for name in DEPARTMENTS}
    return Staff(admin=users["admin"], supervisor=users["supervisor"],
                 agents=[users[f"agent{i}"] for i in range(1, 8)], departments=departments, members=members,
                 password_unchanged=unchanged)


def ensure_catalogue() -> None:
    """Tags and custom field definitions the demo tickets use."""
    names = {tag for language in languages().values() for c in language.conversations for tag in c.tags}
    names |= {name for name, _weight in EXTRA_TAGS}
    existing = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
    Tag.objects.bulk_create(
        [Tag(name=name, color=TAG_COLORS[i % len(TAG_COLORS)]) for i, name in enumerate(sorted(names - existing))],
        ignore_conflicts=True,
    )
    for key, label, kind, choices in CUSTOM_FIELDS:
        CustomFieldDefinition.objects.get_or_create(
            key=key, defaults={"label": label, "type": kind, "choices": choices})


@dataclass(frozen=True)
class Person:
    contact_id: int
    language: str
    first_name: str
    name: str
    company: str
    tier: str


def create_contacts(rng: random.Random, count: int) -> list[Person]:
    """Companies (once) and ``count`` new contacts with e-mail, phone and social identities."""
    langs = languages()
    companies: dict[str, Company] = {}
    for language in langs.values():
        for name, domain in language.companies:
            company = Company.objects.filter(name=name).first()
            if company is None:
                company = Company.objects.create(name=name, domains=[domain])
            companies[name] = company
    taken = set(Identity.objects.filter(kind__in=[IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.SOCIAL])
                .values_list("value", flat=True))
    people: list[tuple[Contact, list[Identity], Person]] = []
    for _i in range(count):
        code = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
        language = langs[code]
        female = rng.random() < 0.5
        first = rng.choice(language.first_names_female if female else language.first_names_male)
        last = rng.choice(language.last_names)[1 if female else 0]
        company_name, domain = rng.choice(language.companies) if rng.random() < 0.6 else ("", "")
        if not domain:
            domain = rng.choice(language.free_mail_domains)
        contact = Contact(name=f"{first} {last}", company=companies.get(company_name), language=code)
        identities = []
        local = rng.choice((f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}", f"{last}.{first}"))
        email = _unique(f"{_ascii(local).replace(' ', '')}@{domain}", taken, rng)
        identities.append(Identity(kind=IdentityKind.EMAIL, value=normalize_identity(IdentityKind.EMAIL, email),
                                   verified=rng.random() < 0.7))
        if rng.random() < 0.6:
            phone = _unique(_phone(language, rng), taken, rng, phone=True)
            identities.append(Identity(kind=IdentityKind.PHONE, value=normalize_identity(IdentityKind.PHONE, phone)))
        if rng.random() < 0.2:
            handle = _unique(f"@{_ascii(first)}_{_ascii(last)}".replace(" ", ""), taken, rng)
            identities.append(Identity(kind=IdentityKind.SOCIAL, value=handle))
        tier = "standard"
        if company_name:
            tier = rng.choices(("standard", "premium", "enterprise"), weights=(70, 22, 8))[0]
        people.append((contact, identities, Person(0, code, first, contact.name, company_name, tier)))
    out: list[Person] = []
    for start in range(0, len(people), 2000):
        batch = people[start:start + 2000]
        with transaction.atomic():
            Contact.objects.bulk_create([contact for contact, _ids, _p in batch])
            rows = []
            for contact, identities, _p in batch:
                for identity in identities:
                    identity.contact_id = contact.pk
                    rows.append(identity)
            Identity.objects.bulk_create(rows)
        for contact, _ids, person in batch:
            out.append(Person(contact.pk, person.language, person.first_name, person.name, person.company, person.tier))
    return out


def _phone(language: Language, rng: random.Random) -> str:
    lengths = {"420": (rng.choice("67"), 8), "48": (rng.choice("5678"), 8), "372": ("5", 7), "44": ("7", 9)}
    first, rest = lengths.get(language.country_code, ("6", 8))
    return f"+{language.country_code}{first}{rng.randrange(10 ** (rest - 1), 10 ** rest)}"


def _unique(value: str, taken: set[str], rng: random.Random, phone: bool = False) -> str:
    candidate = value.lower() if not phone else value
    while candidate in taken:
        if phone:
            candidate = value[:-4] + f"{rng.randrange(10000):04d}"
        else:
            local, _at, domain = value.partition("@")
            candidate = f"{local}{rng.randrange(2, 999)}" + (f"@{domain}" if domain else "")
            candidate = candidate.lower()
    taken.add(candidate)
    return candidate


# --- planning -------------------------------------------------------------------------------
@dataclass
class Step:
    """One thing that happens to a ticket. ``what`` is open, assign, message or status."""

    what: str
    at: dt.datetime
    actor: User | None = None
    kind: str = ""  # message kind
    text: str = ""
    status: str = ""  # for status steps
    assignee: User | None = None


@dataclass
class Plan:
    person: Person
    subject: str
    channel: str
    priority: int
    department: Department | None
    tags: list[str]
    custom_fields: dict
    steps: list[Step]


class Planner:
    """Turns a creation time into a believable conversation, cut off at ``now``."""

    def __init__(self, rng: random.Random, staff: Staff, people: list[Person], now: dt.datetime):
        self.rng = rng
        self.staff = staff
        self.people = people
        self.now = now
        self.langs = languages()
        # A few customers write often: a skewed pick over the contact list.
        self.weights = [1.0 / (1 + (i % 97)) ** 0.6 for i in range(len(people))]
        self.cum_weights = list(_accumulate(self.weights))
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_weights = list(_accumulate(CHANNEL_WEIGHTS.values()))

    # --- text ---
    def _values(self, language: Language, person: Person, created: dt.datetime) -> dict:
        rng = self.rng
        return {
            "order": f"{rng.choice('ABCDEFGHJK')}{rng.randrange(10000, 99999)}",
            "invoice": INVOICE_FORMATS[language.code].format(y=created.year, n=rng.randrange(1, 99999)),
            "amount": _amount(language.code, rng),
            "date": _date(language.code, created - dt.timedelta(days=rng.randrange(1, 12))),
            "n": rng.choice((3, 5, 8, 12, 15, 20, 25, 40, 60)),
            "product": rng.choice(language.products),
            "plan": rng.choice(language.plans),
            "device": rng.choice(language.devices),
            "city": rng.choice(language.cities),
            "company": person.company,
            "first": person.first_name,
            "name": person.name,
        }

    def _customer_text(self, language: Language, body: str, values: dict, channel: str, first: bool) -> str:
        rng = self.rng
        parts = [] if channel in INFORMAL_CHANNELS or (not first and rng.random() < 0.5) else [
            rng.choice(language.greetings)]
        parts.append(body.format_map(values))
        if first and rng.random() < 0.25:
            parts.append(rng.choice(language.asides))
        if first and rng.random() < 0.0015:
            parts.append(RARE_ASIDES[language.code])
        if channel not in INFORMAL_CHANNELS:
            parts.append(rng.choice(language.signoffs).format_map(values))
        return "\n\n".join(parts)

    def _agent_text(self, language: Language, body: str, values: dict, channel: str, agent: User) -> str:
        if channel in INFORMAL_CHANNELS:
            return body.format_map(values)
        greeting = self.rng.choice(language.agent_greetings).format_map(values)
        signoff = self.rng.choice(language.agent_signoffs).format(agent=agent.get_full_name())
        return f"{greeting}\n\n{body.format_map(values)}\n\n{signoff}"

    # --- who ---
    def _assignee(self, department: Department | None, language: str) -> User:
        pool = self.staff.members[department.name] if department else self.staff.agents
        speakers = [u for u in pool if u.language == language and u.role == Role.AGENT]
        if speakers and self.rng.random() < 0.8:
            return self.rng.choice(speakers)
        return self.rng.choice(pool)

    # --- when ---
    def _later(self, at: dt.datetime, median_minutes: float, spread: float = 1.0) -> dt.datetime:
        minutes = median_minutes * math.exp(self.rng.gauss(0, spread))
        later = at + dt.timedelta(minutes=max(1.0, minutes))
        # Agents mostly work 8:00-18:00 UTC on weekdays; push night work to the next morning.
        if later.hour < 7 or later.hour >= 19 or later.weekday() >= 5:
            if self.rng.random() < 0.8:
                days = 1 if later.hour >= 19 else 0
                later = (later + dt.timedelta(days=days)).replace(hour=self.rng.randrange(8, 11),
                                                                  minute=self.rng.randrange(60))
                while later.weekday() >= 5:
                    later += dt.timedelta(days=1)
        return later

    def plan(self, created: dt.datetime) -> Plan:
        rng = self.rng
        person = rng.choices(self.people, cum_weights=self.cum_weights)[0]
        language = self.langs[person.language]
        conv: Conversation = rng.choice(language.conversations)
        channel = rng.choices(self.channels, cum_weights=self.channel_weights)[0]
        values = self._values(language, person, created)
        subject = rng.choice(conv.subjects).format_map(values)
        if channel == Channel.EMAIL and rng.random() < 0.06:
            subject = rng.choice(("Re: ", "Fwd: ", "RE: ")) + subject
        priority = min(4, max(1, conv.priority + rng.choices((-1, 0, 1), weights=(15, 70, 15))[0]))
        department_name = conv.department if rng.random() < 0.9 else rng.choice(ALL_DEPARTMENTS)
        department = None if rng.random() < 0.03 else self.staff.departments[department_name]
        tags = list(conv.tags)
        for name, weight in EXTRA_TAGS:
            if rng.randrange(100) < weight:
                tags.append(name)
        if priority == 4 and "escalated" not in tags and rng.random() < 0.5:
            tags.append("escalated")
        fields: dict = {}
        if "{order}" in conv.opening or "{order}" in conv.subjects[0]:
            fields["order_number"] = values["order"]
        if person.company:
            fields["customer_tier"] = person.tier
        if rng.random() < 0.5:
            fields["product_area"] = PRODUCT_AREA[department_name]
        if conv.department == "Sales" and rng.random() < 0.6:
            fields["seats"] = values["n"]
            fields["renewal_date"] = (created + dt.timedelta(days=rng.randrange(30, 400))).date().isoformat()

        agent = self._assignee(department, person.language)
        steps = [Step("open", created, None, MessageKind.CUSTOMER,
                      self._customer_text(language, conv.opening, values, channel, first=True))]
        t = created
        # Most tickets are picked up by an agent (or assigned by the supervisor) before the reply.
        if rng.random() < 0.85:
            t = self._later(t, 45, 1.2)
            assigner = agent if rng.random() < 0.6 else self.staff.supervisor
            steps.append(Step("assign", t, assigner, assignee=agent))
        if conv.note and rng.random() < 0.3:
            t = self._later(t, 20)
            steps.append(Step("message", t, agent, MessageKind.NOTE, conv.note))
        elif rng.random() < 0.08:
            t = self._later(t, 20)
            steps.append(Step("message", t, agent, MessageKind.NOTE, rng.choice(language.notes)))
        t = self._later(t, 90 if priority >= 3 else 240, 1.1)
        steps.append(Step("message", t, agent, MessageKind.REPLY,
                          self._agent_text(language, conv.reply, values, channel, agent)))
        if rng.random() < 0.5:
            t = self._later(t, 2, 0.3)
            steps.append(Step("status", t, agent, status=Status.PENDING))
        if rng.random() < 0.45:
            t = self._later(t, 600, 1.3)
            steps.append(Step("message", t, None, MessageKind.CUSTOMER,
                              self._customer_text(language, conv.followup, values, channel, first=False)))
            t = self._later(t, 120, 1.1)
            steps.append(Step("message", t, agent, MessageKind.REPLY,
                              self._agent_text(language, conv.resolution, values, channel, agent)))
        if rng.random() < 0.93:  # a few tickets are forgotten and stay open
            t = self._later(t, 60 * 24, 1.0)
            steps.append(Step("status", t, agent, status=Status.RESOLVED))
            if rng.random() < 0.1:
                t = self._later(t, 180)
                steps.append(Step("message", t, None, MessageKind.CUSTOMER,
                                  self._customer_text(language, rng.choice(language.thanks), values, channel,
                                                      first=False)))
                t = self._later(t, 60)
                steps.append(Step("status", t, agent, status=Status.RESOLVED))
            if rng.random() < 0.7:
                steps.append(Step("status", t + dt.timedelta(days=rng.randrange(3, 8)), None, status=Status.CLOSED))
        cutoff = self.now - dt.timedelta(minutes=1)
        steps = [s for s in steps if s.at <= cutoff]
        return Plan(person=person, subject=subject, channel=channel, priority=priority, department=department,
                    tags=tags, custom_fields=fields, steps=steps)


def _accumulate(values) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def creation_times(rng: random.Random, count: int, now: dt.datetime, days: int) -> list[dt.datetime]:
    """``count`` sorted times over the last ``days`` days: busier lately, on weekdays and in office hours."""
    times = []
    start = now - dt.timedelta(days=days)
    hours = list(range(24))
    hour_weights = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 15, 12, 14, 15, 14, 12, 9, 6, 4, 3, 2, 2, 1]
    while len(times) < count:
        # Growth: the density rises over the period (more customers lately).
        offset = days * (rng.random() ** 0.75)
        day = start + dt.timedelta(days=int(offset))
        if day.weekday() >= 5 and rng.random() < 0.6:
            continue
        hour = rng.choices(hours, weights=hour_weights)[0]
        when = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60),
                           microsecond=rng.randrange(1_000_000))
        if when < now - dt.timedelta(minutes=5):
            times.append(when)
    times.sort()
    return times


def days_for(count: int) -> int:
    """One year of history for a small demo, up to three years for very large ones."""
    return int(365 * min(3.0, max(1.0, count / 30000)))


# --- loading through the services -----------------------------------------------------------
def _backdate(ticket: Ticket, marks: list[tuple[dt.datetime, dt.datetime]]) -> None:
    """Move the rows each step wrote (stamped at or after its mark, in real time) to its planned time.

    Planned times are all in the past, before the first mark, so one CASE per table does it.
    """
    latest_first = sorted(marks, reverse=True)
    events = Case(*[When(at__gte=mark, then=Value(at)) for mark, at in latest_first], default=F("at"))
    TicketEvent.objects.filter(ticket=ticket).update(at=events)
    messages = Case(*[When(created_at__gte=mark, then=Value(at)) for mark, at in latest_first],
                    default=F("created_at"))
    Message.objects.filter(ticket=ticket).update(created_at=messages)


def load_with_services(plan: Plan) -> Ticket:
    """Replay a plan through the real services, then move the rows to the planned times."""
    requester = Contact.objects.get(pk=plan.person.contact_id)
    times: dict[str, dt.datetime] = {}
    marks: list[tuple[dt.datetime, dt.datetime]] = []
    with transaction.atomic():
        first = plan.steps[0]
        marks.append((timezone.now(), first.at))
        ticket = services.ticket_create(
            requester=requester, subject=plan.subject, body_text=first.text, channel=plan.channel,
            department=plan.department, priority=plan.priority, tags=plan.tags, custom_fields=plan.custom_fields,
        )
        times["created_at"] = first.at
        times["last_customer_message_at"] = first.at
        for step in plan.steps[1:]:
            marks.append((timezone.now(), step.at))
            if step.what == "assign":
                ticket = services.ticket_update(ticket=ticket, actor=step.actor, changes={"assignee": step.assignee})
            elif step.what == "status":
                ticket = services.ticket_update(ticket=ticket, actor=step.actor, changes={"status": step.status})
                if step.status == Status.RESOLVED:
                    times["resolved_at"] = step.at
                elif step.status == Status.CLOSED:
                    times["closed_at"] = step.at
            else:
                services.message_add(ticket=ticket, kind=step.kind, actor=step.actor, body_text=step.text)
                if step.kind == MessageKind.REPLY:
                    times.setdefault("first_response_at", step.at)
                elif step.kind == MessageKind.CUSTOMER:
                    times["last_customer_message_at"] = step.at
                    times.pop("resolved_at", None)
                    times.pop("closed_at", None)
        _backdate(ticket, marks)
        ticket.refresh_from_db()
        stamps = {"created_at": times["created_at"], "updated_at": plan.steps[-1].at}
        for name in ("first_response_at", "resolved_at", "closed_at", "last_customer_message_at"):
            if getattr(ticket, name) is not None:
                stamps[name] = times.get(name) or times["created_at"]
        Ticket.objects.filter(pk=ticket.pk).update(**stamps)
        # History, not news: replies were delivered long ago and nobody needs to send them again.
        Message.objects.filter(ticket=ticket, delivery_state=DeliveryState.QUEUED).update(
            delivery_state=DeliveryState.SENT)
    return ticket


# --- loading in bulk ------------------------------------------------------------------------
TICKET_COLUMNS = ("number", "subject", "status", "priority", "channel", "department_id", "assignee_id",
                  "requester_id", "custom_fields", "created_at", "updated_at", "first_response_at", "resolved_at",
                  "closed_at", "last_customer_message_at", "reopen_count")
MESSAGE_COLUMNS = ("kind", "channel", "author_user_id", "author_contact_id", "body_text", "body_html",
                   "external_id", "delivery_state", "delivery_error", "created_at")


@dataclass
class Rows:
    """One ticket as plain values: the rows the services would have written for its plan."""

    ticket: dict
    tag_names: list[str]
    messages: list[tuple]  # MESSAGE_COLUMNS
    events: list[tuple]  # (type, actor id, data, at, index of the message it is about or None)


def rows_for(plan: Plan, number: int) -> Rows:
    """Replay a plan the way the services would, as values: same fields, same events, same order."""
    first = plan.steps[0]
    channel = plan.channel
    department_id = getattr(plan.department, "pk", None)
    ticket = {
        "number": number, "subject": plan.subject, "status": Status.NEW.value, "priority": plan.priority,
        "channel": channel, "department_id": department_id, "assignee_id": None,
        "requester_id": plan.person.contact_id, "custom_fields": plan.custom_fields, "created_at": first.at,
        "updated_at": first.at, "first_response_at": None, "resolved_at": None, "closed_at": None,
        "last_customer_message_at": first.at, "reopen_count": 0,
    }
    events: list[tuple] = [(EventType.CREATED.value, None, {"channel": channel, "status": Status.NEW.value,
                                                            "priority": plan.priority, "department": department_id},
                            first.at, None)]
    messages: list[tuple] = []
    sent_by_email = channel == Channel.EMAIL

    def add_message(kind: str, actor_id: int | None, text: str, at: dt.datetime) -> None:
        state = DeliveryState.SENT.value if kind == MessageKind.REPLY and sent_by_email else ""
        messages.append((kind, channel, actor_id, plan.person.contact_id if kind == MessageKind.CUSTOMER else None,
                         text, text_to_html(text), "", state, "", at))
        events.append((EventType.MESSAGE_ADDED.value, actor_id, {"kind": kind, "channel": channel}, at,
                       len(messages) - 1))

    def change_status(status: str, actor_id: int | None, at: dt.datetime) -> None:
        old = ticket["status"]
        if old == status:
            return
        ticket["status"] = status
        if status == Status.RESOLVED:
            ticket["resolved_at"] = at
        elif status == Status.CLOSED:
            ticket["closed_at"] = at
            ticket["resolved_at"] = ticket["resolved_at"] or at
        elif old in (Status.RESOLVED, Status.CLOSED) and status in ACTIVE_STATUSES:
            ticket["reopen_count"] += 1
            ticket["resolved_at"] = None
            ticket["closed_at"] = None
        events.append((EventType.STATUS_CHANGED.value, actor_id, {"from": old, "to": status}, at, None))

    add_message(MessageKind.CUSTOMER.value, None, first.text, first.at)
    for step in plan.steps[1:]:
        actor_id = step.actor.pk if step.actor is not None else None
        if step.what == "assign":
            events.append((EventType.ASSIGNED.value, actor_id, {"from": ticket["assignee_id"], "to": step.assignee.pk},
                           step.at, None))
            ticket["assignee_id"] = step.assignee.pk
            if ticket["status"] == Status.NEW:
                change_status(Status.OPEN.value, actor_id, step.at)
        elif step.what == "status":
            change_status(str(step.status), actor_id, step.at)
        else:
            add_message(str(step.kind), actor_id, step.text, step.at)
            if step.kind == MessageKind.CUSTOMER:
                ticket["last_customer_message_at"] = step.at
                if ticket["status"] in (Status.RESOLVED, Status.CLOSED, Status.PENDING):
                    change_status(Status.OPEN.value, None, step.at)
            elif step.kind == MessageKind.REPLY:
                ticket["first_response_at"] = ticket["first_response_at"] or step.at
                if ticket["status"] == Status.NEW:
                    change_status(Status.OPEN.value, actor_id, step.at)
        ticket["updated_at"] = step.at
    return Rows(ticket=ticket, tag_names=sorted({t.lower() for t in plan.tags}), messages=messages, events=events)


def _event_data(data: dict, index: int | None, message_ids: list[int]) -> dict:
    return data if index is None else {"message": message_ids[index], **data}


def write_rows(batch: list[Rows], tag_ids: dict[str, int]) -> tuple[int, int]:
    """Insert one batch of tickets with their tags, messages and events, in one transaction."""
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        if connection.vendor == "postgresql":
            return _copy_rows(batch, tag_ids)
        return _insert_rows(batch, tag_ids)


def _insert_rows(batch: list[Rows], tag_ids: dict[str, int]) -> tuple[int, int]:
    """Any database: bulk_create, which sets the new primary keys on the objects."""
    tickets = Ticket.objects.bulk_create([Ticket(**r.ticket) for r in batch])
    through = Ticket.tags.through
    through.objects.bulk_create([through(ticket_id=t.pk, tag_id=tag_ids[name])
                                 for t, r in zip(tickets, batch, strict=True) for name in r.tag_names])
    messages = [Message(ticket_id=t.pk, **dict(zip(MESSAGE_COLUMNS, values, strict=True)))
                for t, r in zip(tickets, batch, strict=True) for values in r.messages]
    Message.objects.bulk_create(messages)
    events, position = [], 0
    for t, r in zip(tickets, batch, strict=True):
        ids = [m.pk for m in messages[position:position + len(r.messages)]]
        position += len(r.messages)
        events.extend(TicketEvent(ticket_id=t.pk, type=type_, actor_id=actor_id, data=_event_data(data, index, ids),
                                  at=at) for type_, actor_id, data, at, index in r.events)
    TicketEvent.objects.bulk_create(events)
    return len(messages), len(events)


def _new_ids(cursor, model, count: int) -> list[int]:
    table = model._meta.db_table
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
    return [row[0] for row in cursor.fetchall()]


def _copy_rows(batch: list[Rows], tag_ids: dict[str, int]) -> tuple[int, int]:
    """PostgreSQL: COPY, several times faster than INSERT. Primary keys come from the sequences first."""
    through = Ticket.tags.through
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")  # demo data: a crash just loses the last batch
        ticket_ids = _new_ids(cursor, Ticket, len(batch))
        message_ids = _new_ids(cursor, Message, sum(len(r.messages) for r in batch))
        columns = ", ".join(("id", *TICKET_COLUMNS))
        with cursor.copy(f"COPY {Ticket._meta.db_table} ({columns}) FROM STDIN") as copy:
            for ticket_id, r in zip(ticket_ids, batch, strict=True):
                values = r.ticket
                copy.write_row((ticket_id, *[json.dumps(values[c]) if c == "custom_fields" else values[c]
                                             for c in TICKET_COLUMNS]))
        with cursor.copy(f"COPY {through._meta.db_table} (ticket_id, tag_id) FROM STDIN") as copy:
            for ticket_id, r in zip(ticket_ids, batch, strict=True):
                for name in r.tag_names:
                    copy.write_row((ticket_id, tag_ids[name]))
        columns = ", ".join(("id", "ticket_id", *MESSAGE_COLUMNS))
        events = 0
        with cursor.copy(f"COPY {Message._meta.db_table} ({columns}) FROM STDIN") as copy:
            position = 0
            for ticket_id, r in zip(ticket_ids, batch, strict=True):
                for values in r.messages:
                    copy.write_row((message_ids[position], ticket_id, *values))
                    position += 1
        with cursor.copy(f"COPY {TicketEvent._meta.db_table} (ticket_id, type, actor_id, data, at) FROM STDIN") as copy:
            position = 0
            for ticket_id, r in zip(ticket_ids, batch, strict=True):
                ids = message_ids[position:position + len(r.messages)]
                position += len(r.messages)
                for type_, actor_id, data, at, index in r.events:
                    copy.write_row((ticket_id, type_, actor_id, json.dumps(_event_data(data, index, ids)), at))
                    events += 1
    return len(message_ids), events


# --- the whole run --------------------------------------------------------------------------
@dataclass
class Summary:
    tickets: int = 0
    messages: int = 0
    events: int = 0
    contacts: int = 0
    first_number: int | None = None
    bulk: bool = False
    staff: Staff | None = None


def load(*, tickets: int, password: str = DEFAULT_PASSWORD, seed: int | None = None, bulk: bool | None = None,
         batch_size: int = 2000, progress: Callable[[int], None] | None = None) -> Summary:
    """Create the demo staff (once) and add ``tickets`` tickets with their conversations."""
    rng = random.Random(seed)
    now = timezone.now()
    bulk = tickets > BULK_THRESHOLD if bulk is None else bulk
    staff = ensure_staff(password)
    ensure_catalogue()
    people = create_contacts(rng, max(12, tickets // 3)) if tickets else []
    summary = Summary(contacts=len(people), bulk=bulk, staff=staff)
    if not tickets:
        return summary
    planner = Planner(rng, staff, people, now)
    times = creation_times(rng, tickets, now, days_for(tickets))
    if not bulk:
        for when in times:
            ticket = load_with_services(planner.plan(when))
            summary.first_number = summary.first_number or ticket.number
            summary.tickets += 1
            if progress:
                progress(1)
        summary.messages = Message.objects.filter(ticket__number__gte=summary.first_number).count()
        summary.events = TicketEvent.objects.filter(ticket__number__gte=summary.first_number).count()
        return summary
    tag_ids = dict(Tag.objects.values_list("name", "id"))
    first_number = services.reserve_ticket_numbers(tickets)
    summary.first_number = first_number

    def batches() -> Iterator[list[Rows]]:
        for start in range(0, tickets, batch_size):
            batch = [rows_for(planner.plan(when), first_number + start + i)
                     for i, when in enumerate(times[start:start + batch_size])]
            missing = {name for r in batch for name in r.tag_names} - set(tag_ids)
            if missing:
                tag_ids.update({t.name: t.pk for t in services.tags_get_or_create(missing)})
            yield batch

    def done(batch: list[Rows], counts: tuple[int, int]) -> None:
        summary.tickets += len(batch)
        summary.messages += counts[0]
        summary.events += counts[1]
        if progress:
            progress(len(batch))

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        for batch in batches():
            done(batch, write_rows(batch, tag_ids))
        return summary
    # On PostgreSQL the server indexes one batch while Python builds the next: a second thread
    # (with its own connection) writes, so both cores work.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending = None
        try:
            for batch in batches():
                if pending is not None:
                    done(pending[0], pending[1].result())
                pending = (batch, writer.submit(write_rows, batch, dict(tag_ids)))
            if pending is not None:
                done(pending[0], pending[1].result())
        finally:
            writer.submit(connections.close_all).result()
    return summary
