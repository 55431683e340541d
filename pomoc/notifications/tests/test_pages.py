"""The bell, the notifications page, opening one, following a ticket, mention suggestions, preferences."""

import pytest

from pomoc.notifications import services
from pomoc.notifications.models import Notification, NotificationKind, NotificationPreferences, TicketFollower
from pomoc.testing.factories import make_customer_user

pytestmark = pytest.mark.django_db


def test_the_bell_counts_the_unread(client, team, committed):
    alice, bob, _olga, ticket = team
    client.force_login(bob)
    page = client.get("/inbox/").content.decode() if False else client.get("/inbox/?view=open").content.decode()
    assert 'id="bell"' in page and 'id="bell-count" aria-live="polite" hidden' in page
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
    page = client.get("/inbox/?view=open").content.decode()
    assert 'class="bell has-unread"' in page and '>1</span>' in page and "data-live-notifications" in page


def test_the_bell_counts_only_ones_own_unread_and_stops_at_the_cap(team, committed, monkeypatch):
    from django.utils import timezone

    from pomoc.notifications import selectors

    alice, bob, _olga, ticket = team
    monkeypatch.setattr(selectors, "UNREAD_CAP", 3)
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
        services.notify([alice], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=bob)
    assert selectors.unread_count(bob) == 1
    Notification.objects.filter(recipient=bob).update(read_at=timezone.now())
    assert selectors.unread_count(bob) == 0
    with committed():
        for _ in range(5):
            services.notify([bob], kind=NotificationKind.MENTIONED, ticket=ticket, actor=alice, text="@bob")
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 5
    assert selectors.unread_count(bob) == 3


def test_customers_have_no_bell(client, team):
    _alice, _bob, _olga, ticket = team
    client.force_login(make_customer_user(contact=ticket.requester))
    assert 'id="bell"' not in client.get("/inbox/").content.decode()
    assert client.get("/notifications/").status_code == 404


def test_the_list_shows_newest_first_and_opening_one_reads_it(client, team, committed):
    alice, bob, _olga, ticket = team
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
        services.notify([bob], kind=NotificationKind.MENTIONED, ticket=ticket, actor=alice, text="@bob look")
    client.force_login(bob)
    page = client.get("/notifications/").content.decode()
    assert page.index("mentioned you") < page.index("assigned ticket")
    newest = Notification.objects.order_by("-pk").first()
    answer = client.get(f"/notifications/{newest.pk}/")
    assert answer.status_code == 302 and answer["Location"] == f"/tickets/{ticket.number}/"
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post("/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_nobody_opens_anothers_notification(client, team, committed):
    alice, bob, _olga, ticket = team
    with committed():
        made = services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket)
    client.force_login(alice)
    assert client.get(f"/notifications/{made[0].pk}/").status_code == 404
    assert client.get("/notifications/999999/").status_code == 404


def test_opening_the_ticket_reads_its_notifications(client, team, committed):
    _alice, bob, _olga, ticket = team
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket)
    client.force_login(bob)
    client.get(f"/tickets/{ticket.number}/")
    assert Notification.objects.get().read_at is not None


def test_following_and_unfollowing_a_ticket(client, team):
    _alice, bob, olga, ticket = team
    client.force_login(bob)
    assert 'aria-pressed="false"' in client.get(f"/tickets/{ticket.number}/").content.decode()
    answer = client.post(f"/notifications/tickets/{ticket.pk}/follow/", {"follow": "1"}, headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' in answer.content.decode()
    assert TicketFollower.objects.filter(user=bob, ticket=ticket).exists()
    answer = client.post(f"/notifications/tickets/{ticket.pk}/follow/",
                         {"follow": "0", "next": "https://elsewhere.example/"})
    assert answer["Location"] == f"/tickets/{ticket.number}/"  # never sent off to another site
    assert not TicketFollower.objects.exists()
    client.force_login(olga)
    assert client.post(f"/notifications/tickets/{ticket.pk}/follow/", {"follow": "1"}).status_code == 404


def test_mention_suggestions_offer_only_agents_who_see_the_ticket(client, team):
    alice, _bob, olga, ticket = team
    client.force_login(alice)
    agents = client.get(f"/notifications/tickets/{ticket.pk}/mentions/?q=").json()["agents"]
    assert [a["username"] for a in agents] == ["alice", "bob"]
    agents = client.get(f"/notifications/tickets/{ticket.pk}/mentions/?q=Bo").json()["agents"]
    assert agents == [{"username": "bob", "name": "Bob Baker"}]
    assert client.get(f"/notifications/tickets/{ticket.pk}/mentions/?q=ol").json()["agents"] == []
    client.force_login(olga)
    assert client.get(f"/notifications/tickets/{ticket.pk}/mentions/?q=").status_code == 404


def test_preferences_choose_the_kinds_by_e_mail(client, team):
    _alice, bob, _olga, _ticket = team
    client.force_login(bob)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'value="assigned" ' in page and "checked" in page
    answer = client.post("/notifications/preferences/", {"email_kinds": ["customer_replied", "mentioned"]})
    assert answer.status_code == 302
    assert NotificationPreferences.objects.get(user=bob).email_kinds == ["customer_replied", "mentioned"]
    answer = client.post("/notifications/preferences/", {"email_kinds": ["everything"]})
    assert answer.status_code == 200 and "errorlist" in answer.content.decode()
    assert "/notifications/preferences/" in client.get("/accounts/preferences/").content.decode()


def test_the_chat_ring_is_on_until_switched_off_in_the_preferences(client, team):
    _alice, bob, _olga, _ticket = team
    client.force_login(bob)
    page = client.get("/notifications/preferences/").content.decode()
    assert 'name="chat_ring"' in page and 'id="id_chat_ring" checked' in page.replace('name="chat_ring" ', "")
    answer = client.post("/notifications/preferences/", {"email_kinds": ["assigned"]})  # the box left unticked
    assert answer.status_code == 302
    preferences = NotificationPreferences.objects.get(user=bob)
    assert preferences.chat_ring is False and preferences.email_kinds == ["assigned"]
    client.post("/notifications/preferences/", {"email_kinds": ["assigned"], "chat_ring": "on"})
    assert NotificationPreferences.objects.get(user=bob).chat_ring is True
