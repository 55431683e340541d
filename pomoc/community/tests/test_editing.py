"""Editing posts: the author within the window and until somebody answered, moderators always; the
previous version is kept for moderators only, and the post is marked edited."""

import datetime as dt

import pytest
from django.urls import reverse

from pomoc.community import editing, idea_services, services
from pomoc.community.models import Idea, Reply, Revision, Topic
from pomoc.community.tests.helpers import agent, category, customer
from pomoc.tickets.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def test_the_author_edits_a_topic_through_the_page_and_it_is_marked_edited(client):
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Printer", body="It jams.")
    client.force_login(author)
    page = client.get(reverse("community:topic", args=[topic.pk])).content.decode()
    assert reverse("community:topic-edit", args=[topic.pk]) in page and "cm-edited" not in page
    assert 'value="Printer"' in client.get(reverse("community:topic-edit", args=[topic.pk])).content.decode()
    response = client.post(reverse("community:topic-edit", args=[topic.pk]),
                           {"title": "Printer jams", "body": "It jams on **page two**."})
    assert response.status_code == 302 and response.url == reverse("community:topic", args=[topic.pk])
    topic.refresh_from_db()
    assert topic.title == "Printer jams" and "<strong>page two</strong>" in topic.body_html
    assert topic.edited_by == author and topic.edited_at is not None
    assert "cm-edited" in client.get(reverse("community:topic", args=[topic.pk])).content.decode()
    revision = Revision.objects.get(topic=topic)
    assert (revision.title, revision.body, revision.replaced_by) == ("Printer", "It jams.", author)
    # the author does not read the earlier versions; a moderator does
    assert "It jams.</p>" not in client.get(reverse("community:topic-edit", args=[topic.pk])).content.decode()
    client.force_login(agent())
    assert "It jams.</p>" in client.get(reverse("community:topic-edit", args=[topic.pk])).content.decode()


def test_nobody_else_edits_a_customers_post(client):
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Mine", body="Mine.")
    reply = services.reply_create(topic=topic, author=author, body="Also mine.")
    idea = idea_services.idea_create(author=author, title="My idea", body="Mine.")
    client.force_login(customer())
    for url in (reverse("community:topic-edit", args=[topic.pk]), reverse("community:reply-edit", args=[reply.pk]),
                reverse("ideas:edit", args=[idea.pk])):
        assert client.get(url).status_code == 403
        assert client.post(url, {"title": "Theirs", "body": "Theirs."}).status_code == 403
    assert Topic.objects.get(pk=topic.pk).title == "Mine" and Reply.objects.get(pk=reply.pk).body == "Also mine."
    assert Idea.objects.get(pk=idea.pk).title == "My idea"
    client.logout()
    assert client.get(reverse("community:topic-edit", args=[topic.pk])).status_code == 302  # sign in first
    with pytest.raises(PermissionDenied):
        editing.topic_edit(topic=topic, actor=customer(), title="x", body="y")


def test_the_window_closes_after_the_hours_and_once_somebody_answered(settings):
    settings.POMOC_COMMUNITY_EDIT_HOURS = 24
    author, other = customer(), customer()
    topic = services.topic_create(author=author, category=category(), title="Question", body="How?")
    own = services.reply_create(topic=topic, author=author, body="More details.")
    assert editing.topic_edit_refusal(topic, author) is None  # the author's own reply is not an answer
    assert editing.reply_edit_refusal(own, author) is None
    answer = services.reply_create(topic=topic, author=other, body="Like this.")
    assert editing.topic_edit_refusal(topic, author) is not None
    assert editing.reply_edit_refusal(own, author) is not None
    assert editing.reply_edit_refusal(answer, other) is None  # nobody answered the answer yet
    services.answer_accept(topic=topic, reply=answer, actor=author)
    topic.refresh_from_db()
    assert editing.reply_edit_refusal(answer, other) is not None
    # an agent's hidden reply does not count as an answer
    fresh = services.topic_create(author=author, category=category(), title="Another", body="Why?")
    hidden = services.reply_create(topic=fresh, author=other, body="Spam")
    services.reply_moderate(reply=hidden, actor=agent(), action="hide")
    assert editing.topic_edit_refusal(fresh, author) is None
    # after the window
    Topic.objects.filter(pk=fresh.pk).update(created_at=fresh.created_at - dt.timedelta(hours=25))
    fresh.refresh_from_db()
    assert "24" in editing.topic_edit_refusal(fresh, author)
    with pytest.raises(PermissionDenied):
        editing.topic_edit(topic=fresh, actor=author, title="Late", body="Too late.")
    # a moderator edits any post at any time
    moderator = agent()
    editing.topic_edit(topic=fresh, actor=moderator, title="Another (tidied)", body="Why?")
    fresh.refresh_from_db()
    assert fresh.title == "Another (tidied)" and fresh.edited_by == moderator
    editing.reply_edit(reply=answer, actor=moderator, body="Like this, see the manual.")
    assert Reply.objects.get(pk=answer.pk).edited_by == moderator


