"""List pages cost the same number of queries with few rows as with many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pomoc.community import idea_services, services
from pomoc.community.tests.helpers import agent, category, customer

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (organisation settings, sessions) first
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_topic_list_stays_flat(client):
    viewer = customer()
    client.force_login(viewer)
    general = category()
    services.topic_create(author=customer(), category=general, title="one", body="x")
    few = queries(client, reverse("community:home"))
    for number in range(12):
        services.topic_create(author=customer(), category=category(f"c{number % 3}", f"C{number}"),
                              title=f"t{number}", body="x")
    assert queries(client, reverse("community:home")) == few


def test_a_topic_with_many_replies_stays_flat(client):
    viewer = customer()
    client.force_login(viewer)
    topic = services.topic_create(author=customer(), category=category(), title="busy", body="x")
    services.reply_create(topic=topic, author=customer(), body="1")
    url = reverse("community:topic", args=[topic.pk])
    few = queries(client, url)
    for number in range(15):
        reply = services.reply_create(topic=topic, author=customer() if number % 2 else agent(), body=str(number))
        services.reply_vote_toggle(reply=reply, user=viewer)
    services.answer_accept(topic=topic, reply=reply, actor=agent())
    assert queries(client, url) == few


def test_the_ideas_list_stays_flat(client):
    viewer = customer()
    client.force_login(viewer)
    idea_services.idea_create(author=customer(), title="one", body="x")
    few = queries(client, reverse("ideas:home"))
    for number in range(12):
        idea = idea_services.idea_create(author=customer(), title=f"idea {number}", body="x")
        idea_services.idea_vote_toggle(idea=idea, user=viewer)
    assert queries(client, reverse("ideas:home")) == few
