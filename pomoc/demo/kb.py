"""The demo's knowledge base: a few categories and articles, each in English, Czech, Polish and
Estonian, with the words people type without their diacritics (přihlášení, żółw, õigus)."""

from __future__ import annotations

from pomoc.accounts.models import Role, User

# (category slug, {lang: name}, [(section slug, {lang: name}, [article])])
# article: (kind, tags, internal, {lang: (title, summary, body)})
CONTENT = [
    ("account", {"en": "Your account", "cs": "Váš účet", "pl": "Twoje konto", "et": "Sinu konto"}, [
        ("signing-in", {"en": "Signing in", "cs": "Přihlášení", "pl": "Logowanie", "et": "Sisselogimine"}, [
            ("howto", ["login", "password"], False, {
                "en": ("Signing in to your account", "How to sign in and what to do when it fails.",
                       "## Sign in\n\n1. Open the sign-in page.\n2. Enter your e-mail address and password.\n"
                       "3. Press **Sign in**.\n\nForgot your password? Use *Reset password* on the same page."),
                "cs": ("Přihlášení do účtu", "Jak se přihlásit a co dělat, když přihlášení selže.",
                       "## Přihlášení\n\n1. Otevřete stránku přihlášení.\n2. Zadejte e-mailovou adresu a heslo.\n"
                       "3. Klikněte na **Přihlásit**.\n\nZapomněli jste heslo? Použijte *Obnovit heslo* "
                       "na stejné stránce."),
                "pl": ("Logowanie do konta", "Jak się zalogować i co zrobić, gdy logowanie się nie udaje.",
                       "## Logowanie\n\n1. Otwórz stronę logowania.\n2. Wpisz adres e-mail i hasło.\n"
                       "3. Kliknij **Zaloguj**.\n\nNie pamiętasz hasła? Użyj opcji *Zmień hasło*."),
                "et": ("Kontosse sisselogimine", "Kuidas sisse logida ja mida teha, kui see ei õnnestu.",
                       "## Sisselogimine\n\n1. Ava sisselogimise leht.\n2. Sisesta e-posti aadress ja parool.\n"
                       "3. Vajuta **Logi sisse**.\n\nUnustasid parooli? Kasuta valikut *Lähtesta parool*."),
            }),
            ("troubleshooting", ["login", "two-factor"], False, {
                "en": ("The sign-in code does not arrive", "What to check when the one-time code is missing.",
                       "- Check the spam folder.\n- Wait two minutes: codes can be slow.\n"
                       "- Make sure your phone's clock is right.\n\nStill nothing? Write to us."),
                "cs": ("Nepřišel přihlašovací kód", "Co zkontrolovat, když jednorázový kód nedorazí.",
                       "- Podívejte se do složky nevyžádané pošty.\n- Počkejte dvě minuty: kódy se mohou "
                       "zpozdit.\n- Zkontrolujte, že hodiny v telefonu jdou správně.\n\nStále nic? Napište nám."),
                "pl": ("Kod logowania nie dociera", "Co sprawdzić, gdy brakuje kodu jednorazowego.",
                       "- Sprawdź folder spam.\n- Poczekaj dwie minuty: kody bywają wolne jak żółw.\n"
                       "- Upewnij się, że zegar w telefonie jest poprawny.\n\nNadal nic? Napisz do nas."),
                "et": ("Sisselogimiskood ei saabu", "Mida kontrollida, kui ühekordne kood puudub.",
                       "- Vaata rämpsposti kausta.\n- Oota kaks minutit: koodid võivad hilineda.\n"
                       "- Kontrolli, et telefoni kell on õige.\n\nIkka midagi? Kirjuta meile."),
            }),
        ]),
        ("privacy", {"en": "Privacy", "cs": "Soukromí", "pl": "Prywatność", "et": "Privaatsus"}, [
            ("faq", ["gdpr", "data"], False, {
                "en": ("Your right to your data", "How to get a copy of your data or have it deleted.",
                       "You have the right to a copy of the personal data we hold about you and the right "
                       "to have it deleted. Ask through the contact form; we answer within 30 days."),
                "cs": ("Vaše právo na údaje", "Jak získat kopii svých údajů nebo je nechat smazat.",
                       "Máte právo na kopii osobních údajů, které o vás vedeme, a právo na jejich výmaz. "
                       "Požádejte přes kontaktní formulář; odpovíme do 30 dnů."),
                "pl": ("Twoje prawo do danych", "Jak otrzymać kopię swoich danych lub je usunąć.",
                       "Masz prawo do kopii danych osobowych, które o Tobie przechowujemy, oraz prawo do "
                       "ich usunięcia. Napisz przez formularz kontaktowy; odpowiemy w ciągu 30 dni."),
                "et": ("Sinu õigus andmetele", "Kuidas saada oma andmete koopia või lasta need kustutada.",
                       "Sul on õigus saada koopia isikuandmetest, mida sinu kohta hoiame, ja õigus nõuda "
                       "nende kustutamist. Küsi kontaktivormi kaudu; vastame 30 päeva jooksul."),
            }),
        ]),
    ]),
    ("billing", {"en": "Billing", "cs": "Platby a faktury", "pl": "Płatności", "et": "Arveldamine"}, [
        ("invoices", {"en": "Invoices", "cs": "Faktury", "pl": "Faktury", "et": "Arved"}, [
            ("howto", ["invoice"], False, {
                "en": ("Downloading an invoice", "Where to find your invoices.",
                       "Open **My requests**, choose *Invoices* and press *Download*. Invoices are PDF files."),
                "cs": ("Stažení faktury", "Kde najdete své faktury.",
                       "Otevřete **Moje požadavky**, zvolte *Faktury* a klikněte na *Stáhnout*. Faktury "
                       "jsou soubory PDF."),
                "pl": ("Pobieranie faktury", "Gdzie znaleźć swoje faktury.",
                       "Otwórz **Moje zgłoszenia**, wybierz *Faktury* i kliknij *Pobierz*. Faktury to pliki PDF."),
                "et": ("Arve allalaadimine", "Kust leida oma arved.",
                       "Ava **Minu pöördumised**, vali *Arved* ja vajuta *Laadi alla*. Arved on PDF-failid."),
            }),
            ("use_case", ["refund"], False, {
                "en": ("Returning goods and getting a refund", "A return from start to finish.",
                       "1. Write to us with your order number.\n2. Send the goods back within 14 days.\n"
                       "3. The refund reaches your account within five working days."),
                "cs": ("Vrácení zboží a peněz", "Vrácení od začátku do konce.",
                       "1. Napište nám číslo objednávky.\n2. Pošlete zboží zpět do 14 dnů.\n"
                       "3. Peníze vám vrátíme na účet do pěti pracovních dnů."),
                "pl": ("Zwrot towaru i pieniędzy", "Zwrot od początku do końca.",
                       "1. Napisz do nas z numerem zamówienia.\n2. Odeślij towar w ciągu 14 dni.\n"
                       "3. Zwrot pieniędzy trafi na Twoje konto w ciągu pięciu dni roboczych."),
                "et": ("Kauba tagastamine ja raha tagasi", "Tagastus algusest lõpuni.",
                       "1. Kirjuta meile tellimuse numbriga.\n2. Saada kaup tagasi 14 päeva jooksul.\n"
                       "3. Raha jõuab sinu kontole viie tööpäeva jooksul."),
            }),
            ("howto", ["refund", "internal"], True, {
                "en": ("Approving a refund (agents)", "The internal steps before money goes back.",
                       "Check the order in the shop's back office, then mark the ticket *refund approved*."),
                "cs": ("Schválení vrácení peněz (agenti)", "Interní postup před vrácením peněz.",
                       "Zkontrolujte objednávku v administraci obchodu a označte tiket *vrácení schváleno*."),
            }),
        ]),
    ]),
]


