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
import multiprocessing
import multiprocessing.util
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Case, F, JSONField, Value, When
from django.utils import timezone

from pomoc.accounts.models import Department, Role, User
from pomoc.contacts.models import Company, Contact, Identity, IdentityKind
from pomoc.contacts.services import normalize_identity
from pomoc.core.sanitize import text_to_html
from pomoc.demo import orders as demo_orders
from pomoc.demo.content import RARE_ASIDES, Conversation, Language, languages
from pomoc.demo.kb import ensure_knowledge_base
from pomoc.tickets import search_index, services
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
from pomoc.tickets.numbers import reserve_ticket_numbers
from pomoc.tickets.tags import tags_get_or_create

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


# --- how big -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """How many of each thing a demo run uses; :func:`scale_for` gives defaults that grow with N."""

    contacts: int
    agents: int  # agent1, agent2, … (the administrator and the supervisor come on top)
    departments: int


MIN_AGENTS = 7  # agent1..agent7 always exist: the benchmarks and the docs sign in as them
MIN_DEPARTMENTS = 4  # Support, Billing, Technical, Sales


def scale_for(tickets: int) -> Scale:
    """About five tickets per contact (200,000 for a million tickets); more staff for a bigger desk."""
    return Scale(contacts=max(12, min(tickets // 5, 250_000)) if tickets else 0,
                 agents=max(MIN_AGENTS, min(50, tickets // 2000)),
                 departments=max(MIN_DEPARTMENTS, min(10, MIN_DEPARTMENTS + tickets // 15_000)))


# --- staff, catalogue, contacts -------------------------------------------------------------
@dataclass
class Staff:
    admin: User
    supervisor: User
    agents: list[User]
    departments: dict[str, Department]
    members: dict[str, list[User]]  # department name -> agents (and admin) working there
    kinds: dict[str, str] = field(default_factory=dict)  # department name -> the base department it is like
    languages: dict[str, str] = field(default_factory=dict)  # department name -> its team's language, if any
    password_unchanged: list[str] = field(default_factory=list)

    @property
    def users(self) -> list[User]:
        return [self.admin, self.supervisor, *self.agents]


# Regional and specialist teams added to the four base departments for larger demos:
# name, the base department whose tickets it takes, the language its team works in, description.
EXTRA_DEPARTMENTS = (
    ("Zákaznická linka", "Support", "cs", "Zákaznická podpora pro Česko a Slovensko."),
    ("Obsługa klienta", "Support", "pl", "Obsługa klientów z Polski."),
    ("Klienditugi", "Support", "et", "Eesti klientide tugi."),
    ("Fakturace", "Billing", "cs", "Faktury, platby a vratky pro české zákazníky."),
    ("Wsparcie techniczne", "Technical", "pl", "Błędy, integracje i awarie dla klientów z Polski."),
    ("Enterprise accounts", "Sales", "en", "Large customers, contracts and renewals."),
    ("Arveldus", "Billing", "et", "Arved, maksed ja tagasimaksed."),
    ("Integrations", "Technical", "en", "API, webhooks and third-party connectors."),
    ("Technická podpora", "Technical", "cs", "Chyby, integrace a výpadky pro české zákazníky."),
    ("Rozliczenia", "Billing", "pl", "Faktury, płatności i zwroty dla klientów z Polski."),
    ("Müük", "Sales", "et", "Pakkumised, demod ja uuendused."),
    ("Returns", "Support", "en", "Returns, exchanges and damaged deliveries."),
    ("Obchod", "Sales", "cs", "Nabídky, ukázky a rozšíření pro české zákazníky."),
    ("Sprzedaż", "Sales", "pl", "Oferty, prezentacje i rozszerzenia."),
    ("Tehniline tugi", "Technical", "et", "Vead, liidestused ja katkestused."),
    ("Partners", "Sales", "en", "Resellers and implementation partners."),
)


def department_specs(count: int) -> list[tuple[str, str, str, str]]:
    """The first ``count`` departments: (name, base department, team language or "", description)."""
    specs = [(name, name, "", description) for name, description in DEPARTMENTS.items()]
    extra = count - len(specs)
    for i in range(max(0, extra)):
        name, kind, language, description = EXTRA_DEPARTMENTS[i % len(EXTRA_DEPARTMENTS)]
        round_ = i // len(EXTRA_DEPARTMENTS)
        specs.append((f"{name} {round_ + 1}" if round_ else name, kind, language, description))
    return specs[:max(count, len(DEPARTMENTS))]


def extra_agent(number: int, departments: list[tuple[str, str, str, str]]) -> tuple:
    """Agent ``number`` (8, 9, …) as a STAFF row: the same person on every run, whatever the seed.

    Agents beyond the first seven staff the extra departments first (one each, round and round), so
    every department has someone; a third of them also help in one or two other departments.
    """
    rng = random.Random(f"pomoc-demo-agent-{number}")
    extra = departments[len(DEPARTMENTS):]
    home = extra[(number - MIN_AGENTS - 1) % len(extra)] if extra else rng.choice(departments)
    code = home[2] or rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    language = languages()[code]
    female = rng.random() < 0.5
    first = rng.choice(language.first_names_female if female else language.first_names_male)
    last = rng.choice(language.last_names)[1 if female else 0]
    member_of = [home[0]]
    for _i in range(rng.choice((0, 0, 1, 2))):
        other = rng.choice(departments)[0]
        if other not in member_of:
            member_of.append(other)
    return (f"agent{number}", Role.AGENT, first, last, code, tuple(member_of))


def ensure_staff(password: str, *, agents: int = MIN_AGENTS, departments: int = MIN_DEPARTMENTS) -> Staff:
    """Departments and the demo users, created once and reused on later runs.

    A user that exists but was not made by the demo (its e-mail is elsewhere) keeps its password.
    The administrator and the supervisor belong to every department of the run.
    """
    specs = department_specs(departments)
    found = {}
    for name, _kind, _language, description in specs:
        found[name], _created = Department.objects.get_or_create(name=name, defaults={"description": description})
    everywhere = tuple(name for name, *_rest in specs)
    rows = [(username, role, first, last, language, everywhere if role != Role.AGENT else member_of)
            for username, role, first, last, language, member_of in STAFF]
    rows += [extra_agent(number, specs) for number in range(MIN_AGENTS + 1, max(agents, MIN_AGENTS) + 1)]
    users = {}
    unchanged = []
    hashed = make_password(password)  # hashing is slow on purpose: once for every demo user
    for username, role, first, last, language, member_of in rows:
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
            found[name].members.add(user)
    members = {name: [users[u] for u, role, *_r, member_of in rows if name in member_of and role != Role.SUPERVISOR]
               for name in everywhere}
    return Staff(admin=users["admin"], supervisor=users["supervisor"],
                 agents=[users[row[0]] for row in rows if row[1] == Role.AGENT][:max(agents, MIN_AGENTS)],
                 departments=found, members=members, kinds={name: kind for name, kind, *_r in specs},
                 languages={name: language for name, _kind, language, _d in specs if language},
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
    if connection.vendor == "postgresql":
        return _copy_contacts(people)
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


def _copy_contacts(people: list[tuple[Contact, list[Identity], Person]]) -> list[Person]:
    """PostgreSQL: contacts and identities through COPY, in one transaction."""
    now = timezone.now()
    out: list[Person] = []
    with transaction.atomic(), connection.cursor() as cursor:
        ids = _new_ids(cursor, Contact, len(people))
        contacts, identities = [], []
        for contact_id, (contact, contact_identities, _p) in zip(ids, people, strict=True):
            contact.pk, contact.created_at = contact_id, now
            contacts.append(contact)
            for identity in contact_identities:
                identity.contact_id, identity.created_at = contact_id, now
                identities.append(identity)
        _copy_objects(cursor, Contact, contacts)
        _copy_objects(cursor, Identity, identities, with_id=False)
    for contact_id, (_c, _ids, person) in zip(ids, people, strict=True):
        out.append(Person(contact_id, person.language, person.first_name, person.name, person.company, person.tier))
    return out


def _copy_objects(cursor, model, objects: list, *, with_id: bool = True) -> None:
    """COPY unsaved model instances, every column as the instance holds it (defaults included), so
    a column a later migration adds is written too."""
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([json.dumps(value) if isinstance(f, JSONField) else value
                            for f in fields for value in (getattr(obj, f.attname),)])


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
        # A few customers write often, most once or twice: Zipf-like weights over the contacts
        # (created in random order). With 200,000 contacts and a million tickets the busiest writes
        # about 2,400 tickets and the median contact one.
        self.cum_weights = list(_accumulate(1.0 / (i + 50) for i in range(len(people))))
        self.by_kind: dict[str, list[Department]] = {}
        for name, department in staff.departments.items():
            self.by_kind.setdefault(staff.kinds.get(name, name), []).append(department)
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
    def _department(self, kind: str, language: str) -> Department:
        """The base department, or most often a team of the same kind that speaks the customer's language."""
        teams = [d for d in self.by_kind[kind] if self.staff.languages.get(d.name) == language]
        if teams and self.rng.random() < 0.7:
            return self.rng.choice(teams)
        return self.staff.departments[kind]

    def _assignee(self, department: Department | None, language: str) -> User:
        pool = (self.staff.members.get(department.name) if department else None) or self.staff.agents
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
        department = None if rng.random() < 0.03 else self._department(department_name, person.language)
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
        # Longer conversations: the agent asks for a detail, or the customer chases an answer.
        turns = 0
        while turns < 6 and rng.random() < 0.42:
            turns += 1
            if rng.random() < 0.5:
                t = self._later(t, 30)
                steps.append(Step("message", t, agent, MessageKind.REPLY, self._agent_text(
                    language, rng.choice(language.agent_questions), values, channel, agent)))
                t = self._later(t, 300, 1.3)
                steps.append(Step("message", t, None, MessageKind.CUSTOMER, self._customer_text(
                    language, rng.choice(language.customer_answers), values, channel, first=False)))
            else:
                t = self._later(t, 60 * 24, 0.8)
                steps.append(Step("message", t, None, MessageKind.CUSTOMER, self._customer_text(
                    language, rng.choice(language.chasers), values, channel, first=False)))
                if rng.random() < 0.3:
                    t = self._later(t, 30)
                    steps.append(Step("message", t, agent, MessageKind.NOTE, rng.choice(language.notes)))
                t = self._later(t, 120, 1.1)
                steps.append(Step("message", t, agent, MessageKind.REPLY, self._agent_text(
                    language, rng.choice(language.holding_replies), values, channel, agent)))
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
        elif rng.random() < 0.97:
            # A forgotten ticket is closed in a clean-up weeks later, so years-old tickets are not
            # still open; the recent ones are, until their time comes.
            steps.append(Step("status", t + dt.timedelta(days=rng.randrange(14, 90)), None, status=Status.CLOSED))
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
    start = now - dt.timedelta(days=days - 1)  # the last day is today, up to now
    hours = list(range(24))
    hour_weights = list(_accumulate([1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 15, 12, 14, 15, 14, 12, 9, 6, 4, 3, 2, 2, 1]))
    while len(times) < count:
        # Growth: the density rises over the period (more customers lately).
        offset = days * (rng.random() ** 0.75)
        day = start + dt.timedelta(days=int(offset))
        if day.weekday() >= 5 and rng.random() < 0.6:
            continue
        hour = rng.choices(hours, cum_weights=hour_weights)[0]
        when = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60),
                           microsecond=rng.randrange(1_000_000))
        if when < now - dt.timedelta(minutes=5):
            times.append(when)
    times.sort()
    return times


# A demo opened in the morning shows a working inbox: this many tickets (at most) came in over the last
# three days, a third of them in the last few hours, so new, open, pending and unassigned ones fill the
# views, some still waiting for a first reply. The year of history behind them is mostly resolved.
MORNING_TICKETS = 45


def morning_count(count: int) -> int:
    return min(MORNING_TICKETS, count * 15 // 100)


def morning_times(rng: random.Random, count: int, now: dt.datetime) -> list[dt.datetime]:
    """``count`` times in the last three days, a third of them in the last five hours."""
    times = []
    for index in range(count):
        span = dt.timedelta(hours=5) if index % 3 == 0 else dt.timedelta(days=3)
        when = now - dt.timedelta(minutes=6) - span * rng.random()
        times.append(when)
    return sorted(times)


def days_for(count: int) -> int:
    """One year of history for a small demo, growing to five years from 100,000 tickets."""
    return int(365 * min(5.0, max(1.0, count / 20000)))


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
                    times.setdefault("resolved_at", step.at)  # closing an unresolved ticket resolves it too
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
                   "external_id", "delivery_state", "delivery_error", "created_at", "thread_key")
EMPTY_LIST_COLUMNS = ("cc", "bcc", "forward_to")  # the demo's messages carry no copies or forwards


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
    def add_message(kind: str, actor_id: int | None, text: str, at: dt.datetime) -> None:
        # Replies went by e-mail, whatever the ticket came through (every demo person has an address):
        # what the reply route (pomoc.channels.routes) chooses for them.
        is_reply = kind == MessageKind.REPLY
        state = DeliveryState.SENT.value if is_reply else ""
        medium = Channel.EMAIL.value if is_reply else channel
        messages.append((kind, medium, actor_id, plan.person.contact_id if kind == MessageKind.CUSTOMER else None,
                         text, text_to_html(text), "", state, "", at, ""))
        events.append((EventType.MESSAGE_ADDED.value, actor_id, {"kind": kind, "channel": medium}, at,
                       len(messages) - 1))
        if state:  # the services queue an e-mail reply (with its event) before it is delivered
            events.append((EventType.DELIVERY_QUEUED.value, actor_id,
                           {"state": DeliveryState.QUEUED.value, "error": ""}, at, len(messages) - 1))

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


IDS_LOCK = 0x706F6D6F  # advisory lock key ("pomo"): bulk writers take their ids one at a time


def _new_ids(cursor, model, count: int) -> list[int]:
    """``count`` new primary keys, consecutive even while other demo writers run (so a batch is one range)."""
    table = model._meta.db_table
    cursor.execute("SELECT pg_advisory_lock(%s)", [IDS_LOCK])
    try:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, count])
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [IDS_LOCK])


def _copy_rows(batch: list[Rows], tag_ids: dict[str, int]) -> tuple[int, int]:
    """PostgreSQL: COPY, several times faster than INSERT. Primary keys come from the sequences first."""
    through = Ticket.tags.through
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")  # demo data: a crash just loses the last batch
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if cursor.fetchone()[0]:
            # Every foreign key of these rows is right by construction; checking each one at commit
            # (Django's constraints are deferred) costs a fifth of the load. Replica mode skips the
            # checks, for this transaction only; it needs a superuser, so others just pay for them.
            cursor.execute("SET LOCAL session_replication_role = replica")
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
        # JSON list columns have no database default: COPY writes their empty value itself
        columns = ", ".join(("id", "ticket_id", *MESSAGE_COLUMNS, *EMPTY_LIST_COLUMNS))
        empty = ("[]",) * len(EMPTY_LIST_COLUMNS)
        events = 0
        with cursor.copy(f"COPY {Message._meta.db_table} ({columns}) FROM STDIN") as copy:
            position = 0
            for ticket_id, r in zip(ticket_ids, batch, strict=True):
                for values in r.messages:
                    copy.write_row((message_ids[position], ticket_id, *values, *empty))
                    position += 1
        with cursor.copy(f"COPY {TicketEvent._meta.db_table} (ticket_id, type, actor_id, data, at) FROM STDIN") as copy:
            position = 0
            for ticket_id, r in zip(ticket_ids, batch, strict=True):
                ids = message_ids[position:position + len(r.messages)]
                position += len(r.messages)
                for type_, actor_id, data, at, index in r.events:
                    copy.write_row((ticket_id, type_, actor_id, json.dumps(_event_data(data, index, ids)), at))
                    events += 1
        search_index.refresh_range(ticket_ids[0], ticket_ids[-1], cursor=cursor)
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


@dataclass
class BulkJob:
    """What every bulk batch needs. Batch ``i`` plans with its own random generator (seeded from the
    run's seed and ``i``), so the data is the same whichever process builds which batch."""

    planner: Planner
    times: list[dt.datetime]
    first_number: int
    batch_size: int
    seed: str
    tag_ids: dict[str, int]

    @property
    def batch_count(self) -> int:
        return math.ceil(len(self.times) / self.batch_size)

    def rows(self, index: int) -> list[Rows]:
        self.planner.rng = random.Random(f"{self.seed}/{index}")
        start = index * self.batch_size
        batch = [rows_for(self.planner.plan(when), self.first_number + start + i)
                 for i, when in enumerate(self.times[start:start + self.batch_size])]
        missing = {name for r in batch for name in r.tag_names} - set(self.tag_ids)
        if missing:
            self.tag_ids.update({t.name: t.pk for t in tags_get_or_create(missing)})
        return batch

    def write(self, index: int) -> tuple[int, int, int]:
        batch = self.rows(index)
        messages, events = write_rows(batch, self.tag_ids)
        return len(batch), messages, events


_JOB: BulkJob | None = None  # the job of the running bulk load, inherited by the forked writers


def _write_batch(index: int) -> tuple[int, int, int]:
    assert _JOB is not None
    return _JOB.write(index)


def _close_connections_at_exit() -> None:
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)


def _write_in_processes(job: BulkJob, workers: int) -> Iterator[tuple[int, int, int]]:
    """PostgreSQL: ``workers`` forked processes each plan, build and COPY whole batches on their own
    connection, so Python and the database server keep both cores busy."""
    global _JOB
    connections.close_all()  # a forked child must never use (or close) the parent's connection
    _JOB = job
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_close_connections_at_exit)
    try:
        yield from pool.imap_unordered(_write_batch, range(job.batch_count))
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        _JOB = None


def vacuum_analyze() -> None:
    """After a big load: fresh statistics, so the first queries get good plans, and the dead rows
    the search-document updates left behind cleaned up now rather than by autovacuum mid-benchmark."""
    tables = [model._meta.db_table for model in (Ticket, Message, TicketEvent, Contact, Identity)]
    tables.append(Ticket.tags.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


# How the demo's customers answer: most are content, a few are not (the weights of each score).
CSAT_WEIGHTS = {5: 55, 4: 25, 3: 9, 2: 6, 1: 5}
CES_WEIGHTS = {7: 35, 6: 30, 5: 15, 4: 8, 3: 6, 2: 4, 1: 2}
NPS_WEIGHTS = {10: 30, 9: 22, 8: 15, 7: 10, 6: 7, 5: 5, 4: 3, 3: 3, 2: 2, 1: 1, 0: 2}


def ensure_rewards() -> None:
    """A few badges, so that the demo's Agents page shows what rewards look like (once)."""
    from pomoc.reports.models import Achievement, Badge

    if Badge.objects.exists():
        return
    Badge.objects.bulk_create([
        Badge(name="Closer", description="Resolved 20 tickets", achievement=Achievement.RESOLVED, threshold=20),
        Badge(name="Speedy", description="10 first replies within the target",
              achievement=Achievement.FAST_FIRST_RESPONSE, threshold=10),
        Badge(name="Loved", description="5 top ratings", achievement=Achievement.TOP_RATINGS, threshold=5),
    ])


def create_survey_answers(rng: random.Random, first_number: int, now: dt.datetime) -> int:
    """Answers to the surveys about the resolved tickets just added (about a third answer CSAT, a fifth
    CES) and a few NPS answers, so that a new installation's reports show survey figures; CSAT is
    switched on. In batches, so that a million tickets load as fast as before."""
    from pomoc.surveys.models import Answer, Survey, SurveyKind

    Survey.objects.get_or_create(kind=SurveyKind.CSAT, defaults={"enabled": True, "low_score": 2})

    def score(weights: dict[int, int]) -> int:
        return rng.choices(list(weights), weights=list(weights.values()))[0]

    resolved = (Ticket.objects.filter(number__gte=first_number, resolved_at__isnull=False)
                .values_list("id", "requester_id", "assignee_id", "department_id", "channel", "resolved_at")
                .order_by("id").iterator(chunk_size=5000))
    batch, created = [], 0
    for ticket_id, contact_id, agent_id, department_id, channel, resolved_at in resolved:
        for kind, share, weights in ((SurveyKind.CSAT, 0.35, CSAT_WEIGHTS), (SurveyKind.CES, 0.2, CES_WEIGHTS)):
            if rng.random() < share:
                at = min(now, resolved_at + dt.timedelta(minutes=rng.randint(10, 48 * 60)))
                batch.append(Answer(kind=kind, score=score(weights), ticket_id=ticket_id, contact_id=contact_id,
                                    agent_id=agent_id, department_id=department_id, channel=channel,
                                    answered_at=at))
        if rng.random() < 0.05:
            batch.append(Answer(kind=SurveyKind.NPS, score=score(NPS_WEIGHTS), contact_id=contact_id,
                                channel=channel, answered_at=now - dt.timedelta(minutes=rng.randint(60, 90 * 24 * 60))))
        if len(batch) >= 5000:
            created += len(Answer.objects.bulk_create(batch))
            batch = []
    created += len(Answer.objects.bulk_create(batch))
    return created


def load(*, tickets: int, password: str = DEFAULT_PASSWORD, seed: int | None = None, bulk: bool | None = None,
         batch_size: int = 2000, scale: Scale | None = None, workers: int = 2,
         progress: Callable[[int], None] | None = None) -> Summary:
    """Create the demo staff (once) and add ``tickets`` tickets with their conversations.

    ``scale`` (default :func:`scale_for`) says how many contacts, agents and departments to use.
    Bulk loads on PostgreSQL run ``workers`` writer processes unless called inside a transaction.
    """
    scale = scale or scale_for(tickets)
    rng = random.Random(seed)
    now = timezone.now()
    bulk = tickets > BULK_THRESHOLD if bulk is None else bulk
    staff = ensure_staff(password, agents=scale.agents, departments=scale.departments)
    ensure_catalogue()
    ensure_rewards()
    ensure_knowledge_base()
    people = create_contacts(rng, scale.contacts) if tickets else []
    summary = Summary(contacts=len(people), bulk=bulk, staff=staff)
    demo_orders.create_orders(rng, people, now, staff, with_returns=not bulk)
    if not tickets:
        return summary
    planner = Planner(rng, staff, people, now)
    morning = morning_count(tickets)
    times = sorted(creation_times(rng, tickets - morning, now, days_for(tickets)) + morning_times(rng, morning, now))
    if not bulk:
        for when in times:
            ticket = load_with_services(planner.plan(when))
            summary.first_number = summary.first_number or ticket.number
            summary.tickets += 1
            if progress:
                progress(1)
        summary.messages = Message.objects.filter(ticket__number__gte=summary.first_number).count()
        summary.events = TicketEvent.objects.filter(ticket__number__gte=summary.first_number).count()
        create_survey_answers(rng, summary.first_number, now)
        return summary
    first_number = reserve_ticket_numbers(tickets)
    summary.first_number = first_number
    job = BulkJob(planner=planner, times=times, first_number=first_number, batch_size=batch_size,
                  seed=f"{seed if seed is not None else rng.random()}",
                  tag_ids=dict(Tag.objects.values_list("name", "id")))
    parallel = connection.vendor == "postgresql" and not connection.in_atomic_block and workers > 1
    results = (_write_in_processes(job, workers) if parallel
               else (job.write(index) for index in range(job.batch_count)))
    for count, messages, events in results:
        summary.tickets += count
        summary.messages += messages
        summary.events += events
        if progress:
            progress(count)
    create_survey_answers(rng, first_number, now)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        vacuum_analyze()
    return summary
