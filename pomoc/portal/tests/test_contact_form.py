import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from pomoc.channels.models import Inbox
from pomoc.channels.web.models import FormVisit, PendingSubmission
from pomoc.contacts.models import Contact
from pomoc.testing.factories import ContactFactory, DepartmentFactory
from pomoc.tickets.models import Channel, CustomFieldDefinition, MessageKind, Ticket

from .conftest import form_token

pytestmark = pytest.mark.django_db


def _form(**extra) -> dict:
    return {"token": form_token(), "visit": "a" * 32, "name": "Eva Svobodová", "email": "eva@example.cz",
            "subject": "Objednávka nedorazila", "text": "Dobrý den, objednávka 1234 nedorazila.", **extra}


def test_the_form_opens_a_web_ticket_and_mails_a_link_to_it(client, web_inbox, django_capture_on_commit_callbacks):
    assert client.get(reverse("portal:contact")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("portal:contact"), _form())
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and f"number={ticket.number}" in answer["Location"]
    assert ticket.channel == Channel.WEB and ticket.department == web_inbox.department
    assert ticket.requester.email == "eva@example.cz" and ticket.requester.name == "Eva Svobodová"
    message = ticket.messages.get()
    assert message.kind == MessageKind.CUSTOMER and message.inbox == web_inbox
    [ack] = mail.outbox
    assert ack.to == ["eva@example.cz"] and f"#{ticket.number}" in ack.subject
    assert reverse("portal:ticket", args=[ticket.number]) in ack.body
    assert str(ticket.number) in client.get(answer["Location"]).content.decode()


def test_the_same_form_sent_twice_opens_one_ticket(client, web_inbox):
    data = _form()
    client.post(reverse("portal:contact"), data)
    client.post(reverse("portal:contact"), data)
    assert Ticket.objects.count() == 1


def test_a_signed_in_customer_writes_as_themselves_and_lands_on_the_ticket(client, web_inbox, customer):
    client.force_login(customer)
    answer = client.post(reverse("portal:contact"), _form(email="someone.else@example.org"))
    ticket = Ticket.objects.get()
    assert ticket.requester == customer.contact
    assert answer["Location"] == reverse("portal:ticket", args=[ticket.number])


def test_bad_input_gets_messages_and_keeps_what_was_typed(client, web_inbox):
    answer = client.post(reverse("portal:contact"), _form(email="not-an-address", subject=""))
    content = answer.content.decode()
    assert answer.status_code == 400
    assert "Enter your e-mail address" in content and "Say in a few words" in content
    assert "objednávka 1234 nedorazila" in content
    assert not Ticket.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_stored(client, web_inbox):
    answer = client.post(reverse("portal:contact"), _form(website="http://spam.example"))
    assert answer.status_code == 302 and not Ticket.objects.exists()


def test_a_form_sent_too_fast_or_with_a_forged_token_is_refused(client, web_inbox):
    fast = client.post(reverse("portal:contact"), _form(token=form_token(age=0)))
    assert fast.status_code == 400 and "quicker than a person" in fast.content.decode()
    forged = client.post(reverse("portal:contact"), _form(token="forged"))
    assert forged.status_code == 400
    assert not Ticket.objects.exists()


@override_settings(POMOC_CONTACT_FORM_RATE_LIMIT=2)
def test_forms_per_client_address_are_limited(client, web_inbox):
    for _n in range(2):
        assert client.post(reverse("portal:contact"), _form()).status_code == 302
    refused = client.post(reverse("portal:contact"), _form())
    assert refused.status_code == 429 and "Too many forms" in refused.content.decode()
    assert Ticket.objects.count() == 2


def test_unknown_senders_confirm_first_when_the_form_asks_for_it(client, web_inbox, django_capture_on_commit_callbacks):
    Inbox.objects.filter(pk=web_inbox.pk).update(config={"confirm_unknown": True, "min_seconds": 3})
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("portal:contact"), _form())
    assert "pending=1" in answer["Location"] and not Ticket.objects.exists()
    [confirmation] = mail.outbox
    link = confirmation.body.split("http://", 1)[1].split()[0].split("/", 1)[1]
    assert client.get("/" + link).status_code == 200 and not Ticket.objects.exists()  # a mail scanner opened it
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/" + link)
    ticket = Ticket.objects.get()
    assert ticket.subject == "Objednávka nedorazila"
    client.post("/" + link)
    assert Ticket.objects.count() == 1 and PendingSubmission.objects.get().ticket == ticket


