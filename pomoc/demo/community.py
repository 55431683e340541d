"""Demo content for the community: forum categories, topics with replies (some answered, one pinned)
and ideas with votes and statuses, in English, Czech, Polish and Estonian, written through the
community's services (so they are in the portal search too). Runs once: nothing is added when the
forum has categories already."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.community import idea_services, services
from pomoc.community.models import Category, Idea, Reply, Subscription, Topic
from pomoc.contacts.models import Contact, Identity, IdentityKind
from pomoc.contacts.services import contact_get_or_create

CUSTOMERS = [  # e-mail (their sign-in), name, language: used when the demo has no contacts of that language
    ("emma.clarke@example.com", "Emma Clarke", "en"),
    ("jana.dvorakova@example.cz", "Jana Dvořáková", "cs"),
    ("pawel.wojcik@example.pl", "Paweł Wójcik", "pl"),
    ("kadri.tamm@example.ee", "Kadri Tamm", "et"),
    ("oliver.hughes@example.com", "Oliver Hughes", "en"),
]
CATEGORIES = [  # slug, name, description
    ("getting-started", "Getting started", "First steps, accounts and signing in."),
    ("billing", "Billing and invoices", "Plans, payments, invoices and refunds."),
    ("tips", "Tips and tricks", "Share how you use the product."),
]
# category, language, author index, title, body, replies [(author index or "agent", body)], accepted reply index
TOPICS = [
    ("getting-started", "en", 0, "How do I reset my password on the phone app?",
     "I can sign in on the web, but the **phone app** keeps saying my password is wrong. Any idea?",
     [("agent", "Open *Settings → Account → Sign out*, then sign in again: the app keeps an old token "
                "after a password change. We are fixing this in the next release."),
      (4, "Same here, signing out and in again fixed it for me.")], 0),
    ("getting-started", "cs", 1, "Přihlášení přes mobil nefunguje",
     "Po změně hesla se nemohu přihlásit v mobilní aplikaci. Na počítači je všechno v pořádku.",
     [("agent", "Dobrý den, odhlaste se prosím v aplikaci (*Nastavení → Účet*) a přihlaste se znovu. "
                "Opravu chystáme v příští verzi."),
      (1, "Děkuji, pomohlo to!")], 0),
    ("billing", "pl", 2, "Faktura z błędnym NIP-em",
     "Na ostatniej fakturze jest zły NIP firmy. Czy można wystawić korektę?",
     [("agent", "Oczywiście. Proszę podać poprawny NIP w profilu firmy, a fakturę korygującą wyślemy w ciągu "
                "dwóch dni roboczych.")], 0),
    ("billing", "et", 3, "Kas arve saab tasuda osamaksetena?",
     "Aastane pakett on meie väikesele ühingule kallis. Kas on võimalik maksta igakuiselt?",
     [(0, "We switched to monthly billing last year, it is in the plan settings."),
      ("agent", "Jah, igakuine makse on võimalik: valige paketi seadetes „Kuumakse“. Hind jääb samaks.")], 1),
    ("tips", "en", 4, "Keyboard shortcuts you can't live without",
     "Share your favourite shortcuts! Mine: `j` / `k` to move through lists and `r` to reply.",
     [(0, "`?` shows every shortcut, which is how I learned the rest."),
      (2, "`/` do wyszukiwania: najszybszy sposób, żeby znaleźć zgłoszenie.")], None),
    ("tips", "cs", 1, "Jak si nastavit podpis v e-mailech",
     "Hledala jsem, kde se mění **podpis**. Je to v *Předvolbách*, úplně dole. Třeba to někomu ušetří čas.", [], None),
]
# language, author index, title, body, extra voter indexes, status, official answer
IDEAS = [
    ("en", 0, "Dark mode for the help centre", "A dark theme would be easier on the eyes in the evening.",
     [1, 2, 3, 4], "planned", "Planned for the spring release. Thank you for the votes!"),
    ("cs", 1, "Export zpráv do PDF", "Potřebuji někdy poslat celou konverzaci účetní: export do PDF by se hodil.",
     [0, 3], "under_review", "Zvažujeme to spolu s tiskem konverzace."),
    ("pl", 2, "Powiadomienia SMS o odpowiedzi", "Chciałbym dostać SMS, kiedy ktoś odpowie na moje zgłoszenie.",
     [4], "new", ""),
    ("et", 3, "Õiguste haldus meeskonnale", "Soovime, et ühingu liikmed näeksid üksteise pöördumisi.",
     [0, 1], "in_progress", "Töös: ettevõtte kontaktid saavad peagi näha ühiseid pöördumisi."),
    ("en", 4, "Let me attach files to forum posts", "Screenshots would make questions much clearer.",
     [], "declined", "Not for now: please link to an image instead, or open a ticket to send files."),
]


def _account(contact, email: str, language: str, password: str):
    user_model = get_user_model()
    user = user_model.objects.filter(username=email).first()
    if user is None:
        user = user_model(username=email, email=email, first_name=contact.name or email, role=Role.CUSTOMER,
                          language=language, date_joined=timezone.now() - dt.timedelta(days=90))
        user.set_password(password)
        user.save()
    if contact.user_id is None:
        Contact.objects.filter(pk=contact.pk).update(user=user)
    return user


def _people(password: str) -> list:
    """Customer accounts for the demo's own contacts when it has some (one per language first), so
    the forum's people are the ones behind the demo tickets; new contacts only when there are none."""
    people, taken = [], set()
    for email, name, language in CUSTOMERS:
        identity = (Identity.objects.filter(kind=IdentityKind.EMAIL, contact__user__isnull=True,
                                            contact__language=language).exclude(contact_id__in=taken)
                    .select_related("contact").order_by("contact_id").first())
        if identity is None:
            contact, _created = contact_get_or_create(kind=IdentityKind.EMAIL, value=email, name=name)
            people.append(_account(contact, email, language, password))
        else:
            people.append(_account(identity.contact, identity.value, language, password))
            contact = identity.contact
        taken.add(contact.pk)
    return people


