import re

import pytest
from django.core import mail
from django.urls import reverse

from pomoc.community import links, services
from pomoc.community.models import Subscription
from pomoc.community.notices import subscription_notices_send
from pomoc.community.tests.helpers import agent, category, customer

pytestmark = pytest.mark.django_db


def test_followers_get_one_batched_mail_with_a_signed_unsubscribe_link(client):
    author = customer(email="author@example.com")
    first = services.topic_create(author=author, category=category(), title="First", body="x")
    second = services.topic_create(author=author, category=category(), title="Second", body="x")
    helper = agent()
    for body in ("a", "b", "c"):
        services.reply_create(topic=first, author=helper, body=body)
    services.reply_create(topic=second, author=helper, body="d")
    mail.outbox.clear()
    assert subscription_notices_send() == 1
    (notice,) = [m for m in mail.outbox if m.to == ["author@example.com"]]
    assert "First" in notice.body and "Second" in notice.body
    assert subscription_notices_send() == 0  # nothing new since

    # signing.dumps stamps the time: read the link from the mail rather than signing again
    ids = [Subscription.objects.get(topic=topic, user=author).pk for topic in (first, second)]
    tokens = re.findall(r"/community/unsubscribe/([^/\s]+)/", notice.body)
    assert [links.subscription_id(t) for t in tokens] == ids
    token = tokens[0]
    assert client.get(reverse("community:unsubscribe", args=[token])).status_code == 200
    assert Subscription.objects.filter(topic=first, user=author).exists()  # a GET changes nothing
    client.post(reverse("community:unsubscribe", args=[token]))
    assert not Subscription.objects.filter(topic=first, user=author).exists()
    assert client.get(reverse("community:unsubscribe", args=[token + "x"])).status_code == 404


def test_the_writer_of_a_reply_is_not_told_about_it():
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="T", body="x")
    services.reply_create(topic=topic, author=author, body="bump")
    assert not Subscription.objects.filter(pending_since__isnull=False).exists()


def test_one_failing_address_does_not_block_the_others(monkeypatch):
    from pomoc.community import mail as community_mail

    a, b = customer(email="a@example.com"), customer(email="b@example.com")
    for user in (a, b):
        topic = services.topic_create(author=user, category=category(), title=f"T{user.pk}", body="x")
        services.reply_create(topic=topic, author=agent(), body="y")
    real = community_mail.send_topic_notice

    def flaky(user, subscriptions):
        if user == a:
            raise OSError("mail server said no")
        return real(user, subscriptions)
    monkeypatch.setattr(community_mail, "send_topic_notice", flaky)
    mail.outbox.clear()
    assert subscription_notices_send() == 1
    assert [m.to for m in mail.outbox] == [["b@example.com"]]
    assert Subscription.objects.filter(user=a, pending_since__isnull=False).exists()  # retried next round
