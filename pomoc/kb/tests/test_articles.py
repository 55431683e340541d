import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pomoc.kb import services
from pomoc.kb.models import Status
from pomoc.kb.rendering import render
from pomoc.kb.tests.helpers import make_section, published, publisher
from pomoc.search import selectors as search
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the index follows the commit


def test_a_draft_goes_through_review_to_publication_and_into_search():
    author = UserFactory(role="agent")
    t = services.article_create(section=make_section(), author=author, language="cs",
                                title="Přihlášení do účtu", body="Zadejte heslo.")
    assert t.status == Status.DRAFT and t.slug == "prihlaseni-do-uctu" and t.versions.count() == 1
    assert search.search("prihlaseni") == []  # drafts are never found
    services.translation_submit(translation=t, actor=author)
    with pytest.raises(PermissionDenied):
        services.translation_publish(translation=t, actor=author)
    services.translation_publish(translation=t, actor=publisher())
    t.refresh_from_db()
    assert t.status == Status.PUBLISHED and t.published_version.number == 1
    assert [h.url for h in search.search("prihlaseni")] == ["/kb/cs/prihlaseni-do-uctu/"]


def test_editing_a_published_article_keeps_the_published_version_until_republished():
    t = published(title="Heslo", body="stará verze")
    services.translation_save(article=t.article, language="cs", title="Heslo", body="nová verze", author=None)
    t.refresh_from_db()
    assert t.status == Status.DRAFT and t.published_version.body == "stará verze"
    assert [h.key for h in search.search("stara")] and not search.search("nova")
    services.translation_publish(translation=t, actor=publisher())
    assert search.search("nova") and not search.search("stara")


def test_restoring_a_version_makes_a_new_version_with_the_old_text():
    t = published(title="Heslo", body="první")
    services.translation_save(article=t.article, language="cs", title="Heslo", body="druhá")
    old = t.versions.get(number=1)
    restored = services.version_restore(version=old, actor=publisher())
    assert restored.body == "první" and restored.versions.count() == 3
    assert restored.versions.first().note == "Restored version 1"


def test_saving_the_same_text_makes_no_version():
    t = published(title="Heslo", body="text")
    services.translation_save(article=t.article, language="cs", title="Heslo", body="text")
    assert t.versions.count() == 1


def test_translations_get_clean_unique_slugs_per_language():
    section = make_section()
    a = services.article_create(section=section, author=None, language="pl", title="Żółw i łódź", body="")
    b = services.article_create(section=section, author=None, language="pl", title="Żółw i łódź", body="")
    c = services.article_create(section=section, author=None, language="et", title="Żółw i łódź", body="")
    assert (a.slug, b.slug, c.slug) == ("zolw-i-lodz", "zolw-i-lodz-2", "zolw-i-lodz")


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValidationError) as error:
        services.article_create(section=make_section(), author=None, language="xx", title=" ", body="")
    assert set(error.value.message_dict) == {"language", "title"}


def test_markdown_is_rendered_and_sanitized():
    html = render("# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![i](/kb/files/a/b.png)")
    assert "<h1>Title</h1>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html  # left as text, never a link
    assert '<img src="/kb/files/a/b.png" alt="i">' in html


def test_internal_articles_are_indexed_for_agents_only():
    published(title="Interní postup", body="vrácení peněz", internal=True)
    assert search.search("vraceni") == []
    assert len(search.search("vraceni", include_internal=True)) == 1


def test_feedback_counts_and_tells_the_author():
    from pomoc.notifications.models import Notification

    author = UserFactory(role="agent")
    t = published(author=author)
    services.feedback_add(article=t.article, language="cs", helpful=True)
    services.feedback_add(article=t.article, language="cs", helpful=False, comment="Chybí obrázek")
    t.article.refresh_from_db()
    assert (t.article.helpful_count, t.article.unhelpful_count) == (1, 1)
    note = Notification.objects.get(recipient=author)
    assert note.kind == "article_feedback" and "Chybí obrázek" in note.text


def test_deleting_an_article_takes_it_out_of_search():
    t = published(title="Smazat mě")
    services.article_delete(article=t.article, actor=publisher())
    assert search.search("smazat") == []
