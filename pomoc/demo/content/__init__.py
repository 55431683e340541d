"""Demo content, written for Pomoc: people, companies and conversations in four languages.

Each language module defines the same names (see ``Language``). Conversations are templates with
``{placeholders}`` that the generator fills with varied values, and are wrapped in greetings and
sign-offs picked at random, so that thousands of tickets do not read alike.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Conversation:
    """One kind of customer need and how it typically goes."""

    department: str  # Support, Billing, Technical or Sales
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    opening: str  # the customer's first message
    reply: str  # the agent's first answer
    followup: str  # the customer writes back
    resolution: str  # the agent's closing answer
    note: str = ""  # an internal note between colleagues
    priority: int = 2  # typical priority (1 low … 4 urgent)


@dataclass(frozen=True)
class Language:
    code: str
    country_code: str  # E.164 prefix for phone numbers, without "+"
    first_names_female: tuple[str, ...]
    first_names_male: tuple[str, ...]
    last_names: tuple[tuple[str, str], ...]  # (masculine, feminine) forms
    companies: tuple[tuple[str, str], ...]  # (name, e-mail domain)
    free_mail_domains: tuple[str, ...]
    products: tuple[str, ...]
    plans: tuple[str, ...]
    devices: tuple[str, ...]
    cities: tuple[str, ...]
    greetings: tuple[str, ...]
    signoffs: tuple[str, ...]  # {name} is the customer's name
    agent_greetings: tuple[str, ...]  # {first} is the customer's first name
    agent_signoffs: tuple[str, ...]  # {agent} is the agent's name
    asides: tuple[str, ...]  # optional extra sentences in customer messages
    thanks: tuple[str, ...]  # short "it works now" messages from customers
    notes: tuple[str, ...]  # generic internal notes
    # Middle turns of longer conversations, not tied to one topic:
    chasers: tuple[str, ...] = ()  # the customer asks for news
    holding_replies: tuple[str, ...] = ()  # the agent says it is being worked on
    agent_questions: tuple[str, ...] = ()  # the agent asks for a detail
    customer_answers: tuple[str, ...] = ()  # the customer sends the detail
    conversations: tuple[Conversation, ...] = field(default_factory=tuple)


# A word that appears in very few messages, so that search benchmarks have a selective query.
RARE_WORD = "zephyrine"

# A postscript, by language, carrying the rare word into a handful of customer messages.
RARE_ASIDES = {
    "en": f"P.S. Our internal project is called {RARE_WORD.capitalize()}, in case you need a reference.",
    "cs": f"P.S. Náš interní projekt se jmenuje {RARE_WORD.capitalize()}, kdybyste potřebovali referenci.",
    "pl": f"P.S. Nasz wewnętrzny projekt nazywa się {RARE_WORD.capitalize()}, gdyby potrzebowali Państwo odniesienia.",
    "et": f"P.S. Meie sisemise projekti nimi on {RARE_WORD.capitalize()}, kui vajate viidet.",
}


def languages() -> dict[str, Language]:
    from pomoc.demo.content import cs, en, et, pl

    return {module.LANGUAGE.code: module.LANGUAGE for module in (en, cs, pl, et)}
