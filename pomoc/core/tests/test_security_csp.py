import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
TEMPLATE_DIRS = ["accounts", "registration", "administration"]
INLINE = [
    re.compile(r"\sstyle\s*=", re.I),  # inline style attributes
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # script elements with a body
    re.compile(r"\son[a-z]+\s*=", re.I),  # event handler attributes
    re.compile(r"javascript:", re.I),
]


@pytest.mark.parametrize("name", ["accounts:login", "accounts:password_reset"])
def test_the_page_has_a_strict_content_security_policy(client, name):
    response = client.get(reverse(name))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_is_not_cached(client):
    assert "no-cache" in client.get(reverse("accounts:login"))["Cache-Control"]


def test_account_and_administration_templates_have_no_inline_code():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted((Path(settings.BASE_DIR) / "templates" / folder).glob("*.html")):
            text = path.read_text()
            found += [f"{folder}/{path.name}: {p.pattern}" for p in INLINE if p.search(text)]
    assert found == []
