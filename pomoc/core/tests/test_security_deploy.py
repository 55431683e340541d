"""`pomoc check --deploy` is clean with the production settings documented in docs/admin-guide.md."""

import os
import secrets
import subprocess
import sys

import pytest

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "help.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_COOKIES": "1",
    "SECURE_HSTS_SECONDS": "31536000",
}


def run_check(tmp_path, **extra):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "POMOC_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": secrets.token_urlsafe(64),
        **PRODUCTION_ENV,
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "pomoc.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(
    "extra",
    [
        {"SECURE_HSTS_PRELOAD": "1"},
        # For sites that do not want to be on the browsers' HSTS preload list.
        {"POMOC_SILENCED_CHECKS": "security.W021"},
    ],
    ids=["preload", "no-preload"],
)
def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path, extra):
    result = run_check(tmp_path, **extra)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    assert "no issues" in output, output


def test_check_deploy_complains_about_a_development_setup(tmp_path):
    result = run_check(tmp_path, DEBUG="1", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on
