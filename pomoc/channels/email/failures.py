"""Which failures of processing a mail are the database's (try everything later) and which are the
mail's own (try that mail again later, a bounded number of times).

``is_outage(exc)`` is the one place that tells them apart. An outage is a database that cannot be
reached or is not answering for now: the connection lost or refused, the server shutting down or
starting, out of resources, a lock wait or statement timeout, a deadlock or serialization failure.
Then nothing can be stored, so workers stop and leave the mail pending, and the MTA pipe answers
"try again later". Anything else (a value the database refuses, a constraint, a bug met by one
mail, storage of one attachment failing) belongs to that one mail: it is retried with backoff
(``retry_delay``) and after ``MAX_ATTEMPTS`` kept as ``unprocessable`` with the error, while the
mails behind it go on.
"""

from __future__ import annotations

import datetime as dt

from django.db import InterfaceError, OperationalError

MAX_ATTEMPTS = 5  # failed attempts of one mail before it is kept as unprocessable
FIRST_DELAY = dt.timedelta(minutes=1)  # then 4, 16 and 64 minutes

# SQLSTATE classes and codes of PostgreSQL that mean "the database, not this mail; try later"
_OUTAGE_CLASSES = ("08", "53", "57", "58")  # connection, resources, operator intervention, system
_OUTAGE_CODES = {"40001", "40P01", "55P03", "55006", "25P03"}  # serialization, deadlock, lock, idle timeout
_SQLITE_OUTAGE = ("database is locked", "database table is locked", "disk i/o error", "unable to open database",
                  "database or disk is full")


def _sqlstate(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    for error in (exc, cause):
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if state:
            return str(state)
    return ""


def is_outage(exc: BaseException) -> bool:
    """True when ``exc`` says the database is unavailable for now (see the module's docstring);
    False for a failure that belongs to the mail being processed."""
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed or unusable
    state = _sqlstate(exc)
    if state:
        return state[:2] in _OUTAGE_CLASSES or state in _OUTAGE_CODES
    if isinstance(exc, OperationalError):
        cause = exc.__cause__ or exc.__context__
        if type(cause).__module__.startswith("sqlite3"):
            return any(text in str(exc).lower() for text in _SQLITE_OUTAGE)
        return True  # no SQLSTATE: the server went away before answering
    return False


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a mail waits after its ``attempts``-th failed attempt: 1, 4, 16, 64 minutes."""
    return FIRST_DELAY * 4 ** max(attempts - 1, 0)