def test_a_locked_topic_is_not_edited_by_its_author():
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Question", body="How?")
    services.topic_moderate(topic=topic, actor=agent(), action="lock")
    topic.refresh_from_db()
    assert editing.topic_edit_refusal(topic, author) is not None


def test_an_idea_is_edited_until_an_agent_answers_it():
    author = customer()
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Please.")
    editing.idea_edit(idea=idea, actor=author, title="Dark mode everywhere", body="Please, also in mail.")
    idea.refresh_from_db()
    assert idea.title == "Dark mode everywhere" and idea.edited_at is not None
    assert Revision.objects.get(idea=idea).title == "Dark mode"
    idea_services.idea_status_set(idea=idea, actor=agent(), status="planned", answer="Soon.")
    with pytest.raises(PermissionDenied):
        editing.idea_edit(idea=idea, actor=author, title="Changed", body="Changed.")


def test_the_reply_edit_page_and_its_checks(client):
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Question", body="How?")
    reply = services.reply_create(topic=topic, author=author, body="Detail.")
    client.force_login(author)
    page = client.get(reverse("community:topic", args=[topic.pk])).content.decode()
    assert reverse("community:reply-edit", args=[reply.pk]) in page
    assert client.post(reverse("community:reply-edit", args=[reply.pk]), {"body": "  "}).status_code == 400
    assert client.post(reverse("community:reply-edit", args=[reply.pk]), {"body": "x", "website": "spam"}
                       ).status_code == 400
    response = client.post(reverse("community:reply-edit", args=[reply.pk]), {"body": "Better detail."})
    assert response.status_code == 302 and response.url.endswith(f"#reply-{reply.pk}")
    assert Reply.objects.get(pk=reply.pk).body == "Better detail."
    assert Revision.objects.get(reply=reply).body == "Detail."
    # saving the same text again keeps no new version
    client.post(reverse("community:reply-edit", args=[reply.pk]), {"body": "Better detail."})
    assert Revision.objects.filter(reply=reply).count() == 1
    assert client.get(reverse("community:reply-edit", args=[999999])).status_code == 404


def test_a_new_accounts_edit_that_adds_a_link_waits_for_a_moderator():
    newcomer = customer(new=True)
    topic = services.topic_create(author=newcomer, category=category(), title="Hello", body="No links")
    reply = services.reply_create(topic=topic, author=newcomer, body="Plain")
    assert Topic.objects.get(pk=topic.pk).reply_count == 1
    editing.reply_edit(reply=reply, actor=newcomer, body="Now with https://example.com/deal")
    assert Reply.objects.get(pk=reply.pk).held and Topic.objects.get(pk=topic.pk).reply_count == 0
    editing.topic_edit(topic=topic, actor=newcomer, title="Hello", body="See https://example.com/deal")
    assert Topic.objects.get(pk=topic.pk).held


def test_the_idea_edit_page(client):
    author = customer()
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Please.")
    client.force_login(author)
    assert reverse("ideas:edit", args=[idea.pk]) in client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    response = client.post(reverse("ideas:edit", args=[idea.pk]), {"title": "Dark mode", "body": "Please <b>now</b>"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert "<b>" not in idea.body_html and "&lt;b&gt;" in idea.body_html