def test_known_senders_need_no_confirmation(client, web_inbox):
    Inbox.objects.filter(pk=web_inbox.pk).update(config={"confirm_unknown": True})
    ContactFactory(email="eva@example.cz")
    client.post(reverse("portal:contact"), _form())
    assert Ticket.objects.count() == 1 and Contact.objects.count() == 1


def test_each_department_has_its_form_with_its_custom_fields(client, web_inbox):
    CustomFieldDefinition.objects.create(key="order", label="Order number", type="text", required=True)
    CustomFieldDefinition.objects.create(key="hidden", label="Internal score", type="number")
    sales = Inbox.objects.create(name="Sales form", kind="web", department=DepartmentFactory(name="Sales"),
                                 config={"fields": ["order"]})
    page = client.get(reverse("portal:contact") + f"?department={sales.department_id}").content.decode()
    assert "Order number" in page and "Internal score" not in page
    assert "Order number" not in client.get(reverse("portal:contact")).content.decode()
    missing = client.post(reverse("portal:contact"), _form(department=sales.department_id))
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    client.post(reverse("portal:contact"), _form(department=sales.department_id, cf_order="A-77", cf_hidden="9"))
    ticket = Ticket.objects.get()
    assert ticket.department == sales.department and ticket.custom_fields == {"order": "A-77"}


def test_no_form_no_page(client):
    assert client.get(reverse("portal:contact")).status_code == 404
    assert client.get(reverse("portal:contact") + "?department=x").status_code == 404


def test_the_embedded_form_may_be_framed_by_the_allowed_sites_only(client, web_inbox):
    Inbox.objects.filter(pk=web_inbox.pk).update(config={"embed_origins": ["https://shop.example.com"]})
    embedded = client.get(reverse("portal:contact-embed"))
    assert "frame-ancestors https://shop.example.com;" in embedded["Content-Security-Policy"]
    assert "X-Frame-Options" not in embedded
    assert "portal-nav" not in embedded.content.decode()
    page = client.get(reverse("portal:contact"))
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"


def test_the_embedded_form_works_without_cookies(web_inbox):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    answer = client.post(reverse("portal:contact-embed"), _form())
    assert answer.status_code == 302 and "embed=1" in answer["Location"]
    assert Ticket.objects.count() == 1


def test_an_opened_suggestion_is_a_deflection_until_the_visit_sends_the_form(client, web_inbox):
    visit = "b" * 32
    answer = client.post(reverse("portal:contact-visit"), {"visit": visit, "article": "/kb/reset-password/"})
    assert answer.status_code == 200
    client.post(reverse("portal:contact-visit"), {"visit": visit, "article": "/kb/other/"})
    row = FormVisit.objects.get()
    assert row.articles_opened == 2 and row.department == web_inbox.department and row.ticket is None
    assert FormVisit.objects.filter(ticket__isnull=True).count() == 1  # one deflection
    client.post(reverse("portal:contact"), _form(visit=visit))
    assert FormVisit.objects.filter(ticket__isnull=True).count() == 0  # it ended with a ticket after all
    bad = client.post(reverse("portal:contact-visit"), {"visit": "short", "article": "https://evil.example"})
    assert bad.status_code == 400


def test_suggestions_answer_json_even_for_short_text(client, web_inbox):
    assert client.get(reverse("portal:contact-suggest") + "?q=ab").json() == {"articles": []}
    assert client.get(reverse("portal:contact-suggest") + "?q=printer").status_code == 200


def test_suggestions_are_articles_from_the_knowledge_base_search(client, web_inbox):
    from pomoc.search import services as search_index

    search_index.index("article", "1", language="cs", title="Jak obnovit přihlášení", body="Heslo a přihlášení.",
                       url="/kb/prihlaseni/")
    search_index.index("topic", "2", language="cs", title="Přihlášení nefunguje", body="Fórum.", url="/community/2/")
    search_index.index("article", "3", language="cs", title="Interní postup přihlášení", body="Jen pro agenty.",
                       url="/kb/internal/", public=False)
    articles = client.get(reverse("portal:contact-suggest") + "?q=prihlaseni").json()["articles"]
    assert articles == [{"title": "Jak obnovit přihlášení", "url": "/kb/prihlaseni/"}]
