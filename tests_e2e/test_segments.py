"""An administrator builds a segment under Administration → Segments from condition rows, previews
how many contacts match and who, saves it, and sees its count on its page. Screenshots go to
POMOC_E2E_SCREENSHOTS (default: a temporary folder) for a person to look at."""

import re

import pytest
from playwright.sync_api import expect

from pomoc.testing.services import pomoc

from .test_agent_flow import Agent

pytestmark = pytest.mark.browser

CREATE_CONTACTS = """
from pomoc.contacts import services
from pomoc.contacts.models import Company, Contact
company, _new = Company.objects.get_or_create(name="Segmentová s.r.o.")
if not Contact.objects.filter(company=company).exists():
    for name, tag in (("Alena Segmentová", "e2e-vip"), ("Bohdan Segmentový", "e2e-vip"), ("Cyril Segmentový", "")):
        contact = Contact.objects.create(name=name, company=company)
        if tag:
            services.tag_add(contact=contact, name=tag)
"""


def test_an_administrator_builds_a_segment_and_sees_its_count(site, browser, demo_password, screenshots):
    pomoc("shell", "-c", CREATE_CONTACTS, env=site.env)
    admin = Agent(browser, site.url, "admin", demo_password)
    try:
        page = admin.page
        page.set_viewport_size({"width": 1280, "height": 900})
        admin.log_in()
        page.get_by_role("link", name="Administration").click()
        page.locator("nav.manage-nav").get_by_role("link", name="Segments").click()
        expect(page.locator("h1")).to_have_text("Segments")
        page.get_by_role("link", name="New segment").click()
        expect(page.locator("h1")).to_have_text("New segment")
        page.fill("input[name=name]", "E2E VIPs of Segmentová")
        page.select_option("select[name=cond_0_field]", "company")
        page.select_option("select[name=cond_0_op]", "is")
        page.fill("input[name=cond_0_value]", "segmentová s.r.o.")
        page.select_option("select[name=cond_1_field]", "tag")
        page.select_option("select[name=cond_1_op]", "is")
        page.fill("input[name=cond_1_value]", "e2e-vip")
        page.get_by_role("button", name="Preview").click()

        preview = page.locator("section.segment-preview")
        expect(preview.locator(".segment-count")).to_have_text("2 contacts match.")
        expect(preview.locator("ul.segment-sample li")).to_have_text(["Alena Segmentová Segmentová s.r.o.",
                                                                      "Bohdan Segmentový Segmentová s.r.o."])
        page.screenshot(path=str(screenshots / "1-segment-preview.png"), full_page=True, caret="initial")
        page.get_by_role("button", name="Save").click()

        page.wait_for_url(re.compile(r".*/manage/segments/\d+/$"))
        expect(page.locator(".flash")).to_contain_text("Segment E2E VIPs of Segmentová saved.")
        expect(page.locator("input[name=cond_0_value]")).to_have_value("Segmentová s.r.o.")
        expect(page.locator("section.segment-preview .segment-count")).to_have_text("2 contacts match.")
        page.locator("nav.manage-nav").get_by_role("link", name="Segments").click()
        expect(page.locator("table.segments tbody tr", has_text="E2E VIPs of Segmentová")).to_contain_text("2")
    finally:
        admin.close()
