"""An inbox's own address and its other addresses may be internationalised (RFC 6531), as contacts and
incoming mail may: the settings accept what ``is_valid_email`` accepts and refuse the rest, translated."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from pomoc.accounts.models import Role
from pomoc.channels.models import Inbox
from pomoc.channels.services import inbox_create, inbox_update
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def errors_of(**kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        inbox_create(kind="email", name="Podpora", **kwargs)
    return error.value.message_dict


@pytest.mark.parametrize("address", ["pódpora@mächine.example", "用户@例子.广告", "support@mächine.example"])
def test_an_internationalised_address_is_accepted(address):
    inbox = inbox_create(kind="email", name="Podpora", address=address)
    inbox.refresh_from_db()
    assert inbox.address == address


def test_addresses_are_stored_lower_cased_and_stay_unique():
    inbox_create(kind="email", name="Podpora", address="Pódpora@Mächine.example")
    assert Inbox.objects.get().address == "pódpora@mächine.example"
    assert errors_of(address="PÓDPORA@mächine.example") == {
        "name": ["Another inbox already has this name."],
        "address": ["Another inbox already receives mail for this address."],
    }


@pytest.mark.parametrize("address", ["garbage", "pódpora@", "pódpora@mächine", "pód pora@mächine.example",
                                     "pódpora@mächine.example@x.example"])
def test_garbage_is_still_refused_with_a_translated_error(address):
    assert errors_of(address=address) == {"address": ["Not a valid e-mail address."]}
    with translation.override("cs"):
        assert errors_of(address=address)["address"] != ["Not a valid e-mail address."]


def test_other_addresses_of_the_inbox_may_be_internationalised_too():
    inbox = inbox_create(kind="email", name="Podpora", address="podpora@firma.example",
                         config={"extra_addresses": "Jdöe@Mächine.example\nhelp@firma.example"})
    assert inbox.config["extra_addresses"] == ["jdöe@mächine.example", "help@firma.example"]
    with pytest.raises(ValidationError) as error:
        inbox_update(inbox=inbox, changes={"config": {"extra_addresses": "jdöe@mächine.example nonsense@"}})
    assert error.value.message_dict == {"config.extra_addresses": ["“nonsense@” is not a valid e-mail address."]}


def test_the_administrators_form_saves_such_an_inbox(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.post(reverse("administration:inbox_create") + "?kind=email", {
        "name": "Podpora", "address": "Pódpora@Mächine.example", "department": "", "active": "on", "fetch": "pipe",
        "imap_host": "", "imap_port": "993", "imap_security": "ssl", "imap_username": "", "imap_folder": "INBOX",
        "pop3_host": "", "pop3_port": "995", "pop3_security": "ssl", "pop3_username": "",
        "smtp_host": "", "smtp_port": "587", "smtp_security": "starttls", "smtp_username": "", "from_name": "",
        "extra_addresses": "jdöe@mächine.example", "max_message_bytes": "1000000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    inbox = Inbox.objects.get(name="Podpora")
    assert inbox.address == "pódpora@mächine.example"
    assert inbox.config["extra_addresses"] == ["jdöe@mächine.example"]
