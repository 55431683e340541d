"""DATABASE_URL parsing and creating/dropping the peer's database (postgres://… or sqlite:///path)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit


class DatabaseUrlError(ValueError):
    pass


def parse(url: str) -> dict:
    if not url:
        raise DatabaseUrlError("no database URL given (postgres://USER@HOST:PORT/NAME or sqlite:///PATH)")
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise DatabaseUrlError(f"no database name in {redact(url)}")
        return {"vendor": "postgresql", "name": name, "user": unquote(parts.username or ""),
                "password": unquote(parts.password or ""), "host": parts.hostname or "",
                "port": str(parts.port or "")}
    if parts.scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseUrlError(f"expected sqlite:///PATH, got {url}")
        return {"vendor": "sqlite", "name": path if path.startswith("/") or path == ":memory:" else
                str(Path(path).resolve())}
    raise DatabaseUrlError(f"unsupported database URL scheme {parts.scheme!r} (postgres:// or sqlite:///)")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


def django_database(url: str) -> dict:
    if not url:  # manage.py without DATABASE_URL: a scratch file, never someone's database
        scratch = os.path.join(tempfile.gettempdir(), "pomoc-peer.sqlite3")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": scratch}
    db = parse(url)
    if db["vendor"] == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": db["name"]}
    return {"ENGINE": "django.db.backends.postgresql", "NAME": db["name"], "USER": db["user"],
            "PASSWORD": db["password"], "HOST": db["host"], "PORT": db["port"]}


def _maintenance_connection(db: dict):
    import psycopg

    return psycopg.connect(dbname="postgres", user=db["user"] or None, password=db["password"] or None,
                           host=db["host"] or None, port=db["port"] or None, autocommit=True)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def recreate(url: str) -> None:
    """Drop the database (closing other sessions on it) and create it empty."""
    db = parse(url)
    if db["vendor"] == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(db["name"] + suffix).unlink(missing_ok=True)
        Path(db["name"]).parent.mkdir(parents=True, exist_ok=True)
        return
    with _maintenance_connection(db) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_quote(db['name'])} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_quote(db['name'])}")


def exists(url: str) -> bool:
    db = parse(url)
    if db["vendor"] == "sqlite":
        return Path(db["name"]).exists()
    with _maintenance_connection(db) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["name"]]).fetchone() is not None


def use(url: str) -> dict:
    """Point Django (not yet set up) at this database; returns the parsed URL."""
    db = parse(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
    return db
