"""The community in the API: agents list and read topics and ideas (filters), moderate, accept
answers, set an idea's status and merge ideas; customers and visitors get nothing."""

import pytest
from django.core import mail

from pomoc.api.tests.conftest import Api
from pomoc.community import idea_services, services
from pomoc.community.models import Idea, IdeaVote, Topic
from pomoc.community.tests.helpers import category, customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(world):
    author, other = customer("forum-author"), customer("forum-other")
    general, billing = category(), category("billing", "Billing")
    topic = services.topic_create(author=author, category=general, title="Printer jams", body="How to fix?")
    reply = services.reply_create(topic=topic, author=other, body="Open the tray.")
    hidden = services.topic_create(author=other, category=billing, title="Spammy", body="Buy now")
    services.topic_moderate(topic=hidden, actor=world["agent"], action="hide")
    return {"author": author, "other": other, "general": general, "billing": billing, "topic": topic,
            "reply": reply, "hidden": hidden}


def test_agents_list_topics_with_filters(as_agent, forum):
    def ids(params=None):
        answer = as_agent.get("/community/topics", params or {})
        assert answer.status_code == 200
        return [t["id"] for t in answer.json()["items"]]

    topic, hidden = forum["topic"], forum["hidden"]
    assert ids() == [topic.pk, hidden.pk]
    assert ids({"category": forum["billing"].pk}) == [hidden.pk]
    assert ids({"hidden": "true"}) == [hidden.pk] and ids({"hidden": "false"}) == [topic.pk]
    assert ids({"state": "public"}) == [topic.pk]
    assert ids({"state": "unanswered"}) == [topic.pk, hidden.pk] and ids({"state": "answered"}) == []
    page = as_agent.get("/community/topics", {"limit": 1}).json()
    assert len(page["items"]) == 1 and as_agent.get("/community/topics", {"cursor": page["next_cursor"]}
                                                     ).json()["items"][0]["id"] == hidden.pk
    assert as_agent.get("/community/topics", {"state": "everything"}).status_code == 422
    assert as_agent.get("/community/topics", {"category": "general"}).status_code == 422
    assert as_agent.get("/community/topics", {"category": "9" * 30}).status_code == 422
    assert [c["slug"] for c in as_agent.get("/community/categories").json()] == ["billing", "general"]


def test_an_agent_reads_a_topic_with_every_reply(as_agent, forum):
    services.reply_moderate(reply=forum["reply"], actor=as_agent.user, action="hide")
    detail = as_agent.get(f"/community/topics/{forum['topic'].pk}").json()
    assert detail["title"] == "Printer jams" and detail["body_html"].startswith("<p>")
    assert [(r["id"], r["hidden"]) for r in detail["replies"]] == [(forum["reply"].pk, True)]
    assert as_agent.get("/community/topics/999999").status_code == 404


def test_agents_moderate_move_and_accept(as_agent, forum):
    topic, reply = forum["topic"], forum["reply"]
    path = f"/community/topics/{topic.pk}"
    for action, field, value in (("lock", "locked", True), ("pin", "pinned", True), ("hide", "hidden", True),
                                 ("show", "hidden", False), ("unpin", "pinned", False)):
        answer = as_agent.post(f"{path}/moderate", {"action": action})
        assert answer.status_code == 200 and answer.json()[field] is value, action
    assert as_agent.post(f"{path}/moderate", {"action": "delete"}).status_code == 422
    moved = as_agent.post(f"{path}/move", {"category": forum["billing"].pk})
    assert moved.json()["category"]["slug"] == "billing"
    unknown = as_agent.post(f"{path}/move", {"category": 999999})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["type"] == "invalid_reference"
    assert as_agent.post(f"{path}/accept", {"reply": reply.pk}).json()["accepted_reply"] == reply.pk
    assert as_agent.post(f"{path}/accept", {"reply": None}).json()["accepted_reply"] is None
    foreign = services.reply_create(topic=forum["hidden"], author=forum["author"], body="Elsewhere")
    refused = as_agent.post(f"{path}/accept", {"reply": foreign.pk})
    assert refused.status_code == 422 and refused.json()["detail"][0]["type"] == "invalid_reference"
    hidden_reply = as_agent.post(f"/community/replies/{reply.pk}/moderate", {"action": "hide"})
    assert hidden_reply.status_code == 200 and hidden_reply.json()["hidden"] is True
    assert Topic.objects.get(pk=topic.pk).reply_count == 0


def test_agents_set_an_ideas_status_and_merge_ideas(as_agent, world, django_capture_on_commit_callbacks):
    author, voter = customer("idea-author"), customer("idea-voter")
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Please")
    duplicate = idea_services.idea_create(author=voter, title="Night theme", body="Same")
    idea_services.idea_vote_toggle(idea=duplicate, user=author)  # voted for both: keeps one vote
    assert [i["id"] for i in as_agent.get("/community/ideas", {"status": "new"}).json()["items"]] == [
        idea.pk, duplicate.pk]
    with django_capture_on_commit_callbacks(execute=True):
        answer = as_agent.post(f"/community/ideas/{idea.pk}/status", {"status": "planned", "answer": "**Soon**"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "planned" and "<strong>Soon</strong>" in body["official_answer_html"]
    assert body["answered_by"]["id"] == world["agent"].pk
    assert len(mail.outbox) == 1  # the voter (the author) is told
    assert as_agent.post(f"/community/ideas/{idea.pk}/status", {"status": "someday"}).status_code == 422
    merged = as_agent.post(f"/community/ideas/{duplicate.pk}/merge", {"into": idea.pk})
    assert merged.status_code == 200 and merged.json()["id"] == idea.pk and merged.json()["vote_count"] == 2
    assert set(IdeaVote.objects.filter(idea=idea).values_list("user_id", flat=True)) == {author.pk, voter.pk}
    assert Idea.objects.get(pk=duplicate.pk).merged_into_id == idea.pk
    again = as_agent.post(f"/community/ideas/{duplicate.pk}/merge", {"into": idea.pk})
    assert again.status_code == 422 and again.json()["detail"][0]["type"] == "conflict"
    itself = as_agent.post(f"/community/ideas/{idea.pk}/merge", {"into": idea.pk})
    assert itself.status_code == 422 and itself.json()["detail"][0]["type"] == "conflict"
    assert as_agent.post(f"/community/ideas/{idea.pk}/merge", {"into": 999999}).status_code == 422
    assert [i["id"] for i in as_agent.get("/community/ideas", {"merged": "true"}).json()["items"]] == [duplicate.pk]
    assert as_agent.post(f"/community/ideas/{idea.pk}/moderate", {"action": "hide"}).json()["hidden"] is True
    assert [i["id"] for i in as_agent.get("/community/ideas", {"hidden": "true"}).json()["items"]] == [idea.pk]
    assert as_agent.get(f"/community/ideas/{idea.pk}").json()["title"] == "Dark mode"


def test_customers_and_visitors_get_nothing(world, forum):
    as_customer = Api(forum["author"])
    topic = forum["topic"]
    for path in ("/community/topics", f"/community/topics/{topic.pk}", "/community/ideas", "/community/categories"):
        assert as_customer.get(path).status_code == 403, path
        assert Api().get(path).status_code == 401, path
    assert as_customer.post(f"/community/topics/{topic.pk}/moderate", {"action": "hide"}).status_code == 403
    assert as_customer.post(f"/community/topics/{topic.pk}/accept", {"reply": forum["reply"].pk}).status_code == 403
    assert not Topic.objects.get(pk=topic.pk).hidden and Topic.objects.get(pk=topic.pk).accepted_reply_id is None
