import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pomoc.community import services, spam
from pomoc.community.models import Reply, Subscription, Topic
from pomoc.community.tests.helpers import agent, category, customer
from pomoc.tickets.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def test_a_visitor_reads_the_forum_without_signing_in(client):
    topic = services.topic_create(author=customer(), category=category(), title="Přihlášení nefunguje",
                                  body="Když se **přihlásím**, vidím chybu.")
    services.reply_create(topic=topic, author=agent(), body="Zkuste to znovu, prosím.")
    home = client.get(reverse("community:home"))
    assert home.status_code == 200 and "Přihlášení nefunguje" in home.content.decode()
    page = client.get(reverse("community:topic", args=[topic.pk])).content.decode()
    assert "<strong>přihlásím</strong>" in page
    assert "Zkuste to znovu" in page and 'class="cm-staff"' in page  # the agent's reply is marked as staff


def test_posting_needs_a_signed_in_account(client):
    category()
    answer = client.get(reverse("community:new"))
    assert answer.status_code == 302 and "next=" in answer["Location"]
    assert client.post(reverse("community:new"), {"title": "x", "body": "y"}).status_code == 302
    assert not Topic.objects.exists()


def test_a_customer_posts_a_topic_and_follows_it(client):
    user = customer()
    client.force_login(user)
    answer = client.post(reverse("community:new"), {"category": category().pk, "title": "Export to CSV?",
                                                    "body": "How do I export?", "website": ""})
    topic = Topic.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("community:topic", args=[topic.pk])
    assert topic.author == user and not topic.by_staff and not topic.held
    assert Subscription.objects.filter(topic=topic, user=user).exists()


def test_an_empty_or_bad_post_is_a_clear_400(client):
    client.force_login(customer())
    answer = client.post(reverse("community:new"), {"category": category().pk, "title": "", "body": ""})
    assert answer.status_code == 400 and "This field is required" in answer.content.decode()
    answer = client.post(reverse("community:new"), {"category": category().pk, "title": "a\x00", "body": "b"})
    assert answer.status_code == 400
    assert not Topic.objects.exists()


def test_the_honeypot_refuses_bots(client):
    client.force_login(customer())
    answer = client.post(reverse("community:new"), {"category": category().pk, "title": "Cheap pills",
                                                    "body": "Buy", "website": "http://spam.example"})
    assert answer.status_code == 400 and not Topic.objects.exists()


def test_html_in_a_post_is_never_run():
    topic = services.topic_create(author=customer(), category=category(), title="XSS",
                                  body='<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=a()>')
    html = topic.body_html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text


def test_a_new_accounts_links_wait_for_a_moderator(client):
    newcomer = customer(new=True)
    topic = services.topic_create(author=newcomer, category=category(), title="Great deal",
                                  body="See https://example.com/deal")
    assert topic.held
    assert client.get(reverse("community:topic", args=[topic.pk])).status_code == 404  # others don't see it
    client.force_login(newcomer)
    assert client.get(reverse("community:topic", args=[topic.pk])).status_code == 200  # its author does
    plain = services.topic_create(author=newcomer, category=category(), title="Hello", body="No links here")
    assert not plain.held


def test_posts_per_hour_are_limited(client, settings):
    settings.POMOC_COMMUNITY_POSTS_PER_HOUR = 2
    user = customer()
    topic = services.topic_create(author=user, category=category(), title="One", body="1")
    services.reply_create(topic=topic, author=user, body="2")
    with pytest.raises(spam.TooManyPosts):
        services.reply_create(topic=topic, author=user, body="3")
    client.force_login(user)
    answer = client.post(reverse("community:reply", args=[topic.pk]), {"body": "4"})
    assert answer.status_code == 429 and "wait" in answer.content.decode()
    services.reply_create(topic=topic, author=agent(), body="agents have no ceiling")


def test_one_vote_per_account_and_it_can_be_taken_back(client):
    topic = services.topic_create(author=customer(), category=category(), title="Vote me", body="x")
    voter = customer()
    client.force_login(voter)
    client.post(reverse("community:topic-vote", args=[topic.pk]))
    client.post(reverse("community:topic-vote", args=[topic.pk]))
    client.post(reverse("community:topic-vote", args=[topic.pk]))
    topic.refresh_from_db()
    assert topic.vote_count == 1
    reply = services.reply_create(topic=topic, author=customer(), body="answer")
    assert services.reply_vote_toggle(reply=reply, user=voter) is True
    assert services.reply_vote_toggle(reply=reply, user=voter) is False
    reply.refresh_from_db()
    assert reply.vote_count == 0


