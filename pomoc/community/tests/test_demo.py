import pytest
from django.core import mail

from pomoc.community.models import Category, Idea, Subscription, Topic
from pomoc.community.tests.helpers import agent
from pomoc.demo.community import load_community

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_forum_and_ideas_in_four_languages_once(django_capture_on_commit_callbacks):
    helper = agent()
    with django_capture_on_commit_callbacks(execute=True):
        added = load_community(password="demo-pass-2026", agent=helper)
    assert added["topics"] >= 5 and added["ideas"] >= 4
    assert set(Topic.objects.values_list("language", flat=True)) == {"en", "cs", "pl", "et"}
    assert Topic.objects.filter(accepted_reply__isnull=False).exists() and Topic.objects.filter(pinned=True).exists()
    assert Idea.objects.exclude(official_answer="").exists()
    assert not Topic.objects.filter(held=True).exists()
    assert mail.outbox == [] and not Subscription.objects.filter(pending_since__isnull=False).exists()
    assert load_community(password="demo-pass-2026", agent=helper) == {"topics": 0, "ideas": 0}
    assert Category.objects.count() == 3
