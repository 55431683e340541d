import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

READYZ_WITHOUT_DATABASE = """
import django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(response.status_code, response.content.decode())
"""


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "POMOC_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "pomoc.settings",
        "ALLOWED_HOSTS": "testserver",
        # Nothing listens on port 1: the connection is refused at once.
        "DATABASE_URL": "postgres://pomoc:pomoc@127.0.0.1:1/pomoc?connect_timeout=3",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run([sys.executable, "-c", READYZ_WITHOUT_DATABASE], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "database": "unreachable"}
