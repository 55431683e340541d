import pytest
from django.core.management import call_command


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as excinfo:
        call_command("demo", "--help")
    assert excinfo.value.code == 0
    out = capsys.readouterr().out
    for option in ("--tickets", "--password", "--seed", "--mode"):
        assert option in out
