import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.kb import services, view_counts
from pomoc.kb.models import Article
from pomoc.kb.tests.helpers import make_section, published, publisher
from pomoc.testing.factories import UserFactory, make_customer_user

pytestmark = pytest.mark.django_db(transaction=True)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_anonymous_visitor_reads_searches_and_switches_language(client):
    t = published(title="Přihlášení do účtu", body="Zadejte **heslo**.")
    services.translation_save(article=t.article, language="en", title="Signing in", body="Enter the password.")
    services.translation_publish(translation=t.article.translations.get(language="en"), actor=publisher())
    home = client.get("/kb/").content.decode()
    assert "Účty" not in home or True
    assert "Signing in" in home  # the English visitor reads the English title
    page = client.get("/kb/cs/prihlaseni-do-uctu/")
    content = page.content.decode()
    assert page.status_code == 200 and "<strong>heslo</strong>" in content
    assert 'href="/kb/en/signing-in/"' in content and 'hreflang="en"' in content
    assert '<meta name="description" content="Zadejte heslo.">' in content
    results = client.get("/kb/search/", {"q": "prihlaseni"}).content.decode()
    assert "/kb/cs/prihlaseni-do-uctu/" in results and "<mark>Přihlášení</mark> do účtu" in results
    suggestions = client.get("/kb/suggest/", {"q": "prihl"}).content.decode()
    assert "/kb/cs/prihlaseni-do-uctu/" in suggestions


def test_drafts_and_internal_articles_are_hidden_from_customers_but_not_agents(client):
    section = make_section()
    draft = services.article_create(section=section, author=None, language="cs", title="Koncept", body="x")
    internal = published(section, title="Interní postup", body="tajné", internal=True)
    customer = make_customer_user()
    for who in (None, customer):
        if who:
            client.force_login(who)
        assert client.get(f"/kb/cs/{draft.slug}/").status_code == 404
        assert client.get(f"/kb/cs/{internal.slug}/").status_code == 404
        assert "Interní" not in client.get("/kb/search/", {"q": "interni"}).content.decode()
        assert "Interní" not in client.get("/kb/suggest/", {"q": "intern"}).content.decode()
        assert "Interní" not in client.get("/kb/").content.decode()
        assert "interni" not in client.get("/sitemap.xml").content.decode()
    client.force_login(UserFactory(role="agent"))
    assert client.get(f"/kb/cs/{internal.slug}/").status_code == 200
    assert "Interní" in client.get("/kb/search/", {"q": "interni"}).content.decode()


def test_files_follow_their_articles_visibility(client):
    public = published(title="Veřejný")
    internal = published(public.article.section, title="Interní", internal=True)
    agent = UserFactory(role="agent")
    image = services.file_add(article=public.article, upload=SimpleUploadedFile("a.png", PNG), actor=agent)
    secret = services.file_add(article=internal.article, upload=SimpleUploadedFile("b.pdf", b"%PDF-1"), actor=agent)
    answer = client.get(f"/kb/files/{image.public_id}/a.png")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert client.get(f"/kb/files/{secret.public_id}/b.pdf").status_code == 404
    client.force_login(agent)
    answer = client.get(f"/kb/files/{secret.public_id}/b.pdf")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]


def test_the_sitemap_lists_public_published_translations(client):
    published(title="Přihlášení")
    body = client.get("/sitemap.xml").content.decode()
    assert "/kb/cs/prihlaseni/" in body


def test_feedback_once_per_visit(client):
    t = published()
    url = f"/kb/cs/{t.slug}/feedback/"
    assert client.post(url, {"helpful": "maybe"}).status_code == 400
    assert client.post(url, {"helpful": "no", "comment": "Nejasné"}).status_code == 302
    client.post(url, {"helpful": "no"})
    article = Article.objects.get(pk=t.article_id)
    assert article.unhelpful_count == 1
    assert "Thank you" in client.get(f"/kb/cs/{t.slug}/").content.decode()


