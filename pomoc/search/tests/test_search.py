import pytest
from django.db import transaction

from pomoc.search import selectors as search
from pomoc.search import services as search_index
from pomoc.search.models import SearchDocument
from pomoc.search.text import fold

pytestmark = pytest.mark.django_db


def _index(key, title, body, *, language="cs", kind="article", public=True, boost=1.0):
    search_index.index(kind, key, language=language, title=title, body=body, url=f"/kb/{key}/",
                       public=public, boost=boost)


def test_folding_strips_marks_and_maps_letters_decomposition_keeps():
    assert fold("Přihlášení ŻÓŁW Õigus Straße") == "prihlaseni zolw oigus strasse"


def test_words_without_diacritics_find_words_with_them():
    _index("1", "Přihlášení do účtu", "Když zapomenete heslo, klikněte na odkaz.")
    _index("2", "Żółw w ogrodzie", "Jak dbać o żółwia.", language="pl")
    _index("3", "Sinu õigus andmetele", "Õigus saada koopia.", language="et")
    assert [h.key for h in search.search("prihlaseni")] == ["1"]
    assert [h.key for h in search.search("zolw")] == ["2"]
    assert [h.key for h in search.search("oigus")] == ["3"]
    assert [h.key for h in search.search("ŻÓŁW")] == ["2"]


def test_one_typo_is_forgiven_when_nothing_matches():
    _index("1", "Přihlášení do účtu", "Zapomenuté heslo")
    _index("2", "Faktura", "Platba kartou")
    assert [h.key for h in search.search("prihlasenu")] == ["1"]
    assert [h.key for h in search.search("fkatura")] == ["2"]  # transposition
    assert search.search("qqqqqq") == []


def test_every_word_must_match_and_titles_rank_first():
    _index("1", "Reset your password", "If you forgot it, follow the link.", language="en")
    _index("2", "Invoices", "Your password is not needed to download an invoice.", language="en")
    _index("3", "Shipping", "Parcels leave every day.", language="en")
    assert [h.key for h in search.search("password")] == ["1", "2"]
    assert [h.key for h in search.search("password invoice")] == ["2"]


def test_snippets_are_escaped_and_highlight_the_match():
    _index("1", "Tags", "<script>x</script> přihlášení is safe.")
    hit = search.search("prihlaseni")[0]
    assert "<mark>přihlášení</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert hit.title_html == "Tags"


def test_internal_documents_reach_only_those_who_ask_for_them():
    _index("1", "Interní postup vrácení", "vrácení peněz", public=False)
    _index("2", "Vrácení zboží", "vrácení do 14 dnů")
    assert [h.key for h in search.search("vraceni")] == ["2"]
    assert [h.key for h in search.suggest("vrac")] == ["2"]
    assert {h.key for h in search.search("vraceni", include_internal=True)} == {"1", "2"}


def test_language_and_kind_filters():
    _index("1", "Heslo", "heslo", language="cs")
    _index("2", "Heslo", "heslo", language="pl", kind="topic")
    assert [h.key for h in search.search("heslo", language="cs")] == ["1"]
    assert [h.key for h in search.search("heslo", kinds=["topic"])] == ["2"]


def test_reindexing_replaces_and_unindex_removes():
    _index("1", "Staré jméno", "nic")
    _index("1", "Nové jméno", "nic")
    assert search.search("stare") == []
    assert [h.title for h in search.search("nove")] == ["Nové jméno"]
    search_index.unindex("article", "1")
    assert search.search("nove") == [] and not SearchDocument.objects.exists()
    search_index.unindex("article", "nothing")


def test_suggestions_complete_the_last_word():
    _index("1", "Nastavení oznámení", "e-mail")
    assert [h.key for h in search.suggest("nastaveni ozn")] == ["1"]
    assert [h.key for h in search.suggest("na")] == ["1"]


def test_boost_ranks_higher():
    _index("1", "Heslo", "heslo")
    _index("2", "Heslo", "heslo", boost=3.0)
    assert [h.key for h in search.search("heslo")] == ["2", "1"]


def test_english_documents_are_stemmed_on_postgresql_and_prefixed_everywhere():
    _index("1", "Logging in", "How to log in.", language="en")
    assert [h.key for h in search.search("logging")] == ["1"]
    assert [h.key for h in search.search("log")] == ["1"]


def test_queries_that_are_only_punctuation_find_nothing():
    _index("1", "Heslo", "heslo")
    assert search.search('"*) OR (') == [] and search.search("") == []
    assert [h.key for h in search.search('heslo" OR "x')] == []  # x must match too: no injection


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_index_leaves_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        _index("1", "Heslo", "heslo")
        raise RuntimeError
    assert search.search("heslo") == []
