"""Reading settings from the environment, without Django.

``pomoc.settings`` is built from these; the MTA pipe's fast path (``pomoc mail ingest`` handing the
mail to the running Pomoc) uses them before Django is set up, so both agree on where the data
directory is and how a ``NAME_FILE`` secret is read.
"""

import os
import re
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]


def env_str(name: str, default: str = "") -> str:
    """A setting from the environment, or from the file named by NAME_FILE (Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def data_dir() -> Path:
    """``POMOC_DATA_DIR``, by default ``data/`` in the checkout."""
    return Path(env_str("POMOC_DATA_DIR", str(REPO_DIR / "data"))).resolve()


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPED = re.compile(r"\\(.)")


def read_env_file(path: str | Path) -> dict[str, str]:
    """The variables of an environment file as systemd's ``EnvironmentFile=`` reads it, never through
    a shell: ``NAME=value`` a line, lines starting with ``#`` or ``;`` and blank lines skipped, the
    value stripped of surrounding blanks and of one pair of double quotes (inside which ``\\x``
    stands for ``x``) or single quotes. OSError when the file cannot be read.

    Not python-dotenv: importing it costs more than the rest of ``pomoc mail ingest``'s fast path
    together, and it reads ``# …`` after a value as a comment, which systemd does not."""
    values: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        name, value = (part.strip() for part in line.split("=", 1))
        if not _NAME.fullmatch(name):
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = _ESCAPED.sub(r"\1", value[1:-1])
        elif len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        values[name] = value
    return values