def ensure_knowledge_base() -> None:
    """Fill the knowledge base once (nothing happens when the demo's categories exist)."""
    from pomoc.kb import services
    from pomoc.kb.models import Category, Translation

    if Category.objects.filter(slug__in=[slug for slug, _names, _sections in CONTENT]).exists():
        return
    publisher = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("id").first()
    author = User.objects.filter(role=Role.AGENT, is_active=True).order_by("id").first() or publisher
    if publisher is None:
        return
    for position, (slug, names, sections) in enumerate(CONTENT):
        category = services.category_create(names=names, slug=slug, position=position)
        for section_position, (section_slug, section_names, articles) in enumerate(sections):
            section = services.section_create(category=category, names=section_names, slug=section_slug,
                                              position=section_position)
            for kind, tags, internal, texts in articles:
                article = None
                for language, (title, summary, body) in texts.items():
                    if article is None:
                        first = services.article_create(section=section, author=author, language=language,
                                                        title=title, summary=summary, body=body, kind=kind,
                                                        tags=tags, internal=internal)
                        article = first.article
                    else:
                        services.translation_save(article=article, language=language, title=title,
                                                  summary=summary, body=body, author=author)
                for translation in Translation.objects.filter(article=article):
                    services.translation_publish(translation=translation, actor=publisher)
