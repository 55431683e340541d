"""An administrator sets up a chat inbox on the administration's page."""

import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.channels.chat import tokens
from pomoc.channels.chat.services import SECRET_NAME, config_of
from pomoc.channels.models import Inbox
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _data(**changes) -> dict:
    data = {"name": "Shop chat", "department": DepartmentFactory(name="Sales").pk, "active": "on",
            "allowed_origins": "https://shop.example.com\nhttps://www.example.com:8443", "title": "Shop",
            "greeting": "Hi!", "colour": "#112233", "position": "left", "max_chats_per_agent": "4",
            "rating_enabled": "on", "prechat_fields": '[{"name": "name", "label": "Your name", "required": true}]',
            "invitations": "", "identity_secret": "top-secret", "offline_message": "We answer by e-mail."}
    data.update(changes)
    return data


def test_an_administrator_creates_a_chat_inbox(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    response = client.post(reverse("administration:inbox_create") + "?kind=chat", _data())
    assert response.status_code == 302, response.content.decode()[:2000]
    inbox = Inbox.objects.get(kind="chat")
    config = config_of(inbox)
    assert config.allowed_origins == ["https://shop.example.com", "https://www.example.com:8443"]
    assert (config.position, config.colour, config.max_chats_per_agent) == ("left", "#112233", 4)
    assert config.prechat_fields[0]["name"] == "name" and config.prechat_fields[0]["required"] is True
    assert tokens.identity_valid(inbox.get_secret(SECRET_NAME), "7", tokens.identity_hash("top-secret", "7"))
    assert "top-secret" not in client.get(reverse("administration:inbox", args=[inbox.pk])).content.decode()


def test_a_wrong_origin_or_json_is_shown_on_its_field(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    url = reverse("administration:inbox_create") + "?kind=chat"
    response = client.post(url, _data(prechat_fields="{nope"))
    assert response.status_code == 200 and "prechat_fields" in response.context["form"].errors
    response = client.post(url, _data(allowed_origins="shop.example.com/path"))
    assert response.status_code == 200 and "allowed_origins" in response.context["form"].errors
    assert not Inbox.objects.filter(kind="chat").exists()