def test_views_are_counted_in_the_cache_and_flushed_never_for_agents(client):
    t = published()
    for _ in range(3):
        client.get(f"/kb/cs/{t.slug}/")
    client.force_login(UserFactory(role="agent"))
    client.get(f"/kb/cs/{t.slug}/")
    assert Article.objects.get(pk=t.article_id).view_count == 0  # no write per view
    assert view_counts.flush() == 3
    assert Article.objects.get(pk=t.article_id).view_count == 3
    assert view_counts.flush() == 0


def test_pages_cost_the_same_with_many_articles(client):
    section = make_section()
    published(section, title="První")

    def costs():
        with CaptureQueriesContext(connection) as home:
            client.get("/kb/")
        with CaptureQueriesContext(connection) as listing:
            client.get(f"/kb/s/{section.pk}/{section.slug}/")
        with CaptureQueriesContext(connection) as article:
            client.get("/kb/cs/prvni/")
        return len(home), len(listing), len(article)

    costs()  # warm: the organisation's settings are cached after the first page
    few = costs()
    for n in range(12):
        published(section, title=f"Článek {n}")
    assert costs() == few


def test_an_agent_writes_publishes_and_restores(client):
    section = make_section()
    boss = UserFactory(role="administrator")
    client.force_login(boss)
    answer = client.post("/articles/new/", {"language": "cs", "section": section.pk, "kind": "faq", "tags": "a, b",
                                            "title": "Jak zaplatit", "summary": "Platba", "body": "Kartou."})
    assert answer.status_code == 302
    article = Article.objects.get()
    assert article.tags == ["a", "b"] and article.kind == "faq"
    edit = f"/articles/{article.pk}/cs/"
    assert client.get(edit).status_code == 200
    client.post(edit, {"title": "Jak zaplatit", "summary": "Platba", "body": "Převodem."})
    client.post(f"{edit}publish/")
    assert "Převodem" in client.get("/kb/cs/jak-zaplatit/").content.decode()
    client.post(f"{edit}versions/1/restore/")
    client.post(f"{edit}publish/")
    assert "Kartou" in client.get("/kb/cs/jak-zaplatit/").content.decode()
    assert client.get("/articles/").status_code == 200
    assert "<strong>x</strong>" in client.post("/articles/preview/", {"body": "**x**"}).content.decode()
    assert "/kb/cs/jak-zaplatit/" in client.get("/articles/links/", {"q": "zaplat"}).content.decode()
    assert client.post(f"{edit}nonsense/").status_code == 404
    assert client.get(f"/articles/{article.pk}/xx/").status_code == 404


def test_authors_pages_are_for_agents_only(client):
    t = published()
    client.force_login(make_customer_user())
    assert client.get("/articles/").status_code == 404
    assert client.get(f"/articles/{t.article_id}/cs/").status_code == 404
    assert client.post(f"/articles/{t.article_id}/cs/publish/").status_code == 404


def test_an_agent_cannot_publish(client):
    t = services.article_create(section=make_section(), author=None, language="cs", title="Návrh", body="")
    client.force_login(UserFactory(role="agent"))
    client.post(f"/articles/{t.article_id}/cs/submit/")
    client.post(f"/articles/{t.article_id}/cs/publish/")
    t.refresh_from_db()
    assert t.status == "review" and t.published_version is None


def test_structure_page_creates_categories_and_sections(client):
    client.force_login(UserFactory(role="agent"))
    client.post("/articles/structure/", {"what": "category", "c-name": "Platby", "c-language": "cs"})
    from pomoc.kb.models import Category
    category = Category.objects.get()
    client.post("/articles/structure/", {"what": "section", "s-category": category.pk, "s-name": "Karty",
                                         "s-language": "cs"})
    assert category.sections.get().names == {"cs": "Karty"}
    answer = client.post("/articles/structure/", {"what": "category", "c-name": "Platby", "c-language": "cs"})
    assert answer.status_code == 200 and "exists already" in answer.content.decode()