def test_the_author_or_an_agent_accepts_an_answer_nobody_else(client):
    author, other = customer(), customer()
    topic = services.topic_create(author=author, category=category(), title="Q", body="?")
    reply = services.reply_create(topic=topic, author=other, body="A")
    client.force_login(other)
    assert client.post(reverse("community:accept", args=[topic.pk]), {"reply": reply.pk}).status_code == 403
    client.force_login(author)
    assert client.post(reverse("community:accept", args=[topic.pk]), {"reply": reply.pk}).status_code == 302
    topic.refresh_from_db()
    assert topic.accepted_reply == reply
    services.answer_accept(topic=topic, reply=None, actor=agent())
    topic.refresh_from_db()
    assert topic.accepted_reply is None
    with pytest.raises(ValidationError):
        elsewhere = services.topic_create(author=author, category=category(), title="Q2", body="?")
        services.answer_accept(topic=elsewhere, reply=reply, actor=author)


def test_a_locked_topic_takes_no_more_replies_from_customers():
    topic = services.topic_create(author=customer(), category=category(), title="Q", body="?")
    services.topic_moderate(topic=topic, actor=agent(), action="lock")
    with pytest.raises(PermissionDenied):
        services.reply_create(topic=topic, author=customer(), body="late")
    services.reply_create(topic=topic, author=agent(), body="closing words")


def test_a_banned_customer_can_no_longer_post_or_vote(client):
    troll = customer()
    topic = services.topic_create(author=troll, category=category(), title="Hi", body="x")
    services.ban(user=troll, actor=agent(), reason="spam")
    with pytest.raises(PermissionDenied):
        services.reply_create(topic=topic, author=troll, body="again")
    client.force_login(troll)
    assert client.get(reverse("community:new")).status_code == 403
    assert client.post(reverse("community:topic-vote", args=[topic.pk])).status_code == 403
    with pytest.raises(ValidationError):
        services.ban(user=agent(), actor=agent())


def test_hidden_topics_and_replies_vanish_for_customers_but_not_for_agents(client):
    topic = services.topic_create(author=customer(), category=category(), title="Rude", body="x")
    reply = services.reply_create(topic=topic, author=customer(), body="ruder")
    moderator = agent()
    services.reply_moderate(reply=reply, actor=moderator, action="hide")
    topic.refresh_from_db()
    assert topic.reply_count == 0
    assert "ruder" not in client.get(reverse("community:topic", args=[topic.pk])).content.decode()
    services.topic_moderate(topic=topic, actor=moderator, action="hide")
    assert client.get(reverse("community:topic", args=[topic.pk])).status_code == 404
    assert "Rude" not in client.get(reverse("community:home")).content.decode()
    client.force_login(moderator)
    assert "ruder" in client.get(reverse("community:topic", args=[topic.pk])).content.decode()


def test_agents_pin_and_move_topics():
    general, billing = category(), category("billing", "Billing")
    topic = services.topic_create(author=customer(), category=general, title="Invoice", body="x")
    services.topic_moderate(topic=topic, actor=agent(), action="move", category=billing)
    services.topic_moderate(topic=topic, actor=agent(), action="pin")
    topic.refresh_from_db()
    assert topic.category == billing and topic.pinned
    with pytest.raises(PermissionDenied):
        services.topic_moderate(topic=topic, actor=customer(), action="hide")


def test_customers_cannot_reach_the_moderation_pages(client):
    topic = services.topic_create(author=customer(), category=category(), title="Q", body="?")
    client.force_login(customer())
    assert client.get(reverse("community:moderation")).status_code == 404
    assert client.post(reverse("community:topic-moderate", args=[topic.pk]), {"action": "hide"}).status_code == 404
    assert client.post(reverse("community:to-ticket", args=[topic.pk])).status_code == 404
    topic.refresh_from_db()
    assert not topic.hidden


def test_an_agent_turns_a_topic_into_a_ticket_linked_both_ways(client):
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="My invoice is wrong", body="Help")
    moderator = agent("administrator")
    client.force_login(moderator)
    answer = client.post(reverse("community:to-ticket", args=[topic.pk]))
    topic.refresh_from_db()
    ticket = topic.ticket
    assert ticket.requester == author.contact and ticket.subject == "My invoice is wrong"
    assert answer["Location"] == reverse("tickets:detail", args=[ticket.number])
    assert any(reverse("community:topic", args=[topic.pk]) in m.body_text for m in ticket.messages.all())
    assert services.topic_to_ticket(topic=topic, actor=moderator) == ticket  # once only


def test_administrators_configure_categories_agents_do_not(client):
    client.force_login(agent())
    assert client.post(reverse("community:categories"), {"name": "X", "slug": "x", "position": 0}).status_code == 404
    client.force_login(agent("administrator"))
    answer = client.post(reverse("community:categories"), {"name": "Billing", "slug": "billing", "position": 1})
    assert answer.status_code == 302
    answer = client.post(reverse("community:categories"), {"name": "Other", "slug": "billing", "position": 1})
    assert answer.status_code == 400


def test_missing_things_are_404_not_500(client):
    assert client.get("/community/t/999999/").status_code == 404
    assert client.get("/community/?category=nope").status_code == 404
    assert client.get("/community/?page=abc").status_code == 200
    assert client.get("/community/unsubscribe/forged/").status_code == 404
    client.force_login(customer())
    assert client.post("/community/t/1/accept/", {"reply": "x"}).status_code == 404
    assert Reply.objects.count() == 0