def load_community(*, password: str, agent) -> dict:
    """Fill the forum and ideas; ``agent`` (a staff user) answers. Returns what was added."""
    if Category.objects.exists():
        return {"topics": 0, "ideas": 0}
    with transaction.atomic():
        people = _people(password)
        categories = {slug: Category.objects.create(slug=slug, name=name, description=description, position=i)
                      for i, (slug, name, description) in enumerate(CATEGORIES)}
    for slug, language, author, title, body, replies, accepted in TOPICS:
        topic = services.topic_create(author=people[author], category=categories[slug], title=title, body=body,
                                      language=language)
        written = [services.reply_create(topic=topic, author=agent if who == "agent" else people[who], body=text)
                   for who, text in replies]
        if accepted is not None:
            services.answer_accept(topic=topic, reply=written[accepted], actor=topic.author)
        for voter in people[:3]:
            if voter != topic.author:
                services.topic_vote_toggle(topic=topic, user=voter)
    first = Topic.objects.order_by("pk").first()
    services.topic_moderate(topic=first, actor=agent, action="pin")
    for language, author, title, body, voters, status, answer in IDEAS:
        idea = idea_services.idea_create(author=people[author], title=title, body=body, language=language)
        for voter in voters:
            idea_services.idea_vote_toggle(idea=idea, user=people[voter])
        if status != "new":
            with transaction.atomic():  # demo people get no mail: their notice counts as sent
                idea_services.idea_status_set(idea=idea, actor=agent, status=status, answer=answer or None)
                Idea.objects.filter(pk=idea.pk).update(notified_status=status)
    Subscription.objects.update(pending_since=None)
    return {"topics": Topic.objects.count(), "replies": Reply.objects.count(), "ideas": Idea.objects.count()}
