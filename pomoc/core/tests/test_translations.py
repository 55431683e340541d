"""Every shipped language is complete, and its compiled catalogue matches its source."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
DOMAINS = ["django", "djangojs"]


def po_entries(path: Path) -> list[dict]:
    """A small .po reader: msgid, msgstr (all plural forms) and flags of each entry."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" in fields and fields["msgid"]:
            entries.append({"msgid": fields["msgid"], "flags": flags,
                            "msgstr": [v for k, v in fields.items() if k.startswith("msgstr")]})
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_is_translated(language, domain):
    entries = po_entries(LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po")
    assert entries, "empty catalogue"
    missing = [e["msgid"] for e in entries if not all(e["msgstr"]) or "fuzzy" in e["flags"]]
    assert missing == [], f"{language}/{domain}: untranslated or fuzzy: {missing[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalogue_matches_its_source(language, domain, tmp_path):
    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext (msgfmt) is not installed; .ci/run installs it")
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    compiled = tmp_path / f"{domain}.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(folder / f"{domain}.po")], check=True)
    assert compiled.read_bytes() == (folder / f"{domain}.mo").read_bytes(), "run `make messages` and commit the .mo"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_interface_speaks_the_language(language):
    with translation.override(language):
        assert translation.gettext("Log out") != "Log out"
