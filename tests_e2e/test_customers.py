"""The customer side in a real browser: an agent merges two contacts from a proposal and undoes it;
the profile, company and proposals pages at 1280 and 390 px, in English and Czech."""

import json
import re

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .conftest import admin_signed_in

pytestmark = pytest.mark.browser

SETUP = """
import json
from pomoc.contacts import proposals, services
from pomoc.testing.factories import ContactFactory, make_ticket
from pomoc.tickets.models import Channel
company = services.company_create(name="Pekárna Novák", domains=["pekarna-novak.cz"])
jana, _c = services.contact_get_or_create(kind="email", value="jana.novakova@pekarna-novak.cz", name="Jana Nováková")
services.identity_add(contact=jana, kind="phone", value="+420 777 123 456")
services.tag_add(contact=jana, name="vip")
services.contact_update(contact=jana, changes={"language": "cs", "time_zone": "Europe/Prague",
                                               "notes": "Orders bread for three shops."})
make_ticket(requester=jana, subject="Rohlíky nedorazily")
make_ticket(requester=jana, subject="Chat: otevírací doba", channel=Channel.CHAT)
again = ContactFactory(name="Jana N.", email="jana.novakova+shop@gmail.com")
older = ContactFactory(name="J. Nováková", email="jananovakova@gmail.com")
make_ticket(requester=again, subject="Faktura za květen")
petr = ContactFactory(name="Petr Malý", email="petr.maly@pekarna-novak.cz", company=company)
services.identity_add(contact=petr, kind="phone", value="+420 608 111 222")
caller = ContactFactory(name="Petr Maly", email="objednavky@pekarna-novak.cz", company=company)
proposals.find_proposals()
print(json.dumps({"jana": jana.pk, "company": company.pk, "again": again.pk, "older": older.pk}))
"""


@pytest.fixture(scope="module")
def world(site):
    out = pomoc("shell", "-c", SETUP, env=site.env).stdout.strip().splitlines()[-1]
    return json.loads(out)


def test_an_agent_merges_two_contacts_from_a_proposal_and_undoes_it(site, browser, world):
    with admin_signed_in(site, browser, "en", 1280) as admin:
        page = admin.page
        page.goto("/contacts/proposals/")
        proposal = page.locator(".proposal", has_text="jananovakova@gmail.com").first
        expect(proposal).to_contain_text("jana.novakova+shop@gmail.com")
        proposal.get_by_role("button", name="Merge").click()
        expect(page.locator(".merge-undo-bar")).to_be_visible()
        expect(page.locator(".identity-list")).to_contain_text("jana.novakova+shop@gmail.com")
        expect(page.locator(".identity-list")).to_contain_text("jananovakova@gmail.com")
        expect(page.locator("#customer-timeline")).to_contain_text("Faktura za květen")
        page.get_by_role("button", name="Undo the merge").click()
        # the undo shows the contact that is back, with only what was its own
        expect(page.locator(".flash-success")).to_contain_text("undone")
        expect(page).to_have_url(re.compile(rf"/contacts/{world['older']}/$"))
        expect(page.locator(".identity-list")).to_contain_text("jananovakova@gmail.com")
        expect(page.locator(".identity-list")).not_to_contain_text("jana.novakova+shop@gmail.com")
        page.goto(f"/contacts/{world['again']}/")
        expect(page.locator(".identity-list")).to_contain_text("jana.novakova+shop@gmail.com")
        expect(page.locator(".identity-list")).not_to_contain_text("jananovakova@gmail.com")
        expect(page.locator("#customer-timeline")).to_contain_text("Faktura za květen")
        expect(page.locator(".merge-undo-bar")).to_have_count(0)
        assert admin.errors == [] and admin.csp_problems() == []


@pytest.mark.parametrize("language", ["en", "cs"])
@pytest.mark.parametrize("width", [1280, 390])
def test_customer_pages_look_right(site, browser, world, screenshots, language, width):
    with admin_signed_in(site, browser, language, width) as admin:
        page = admin.page
        page.goto(f"/contacts/{world['jana']}/")
        expect(page.locator("h1")).to_contain_text("Jana Nováková")
        expect(page.locator("#customer-timeline")).to_contain_text("Rohlíky nedorazily")
        page.screenshot(path=screenshots / f"profile-{language}-{width}.png", full_page=True)
        page.goto(f"/companies/{world['company']}/")
        expect(page.locator(".company-contacts")).to_contain_text("Jana Nováková")
        page.screenshot(path=screenshots / f"company-{language}-{width}.png", full_page=True)
        page.goto("/contacts/proposals/")
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=screenshots / f"proposals-{language}-{width}.png", full_page=True)
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert admin.errors == [] and admin.csp_problems() == []
