import pytest

from pomoc.demo.kb import ensure_knowledge_base
from pomoc.kb.models import Translation
from pomoc.search import selectors as search
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_fills_a_knowledge_base_in_four_languages_once():
    UserFactory(role="administrator")
    ensure_knowledge_base()
    ensure_knowledge_base()
    languages = set(Translation.objects.values_list("language", flat=True))
    assert languages == {"en", "cs", "pl", "et"}
    assert not Translation.objects.filter(published_version__isnull=True).exists()
    assert [h.language for h in search.search("prihlaseni")] == ["cs"]
    assert [h.language for h in search.search("zolw")] == ["pl"]
    assert [h.language for h in search.search("oigus")] == ["et"]
    assert search.search("schvaleni") == []  # the internal article
    assert search.search("schvaleni", include_internal=True)
