"""The knowledge base in a real Chromium: a visitor searches with and without diacritics, reads an
article, switches its language and votes; an agent writes, reviews, publishes and restores a version.
axe-core checks the knowledge base's home, an article and search results."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import PomocServer, pomoc, pomoc_env

from .conftest import DEMO_PASSWORD, admin_signed_in
from .test_agent_flow import CSP_RECORDER, TIMEOUT
from .test_agent_workspace import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium_path):
    data_dir = tmp_path_factory.mktemp("pomoc-e2e-kb")
    env = pomoc_env(data_dir)
    pomoc("migrate", "--verbosity", "0", env=env)
    pomoc("demo", "--password", DEMO_PASSWORD, "--tickets", "5", "--seed", "1", env=env, timeout=600)
    server = PomocServer(data_dir, env=env).start()
    yield server
    server.stop()


@pytest.fixture
def shots(screenshots) -> Path:
    path = Path(os.environ.get("POMOC_E2E_SCREENSHOTS") or screenshots)
    path.mkdir(parents=True, exist_ok=True)
    return path


def shoot(page, folder: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True, caret="initial")
    page.set_viewport_size({"width": 1280, "height": 900})


def visitor(browser, site):
    context = browser.new_context(base_url=site.url, locale="en-GB")
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def csp(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_a_visitor_searches_reads_switches_language_and_votes(site, browser, shots):
    context, page, errors = visitor(browser, site)
    try:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/kb/")
        expect(page.locator("h1")).to_have_text("Knowledge base")
        assert serious_violations(page) == []
        shoot(page, shots, "kb-home-en")

        page.locator("#kb-q").press_sequentially("prihl", delay=30)  # suggestions as you type
        suggestion = page.locator("#kb-suggestions a", has_text="Přihlášení do účtu")
        expect(suggestion).to_be_visible()
        shoot(page, shots, "kb-suggest-en")

        page.fill("#kb-q", "prihlaseni")  # without diacritics
        page.locator("form.kb-search button[type=submit]").click()
        expect(page.locator(".kb-results li", has_text="Přihlášení do účtu")).to_be_visible()
        expect(page.locator(".kb-results mark").first).to_be_visible()
        assert serious_violations(page) == []
        shoot(page, shots, "kb-search-en")

        page.goto("/kb/search/?q=p%C5%99ihl%C3%A1%C5%A1en%C3%AD")  # with them: přihlášení
        expect(page.locator(".kb-results li", has_text="Přihlášení do účtu")).to_be_visible()
        page.goto("/kb/search/?q=zolw")
        expect(page.locator(".kb-results li", has_text="Kod logowania nie dociera")).to_be_visible()
        page.goto("/kb/search/?q=oigus")
        expect(page.locator(".kb-results li", has_text="Sinu õigus andmetele")).to_be_visible()
        page.goto("/kb/search/?q=schvaleni")  # the internal article stays hidden
        expect(page.locator(".kb-result-count")).to_contain_text("0 results")

        page.goto("/kb/search/?q=prihlaseni")
        page.locator(".kb-results a", has_text="Přihlášení do účtu").click()
        expect(page.locator("article h1")).to_have_text("Přihlášení do účtu")
        assert serious_violations(page) == []
        page.locator(".kb-languages a", has_text="English").click()
        expect(page.locator("article h1")).to_have_text("Signing in to your account")
        assert page.url.endswith("/kb/en/signing-in-to-your-account/")
        shoot(page, shots, "kb-article-en")

        page.fill("#kb-comment", "Clear, thank you")
        page.locator(".kb-votes button", has_text="Yes, it helped").click()
        expect(page.locator(".kb-thanks")).to_have_text("Thank you for your feedback.")

        # the same pages in Czech
        page.select_option("#portal-language", "cs")
        page.locator(".portal-language button").click()
        page.goto("/kb/")
        expect(page.locator("h1")).to_have_text("Znalostní báze")
        shoot(page, shots, "kb-home-cs")
        page.goto("/kb/cs/prihlaseni-do-uctu/")
        shoot(page, shots, "kb-article-cs")
        page.goto("/kb/search/?q=heslo")
        expect(page.locator(".kb-results li").first).to_be_visible()
        shoot(page, shots, "kb-search-cs")
        assert errors == [] and csp(page) == []
    finally:
        context.close()


def test_an_agent_writes_reviews_publishes_and_restores(site, browser, shots):
    with admin_signed_in(site, browser, "en", 1280) as admin:
        page = admin.page
        page.locator("header.topbar a", has_text="Knowledge base").click()
        expect(page.locator("h1")).to_have_text("Knowledge base")
        page.locator("a", has_text="New article").click()
        page.select_option("#id_language", "cs")
        page.select_option("#id_section", label="Billing › Invoices")
        page.select_option("#id_kind", "faq")
        page.fill("#id_title", "Změna fakturační adresy")
        page.fill("#id_summary", "Jak změnit adresu na faktuře.")
        page.fill("#id_body", "Adresu změníte v **profilu**.")
        expect(page.locator("#kb-preview strong")).to_have_text("profilu")  # the live preview
        page.locator("form.kb-form button[type=submit]").click()
        expect(page.locator(".kb-status-text")).to_have_text("Draft")
        page.locator(".kb-workflow button", has_text="Send for review").click()
        expect(page.locator(".kb-status-text")).to_have_text("In review")
        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.locator(".kb-status-text")).to_have_text("Published")

        page.fill("#id_body", "Adresu už měnit nelze.")
        page.locator("form.kb-form button[type=submit]").click()
        expect(page.locator(".kb-status-text")).to_have_text("Draft")
        shoot(page, shots, "kb-editor-en")
        page.locator(".kb-versions button", has_text="Restore version 1").click()
        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.locator(".kb-status-text")).to_have_text("Published")
        page.goto("/kb/cs/zmena-fakturacni-adresy/")
        expect(page.locator(".kb-body")).to_contain_text("Adresu změníte v profilu.")
        assert admin.errors == [] and admin.csp_problems() == []


def test_an_agent_inserts_an_article_link_into_a_reply(site, browser):
    with admin_signed_in(site, browser, "en", 1280) as admin:
        page = admin.page
        out = pomoc("shell", "-c", "from pomoc.tickets.models import Ticket; "
                    "print('NUMBER', Ticket.objects.order_by('number').first().number)", env=site.env).stdout
        page.goto(f"/tickets/{out.split('NUMBER')[1].split()[0]}/")
        page.locator("#kb-link-picker summary").click()
        page.fill("#kb-link-q", "invoice")
        option = page.locator("#kb-link-options [data-url]").first
        expect(option).to_be_visible()
        option.click()
        expect(page.locator("input[name=body_html]").first).to_have_value(
            __import__("re").compile(r"/kb/en/downloading-an-invoice/"))
        assert admin.errors == []
