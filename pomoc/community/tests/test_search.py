"""Topics and ideas in the portal search: found without diacritics; hidden ones only by agents."""

import pytest

from pomoc.community import idea_services, services
from pomoc.community.tests.helpers import agent, category, customer
from pomoc.search import selectors as search

pytestmark = pytest.mark.django_db(transaction=True)


def test_topics_and_ideas_are_found_and_hidden_ones_only_by_agents():
    topic = services.topic_create(author=customer(), category=category(), title="Přihlášení přes telefon",
                                  body="Nejde mi přihlášení.")
    idea = idea_services.idea_create(author=customer(), title="Żółw jako maskotka", body="Pomysł")
    hits = search.search("prihlaseni", kinds=["topic"])
    assert [h.key for h in hits] == [str(topic.pk)] and hits[0].url == f"/community/t/{topic.pk}/"
    assert [h.key for h in search.search("zolw", kinds=["idea"])] == [str(idea.pk)]

    services.topic_moderate(topic=topic, actor=agent(), action="hide")
    assert search.search("prihlaseni", kinds=["topic"]) == []
    assert [h.key for h in search.search("prihlaseni", kinds=["topic"], include_internal=True)] == [str(topic.pk)]


def test_a_merged_idea_leaves_the_search():
    target = idea_services.idea_create(author=customer(), title="Tmavý režim", body="x")
    duplicate = idea_services.idea_create(author=customer(), title="Tmavý vzhled", body="y")
    idea_services.idea_merge(source=duplicate, target=target, actor=agent())
    assert [h.key for h in search.search("tmavy", kinds=["idea"], include_internal=True)] == [str(target.pk)]


def test_an_edit_refreshes_the_search():
    author = customer()
    topic = services.topic_create(author=author, category=category(), title="Tiskárna", body="Nejde tisk.")
    idea = idea_services.idea_create(author=author, title="Modrá barva", body="x")
    from pomoc.community import editing

    editing.topic_edit(topic=topic, actor=author, title="Skener", body="Nejde skenování.")
    editing.idea_edit(idea=idea, actor=author, title="Zelená barva", body="x")
    assert [h.key for h in search.search("skenovani", kinds=["topic"])] == [str(topic.pk)]
    assert search.search("tiskarna", kinds=["topic"]) == []
    assert [h.key for h in search.search("zelena", kinds=["idea"])] == [str(idea.pk)]
    assert search.search("modra", kinds=["idea"]) == []
