import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pomoc.accounts.models import Role, User
from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def run_init(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("init", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = settings.DATA_DIR / "media"
    return settings.DATA_DIR


def test_it_creates_an_administrator_with_a_random_password_printed_once(data_dir, settings):
    settings.POMOC_BASE_URL = "http://example.test:8123"

    out, _err = run_init()

    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMINISTRATOR
    assert admin.is_staff and admin.is_superuser and admin.is_active
    password = re.search(r"password:\s+(\S+)", out).group(1)
    assert len(password) >= 12
    assert admin.check_password(password)
    assert "http://example.test:8123/" in out
    assert "pomoc changepassword admin" in out
    assert data_dir.is_dir() and (data_dir / "media").is_dir()
    assert OrganisationSettings.objects.filter(pk=1).exists()


def test_it_uses_the_given_password_and_does_not_print_it(data_dir):
    out, err = run_init("--admin-password", "Correct-Horse-Battery-9")

    assert User.objects.get(username="admin").check_password("Correct-Horse-Battery-9")
    assert "Correct-Horse-Battery-9" not in out + err


def test_it_warns_about_a_weak_given_password_but_accepts_it(data_dir):
    _out, err = run_init("--admin-password", "admin")

    assert "Weak password" in err
    assert User.objects.get(username="admin").check_password("admin")


def test_a_second_run_changes_nothing(data_dir):
    first, _err = run_init()
    password_hash = User.objects.get(username="admin").password

    second, _err = run_init("--admin-password", "Another-Password-42")

    assert "already set up" in second
    assert "pomoc changepassword admin" in second
    assert User.objects.filter(role=Role.ADMINISTRATOR).count() == 1
    assert User.objects.get(username="admin").password == password_hash
    assert re.search(r"password:\s+\S+", second) is None


def test_an_existing_administrator_counts_as_set_up(data_dir):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)

    out, _err = run_init()

    assert "already set up" in out
    assert not User.objects.filter(username="admin").exists()


def test_it_refuses_to_take_over_a_non_administrator_called_admin(data_dir):
    UserFactory(username="admin", role=Role.AGENT)

    with pytest.raises(CommandError, match="createsuperuser"):
        run_init()

    admin = User.objects.get(username="admin")
    assert admin.role == Role.AGENT and not admin.is_superuser


def test_its_help_text_renders(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("init", "--help")

    assert exit_info.value.code == 0
    assert "--admin-password" in capsys.readouterr().out
