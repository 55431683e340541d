"""Our stylesheets and scripts are whole: an unclosed brace (a merge can drop one) silently nests
every later rule inside an @media block, so the browser ignores them on wide screens."""

import shutil
import subprocess
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2]


def _files(suffix: str) -> list[Path]:
    return sorted(p for p in APPS.rglob(f"*{suffix}") if "vendor" not in p.parts and "node_modules" not in p.parts)


@pytest.mark.parametrize("path", _files(".css"), ids=lambda p: str(p.relative_to(APPS)))
def test_every_stylesheet_closes_each_brace_it_opens(path):
    depth = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        for char in line:
            depth += (char == "{") - (char == "}")
            assert depth >= 0, f"{path.name}:{number}: a closing brace too many"
        if line.startswith("/* =="):
            assert depth == 0, f"{path.name}:{number}: a block starts inside an unclosed rule"
    assert depth == 0, f"{path.name}: {depth} brace(s) left open"


@pytest.mark.parametrize("path", _files(".js"), ids=lambda p: str(p.relative_to(APPS)))
def test_every_script_parses(path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make assets installs the npm packages with it)")
    done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
