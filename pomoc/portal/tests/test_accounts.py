import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from pomoc.accounts.models import Role, User
from pomoc.contacts.models import Contact, Identity
from pomoc.portal import tokens
from pomoc.testing.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"https?://\S+?(/\S+)", message.body).group(1)


def test_signing_up_mails_a_link_and_the_link_creates_the_account(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("portal:signup"), {"name": "Petr Malý", "email": "Petr@Example.cz"})
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:signup-sent")
    assert not User.objects.filter(email="petr@example.cz").exists()  # nothing before the address is confirmed
    [message] = mail.outbox
    assert message.to == ["petr@example.cz"]
    link = _link(message)
    assert client.get(link).status_code == 200
    answer = client.post(link, {"new_password1": "Svetla-Strana-77", "new_password2": "Svetla-Strana-77"})
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:my-tickets")
    user = User.objects.get(username="petr@example.cz")
    assert user.role == Role.CUSTOMER and user.is_active
    contact = Contact.objects.get(user=user)
    assert contact.name == "Petr Malý"
    assert Identity.objects.get(contact=contact).verified
    assert client.get(reverse("portal:my-tickets")).status_code == 200  # signed in


def test_signing_up_with_an_address_of_an_existing_contact_attaches_to_it_once_confirmed(
        client, django_capture_on_commit_callbacks):
    contact = ContactFactory(name="Old Contact", email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:signup"), {"name": "Known Person", "email": "known@example.org"})
    assert Contact.objects.get(pk=contact.pk).user is None
    client.post(_link(mail.outbox[0]), {"new_password1": "Svetla-Strana-77", "new_password2": "Svetla-Strana-77"})
    contact.refresh_from_db()
    assert contact.user.username == "known@example.org"
    assert Contact.objects.count() == 1  # an identity of the same person, never a second one


def test_signing_up_again_with_an_address_that_has_an_account_tells_its_owner_only(
        client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("portal:signup"), {"name": "Someone", "email": "jana@example.cz"})
    assert answer["Location"] == reverse("portal:signup-sent")  # the same answer as for a new address
    [message] = mail.outbox
    assert "already has an account" in message.body
    assert "/me/confirm/" not in message.body


def test_a_confirmation_link_works_once(client):
    token = tokens.signup_token(email="twice@example.org", name="Twice", language="")
    data = {"new_password1": "Svetla-Strana-77", "new_password2": "Svetla-Strana-77"}
    assert client.post(reverse("portal:signup-confirm", args=[token]), data).status_code == 302
    client.logout()
    again = client.post(reverse("portal:signup-confirm", args=[token]), data)
    assert again.status_code == 200 and "has an account already" in again.content.decode()
    assert client.get(reverse("portal:signup-confirm", args=["forged"])).status_code == 400


def test_a_customer_signs_in_with_a_password_and_an_agent_cannot_sign_in_here(client, customer):
    wrong = client.post(reverse("portal:login"), {"email": "jana@example.cz", "password": "nope"})
    assert wrong.status_code == 200 and "do not match" in wrong.content.decode()
    UserFactory(username="agent@example.org", role=Role.AGENT, password="Agent-pass-2026")
    agent = client.post(reverse("portal:login"), {"email": "agent@example.org", "password": "Agent-pass-2026"})
    assert "do not match" in agent.content.decode()
    right = client.post(reverse("portal:login") + "?next=/my/tickets/", {
        "email": "Jana@Example.cz", "password": "Customer-pass-2026", "next": "https://evil.example/"})
    assert right.status_code == 302 and right["Location"] == reverse("portal:my-tickets")


@override_settings(LOGIN_RATE_LIMIT=3)
def test_failed_sign_ins_are_limited(client, customer):
    for _attempt in range(3):
        client.post(reverse("portal:login"), {"email": "jana@example.cz", "password": "wrong"})
    refused = client.post(reverse("portal:login"), {"email": "jana@example.cz", "password": "Customer-pass-2026"})
    assert refused.status_code == 429


@override_settings(PASSWORD_RESET_RATE_LIMIT_CLIENT=2)
def test_sign_up_and_link_requests_are_limited(client):
    for n in range(2):
        client.post(reverse("portal:signup"), {"name": "A", "email": f"a{n}@example.org"})
    assert client.post(reverse("portal:signup"), {"name": "A", "email": "a9@example.org"}).status_code == 429
    assert client.post(reverse("portal:login-link-request"), {"email": "a9@example.org"}).status_code == 429


def test_a_one_time_link_signs_in_once(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("portal:login-link-request"), {"email": "jana@example.cz"})
    assert answer.status_code == 200
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 200  # a mail scanner opening it signs nobody in
    assert client.get(reverse("portal:my-tickets")).status_code == 302
    assert client.post(link)["Location"] == reverse("portal:my-tickets")
    client.logout()
    assert client.post(link).status_code == 400  # used


def test_a_link_for_an_unknown_address_sends_nothing_and_says_the_same(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("portal:login-link-request"), {"email": "nobody@example.org"})
    assert answer.status_code == 200 and not mail.outbox


def test_a_customer_chooses_a_new_password_from_the_reset_mail(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:password-reset"), {"email": "jana@example.cz"})
    link = _link(mail.outbox[0])
    form = client.get(link, follow=True)
    answer = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                         {"new_password1": "Nove-Heslo-2027", "new_password2": "Nove-Heslo-2027"})
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:login")
    assert client.post(reverse("portal:login"), {"email": "jana@example.cz", "password": "Nove-Heslo-2027"}
                       ).status_code == 302


def test_the_profile_changes_name_and_language_of_account_and_contact(client, customer):
    client.force_login(customer)
    answer = client.post(reverse("portal:profile"), {"name": "Jana Nová-Malá", "language": "cs"})
    assert answer.status_code == 302
    customer.refresh_from_db()
    assert customer.language == "cs" and customer.contact.name == "Jana Nová-Malá"
    assert customer.contact.language == "cs"
    assert '<html lang="cs">' in client.get(reverse("portal:profile")).content.decode()


def test_a_customer_changes_their_password(client, customer):
    client.force_login(customer)
    answer = client.post(reverse("portal:password-change"), {
        "old_password": "Customer-pass-2026", "new_password1": "Nove-Heslo-2027", "new_password2": "Nove-Heslo-2027"})
    assert answer.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("Nove-Heslo-2027")


@pytest.mark.parametrize("path", ["/inbox/", "/tickets/new/", "/search/?q=x", "/contacts/", "/manage/", "/reports/",
                                  "/manage/portal/"])
def test_a_customer_never_reaches_agent_pages(client, customer, path):
    client.force_login(customer)
    answer = client.get(path)
    assert answer.status_code in (302, 403, 404), path
    if answer.status_code == 302:
        assert not answer["Location"].startswith(path)


def test_signing_out_is_a_post(client, customer):
    client.force_login(customer)
    assert client.get(reverse("portal:logout")).status_code == 405
    assert client.post(reverse("portal:logout"))["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:my-tickets")).status_code == 302


def test_a_customer_made_by_an_administrator_signs_in_with_their_address(client):
    from pomoc.testing.factories import make_customer_user

    user = make_customer_user(ContactFactory(email="made@example.org"), username="made-by-admin")
    user.email = "made@example.org"
    user.set_password("Customer-pass-2026")
    user.save()
    answer = client.post(reverse("portal:login"), {"email": "made@example.org", "password": "Customer-pass-2026"})
    assert answer.status_code == 302
