import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from pomoc.accounts.models import ApiToken, Role
from pomoc.testing.factories import UserFactory, make_ticket
from pomoc.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db
OUR_APPS = ("core", "accounts", "contacts", "tickets", "surveys")


@pytest.fixture
def superuser(client):
    user = UserFactory(username="root", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_every_model_of_ours_is_registered():
    missing = [
        model.__name__ for app in OUR_APPS for model in apps.get_app_config(app).get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


def test_every_changelist_renders(client, superuser):
    make_ticket()
    for model in admin.site._registry:
        if model._meta.app_label in OUR_APPS:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert client.get(url).status_code == 200, url
            assert client.get(url, {"q": "x"}).status_code == 200, url


def test_ticket_events_cannot_be_added_changed_or_deleted(client, superuser):
    ticket = make_ticket()
    event = TicketEvent.objects.filter(ticket=ticket).first()
    model_admin = admin.site._registry[TicketEvent]
    request = client.get("/inbox/").wsgi_request
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert client.get(reverse("admin:tickets_ticketevent_add")).status_code == 403
    response = client.post(reverse("admin:tickets_ticketevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_api_tokens_show_their_prefix_never_their_hash(client, superuser):
    token, raw = ApiToken.create_for(UserFactory(), name="sync")
    for url in (reverse("admin:accounts_apitoken_changelist"),
                reverse("admin:accounts_apitoken_change", args=[token.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert token.key_prefix.encode() in response.content
        assert token.key_hash.encode() not in response.content
        assert raw.encode() not in response.content
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
