import pytest
from django.core import mail

from pomoc.community.models import Category, Idea, Subscription, Topic
from pomoc.community.tests.helpers import agent
from pomoc.contacts.models import Contact
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


def test_the_demo_gives_its_own_contacts_accounts_rather_than_new_people():
    from pomoc.testing.factories import ContactFactory

    own = [ContactFactory(language=language) for language in ("en", "cs", "pl", "et", "en")]
    before = Contact.objects.count()
    load_community(password="demo-pass-2026", agent=agent())
    assert Contact.objects.count() == before
    assert all(Contact.objects.get(pk=c.pk).user_id for c in own)
