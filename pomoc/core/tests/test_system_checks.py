"""Every command of an installation starts with Django's system checks: on either database they
must pass without a warning (SQLite ignores the extra columns of PostgreSQL's covering indexes)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_system_checks_pass_without_a_warning_on_this_database():
    call_command("check", databases=["default"], fail_level="WARNING")
