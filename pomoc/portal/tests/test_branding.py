import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.portal.branding import contrast_with_white
from pomoc.portal.models import PortalSettings
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    return client


def test_the_contrast_is_computed_as_wcag_says():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert contrast_with_white("#1d4ed8") > 4.5


def test_an_administrator_brands_the_portal_and_it_shows_without_inline_styles(admin_client):
    answer = admin_client.post(reverse("portal:settings"), {
        "title": "Acme Help", "brand_colour": "#0B5D1E", "logo": SimpleUploadedFile("logo.png", PNG, "image/png")})
    assert answer.status_code == 302
    settings = PortalSettings.get()
    assert settings.brand_colour == "#0b5d1e" and settings.logo
    page = admin_client.get("/").content.decode()
    css_url = reverse("portal:brand-css", args=[settings.version])
    assert css_url in page and "Acme Help" in page and "style=" not in page
    css = admin_client.get(css_url)
    assert "--brand: #0b5d1e;" in css.content.decode() and css["Content-Type"].startswith("text/css")
    assert "immutable" in css["Cache-Control"]
    logo = admin_client.get(reverse("portal:logo", args=[settings.version]))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_a_colour_white_text_cannot_be_read_on_is_refused(admin_client):
    answer = admin_client.post(reverse("portal:settings"), {"title": "", "brand_colour": "#ffdd00"})
    assert answer.status_code == 400 and "at least 4.5:1" in answer.content.decode()
    assert PortalSettings.get().brand_colour == ""
    wrong = admin_client.post(reverse("portal:settings"), {"brand_colour": "blue"})
    assert wrong.status_code == 400 and "#RRGGBB" in wrong.content.decode()


def test_a_logo_that_is_no_image_is_refused(admin_client):
    answer = admin_client.post(reverse("portal:settings"), {
        "brand_colour": "", "logo": SimpleUploadedFile("logo.svg", b"<svg onload=alert(1)>", "image/svg+xml")})
    assert answer.status_code == 400 and "PNG, JPEG, WebP or GIF" in answer.content.decode()


def test_only_administrators_change_the_look(client):
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get(reverse("portal:settings")).status_code == 403
