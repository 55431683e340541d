"""``read_env_file``: an environment file read as systemd reads it, never run through a shell."""

from pomoc.core.env import read_env_file


def test_it_reads_names_and_values_as_systemd_does(tmp_path):
    path = tmp_path / "env"
    path.write_text(
        "# a comment\n"
        "; another\n"
        "\n"
        "DATABASE_URL=postgres://pomoc:p%40ss@db:5432/pomoc\n"
        "  SPACED  =  value with spaces  \n"
        'DEFAULT_FROM_EMAIL="Example Support <help@example.com>"\n'
        "SINGLE='it is $HOME, `not run`'\n"
        'ESCAPED="a \\"quoted\\" word and a \\\\ backslash"\n'
        "EMPTY=\n"
        "HASH=abc # kept, as systemd keeps it\n"
        "EQUALS=a=b=c\n"
        "not a variable line\n"
        "1BAD=ignored\n"
    )
    assert read_env_file(path) == {
        "DATABASE_URL": "postgres://pomoc:p%40ss@db:5432/pomoc",
        "SPACED": "value with spaces",
        "DEFAULT_FROM_EMAIL": "Example Support <help@example.com>",
        "SINGLE": "it is $HOME, `not run`",
        "ESCAPED": 'a "quoted" word and a \\ backslash',
        "EMPTY": "",
        "HASH": "abc # kept, as systemd keeps it",
        "EQUALS": "a=b=c",
    }
