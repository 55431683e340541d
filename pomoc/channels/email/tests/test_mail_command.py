"""``pomoc mail ingest`` as an MTA runs it: a separate process, one mail on stdin, one JSON line out."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import EML, mail

POMOC = str(Path(sys.executable).with_name("pomoc"))


def _env(data_dir, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "POMOC_TESTING"}}
    env.update({"DJANGO_SETTINGS_MODULE": "pomoc.settings", "POMOC_DATA_DIR": str(data_dir),
                "REDIS_URL": "", **extra})
    return env


def _ingest(env, raw: bytes, *args):
    return subprocess.run([POMOC, "mail", "ingest", *args], input=raw, env=env, capture_output=True, timeout=60)


@pytest.mark.slow
def test_pipe_stores_a_mail_and_prints_one_json_line(tmp_path):
    env = _env(tmp_path)
    subprocess.run([POMOC, "migrate", "-v0"], env=env, check=True, timeout=120)
    raw = mail(message_id="<pipe-1@example.cz>")

    first = _ingest(env, raw)
    assert first.returncode == 0, first.stderr
    assert "Created the e-mail inbox" in first.stderr.decode()
    lines = first.stdout.decode().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"ticket": 1001, "message": 1, "created": True, "duplicate": False,
                                    "classification": "human", "status": "stored"}

    again = _ingest(env, raw, "--inbox", "E-mail")
    assert again.returncode == 0
    assert json.loads(again.stdout) == {"ticket": 1001, "message": 1, "created": False, "duplicate": True,
                                        "classification": "human", "status": "duplicate"}

    noise = _ingest(env, (EML / "autoreplies/outlook_en.eml").read_bytes())
    assert noise.returncode == 0 and json.loads(noise.stdout)["status"] == "ignored"
    broken = _ingest(env, b"\x00\xff garbage")
    assert broken.returncode == 0 and json.loads(broken.stdout)["status"] == "unprocessable"

    unknown = _ingest(env, raw, "--inbox", "nope")
    assert unknown.returncode == 75 and unknown.stdout == b""


def test_unreachable_database_asks_the_mta_to_retry(tmp_path):
    # port 1 on loopback: nothing listens, the connection is refused at once
    env = _env(tmp_path, DATABASE_URL="postgres://pomoc@127.0.0.1:1/pomoc")
    result = _ingest(env, mail())
    assert result.returncode == 75, result.stderr
    assert result.stdout == b""
    assert "try again later" in result.stderr.decode()
