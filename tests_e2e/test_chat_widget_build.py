"""The chat widget's build: it stays small (docs/decisions/0022-chat-widget-build.md) and every
language it speaks has every string. Runs the real build (esbuild from node_modules) into a
temporary folder; no browser needed."""

import gzip
import json
import shutil
import subprocess

import pytest

from pomoc.testing.services import require_service

from .chat_helpers import REPO

MAX_GZIP_BYTES = 30 * 1024


@pytest.fixture(scope="module")
def node():
    path = shutil.which("node")
    require_service("Node.js with the npm packages (make assets)",
                    bool(path) and (REPO / "node_modules" / "esbuild").is_dir(), hint="make assets")
    return path


def test_the_built_widget_stays_under_30_kb_compressed(node, tmp_path):
    result = subprocess.run([node, "widget/build.mjs", "--out", str(tmp_path)], cwd=REPO,  # noqa: S603
                            capture_output=True, text=True, timeout=120, check=True)
    built = (tmp_path / "pomoc-chat.js").read_bytes()
    assert "KB gzip" in result.stdout  # the build prints its size
    assert 0 < len(gzip.compress(built, compresslevel=9)) < MAX_GZIP_BYTES
    assert built.isascii()  # non-ASCII escaped: correct on host pages that declare no charset


def test_every_language_of_the_widget_has_every_string(node):
    script = ("import('./widget/src/i18n.js').then(m => console.log(JSON.stringify("
              "Object.fromEntries(Object.entries(m.CATALOGUES).map(([k, v]) => [k, Object.keys(v).sort()])))))")
    result = subprocess.run([node, "--input-type=module", "-e", script], cwd=REPO,  # noqa: S603
                            capture_output=True, text=True, timeout=60, check=True)
    keys = json.loads(result.stdout)
    assert sorted(keys) == ["cs", "en", "et", "pl"]
    for language in ("cs", "et", "pl"):
        assert keys[language] == keys["en"], language
