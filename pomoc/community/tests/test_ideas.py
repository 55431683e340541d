import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from pomoc.community import idea_services
from pomoc.community.models import Idea, IdeaStatus, IdeaVote
from pomoc.community.notices import idea_voters_notify
from pomoc.community.tests.helpers import agent, customer

pytestmark = pytest.mark.django_db


def test_a_customer_posts_an_idea_and_votes_for_it_at_once(client):
    user = customer()
    client.force_login(user)
    answer = client.post(reverse("ideas:new"), {"title": "Dark mode", "body": "Please", "website": ""})
    idea = Idea.objects.get()
    assert answer["Location"] == reverse("ideas:idea", args=[idea.pk])
    assert idea.vote_count == 1 and IdeaVote.objects.filter(idea=idea, user=user).exists()
    assert "Dark mode" in client.get(reverse("ideas:home")).content.decode()


def test_one_vote_per_account_removable(client):
    idea = idea_services.idea_create(author=customer(), title="Export", body="x")
    voter = customer()
    client.force_login(voter)
    client.post(reverse("ideas:vote", args=[idea.pk]))
    idea.refresh_from_db()
    assert idea.vote_count == 2
    client.post(reverse("ideas:vote", args=[idea.pk]))
    idea.refresh_from_db()
    assert idea.vote_count == 1


def test_visitors_read_ideas_but_must_sign_in_to_vote(client):
    idea = idea_services.idea_create(author=customer(), title="Žluťoučký kůň", body="x")
    assert client.get(reverse("ideas:idea", args=[idea.pk])).status_code == 200
    assert client.post(reverse("ideas:vote", args=[idea.pk])).status_code == 302
    idea.refresh_from_db()
    assert idea.vote_count == 1


def test_an_agent_sets_the_status_with_an_official_answer_and_voters_get_an_email(
        client, django_capture_on_commit_callbacks):
    author, voter = customer(email="author@example.com"), customer(email="voter@example.com")
    voter.language = "cs"
    voter.save()
    idea = idea_services.idea_create(author=author, title="Dark mode", body="Night theme please")
    idea_services.idea_vote_toggle(idea=idea, user=voter)
    client.force_login(agent())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("ideas:manage", args=[idea.pk]),
                             {"action": "status", "status": "planned", "answer": "Coming in **June**."})
    assert answer.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED and "<strong>June</strong>" in idea.official_answer_html
    assert sorted(m.to[0] for m in mail.outbox) == ["author@example.com", "voter@example.com"]
    czech = next(m for m in mail.outbox if m.to == ["voter@example.com"])
    assert "Plánováno" in czech.subject or "Dark mode" in czech.subject
    page = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    assert page.index("Coming in") < page.index("<p>Night theme please</p>")  # the official answer on top
    assert idea_voters_notify(idea.pk, "planned") == 0  # a repeated task sends nothing twice


def test_saving_the_same_status_again_sends_nothing(django_capture_on_commit_callbacks):
    idea = idea_services.idea_create(author=customer(), title="x", body="x")
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_status_set(idea=idea, actor=agent(), status="under_review")
    assert len(mail.outbox) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        idea_services.idea_status_set(idea=idea, actor=agent(), status="under_review", answer="still looking")
    assert mail.outbox == []


def test_merging_duplicates_moves_votes_without_doubles(client):
    a, b, both = customer(), customer(), customer()
    target = idea_services.idea_create(author=a, title="CSV export", body="x")
    duplicate = idea_services.idea_create(author=b, title="Export to CSV", body="y")
    idea_services.idea_vote_toggle(idea=target, user=both)
    idea_services.idea_vote_toggle(idea=duplicate, user=both)
    client.force_login(agent())
    answer = client.post(reverse("ideas:manage", args=[duplicate.pk]), {"action": "merge", "target": str(target.pk)})
    assert answer["Location"] == reverse("ideas:idea", args=[target.pk])
    target.refresh_from_db()
    duplicate.refresh_from_db()
    assert target.vote_count == 3 and duplicate.merged_into == target
    assert set(IdeaVote.objects.filter(idea=target).values_list("user", flat=True)) == {a.pk, b.pk, both.pk}
    client.logout()
    assert client.get(reverse("ideas:idea", args=[duplicate.pk]))["Location"] == reverse("ideas:idea", args=[target.pk])
    assert "Export to CSV" not in client.get(reverse("ideas:home")).content.decode()
    with pytest.raises(ValidationError):
        idea_services.idea_merge(source=target, target=target, actor=agent())
    with pytest.raises(ValidationError):
        idea_services.idea_vote_toggle(idea=duplicate, user=customer())


def test_customers_cannot_manage_ideas(client):
    idea = idea_services.idea_create(author=customer(), title="x", body="x")
    client.force_login(customer())
    assert client.post(reverse("ideas:manage", args=[idea.pk]), {"status": "done"}).status_code == 404
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.NEW


def test_a_bad_status_or_merge_target_is_a_message_not_a_500(client):
    idea = idea_services.idea_create(author=customer(), title="x", body="x")
    client.force_login(agent())
    assert client.post(reverse("ideas:manage", args=[idea.pk]), {"status": "bogus"}).status_code == 302
    assert client.post(reverse("ideas:manage", args=[idea.pk]), {"action": "merge", "target": "abc"}).status_code == 302
    assert client.get("/ideas/?status=bogus&sort=bogus&page=-1").status_code == 200
