"""Files written inside a database transaction that go away again when it rolls back.

A file saved to storage while a transaction (or a savepoint) is open is not covered by it: when the
transaction rolls back, the row that named the file is gone and the file would stay on disk for
ever. ``delete_unless_committed(storage, name)`` ties the file to the transaction it was written
in:

- the transaction commits: the file stays (a callback registered with ``on_commit`` marks it kept);
- the transaction, or any savepoint open when the file was written, rolls back: the file is deleted.

Django has no ``on_rollback``; it drops the ``on_commit`` callbacks of whatever rolls back
(``savepoint_rollback`` filters them out, ``rollback``/``close`` empty the list). The callback here
is a small object whose release by that drop is the rollback signal (CPython frees it at once).
Deleting is conservative: where it can, it first checks that no row names the file (Django also
drops the callbacks queued behind one that raised *after* a commit, and that must never delete a
committed file); where the connection cannot be asked (in the middle of a rollback) the rollback
itself is proof.

The other way round, ``delete_after_commit(storage, names)`` deletes files whose rows a transaction
deletes, once it commits: a rollback keeps both the rows and their files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction

log = logging.getLogger(__name__)


class _KeptOnCommit:
    def __init__(self, storage: Storage, name: str, still_referenced: Callable[[], bool], using: str):
        self.storage, self.name, self.still_referenced, self.using = storage, name, still_referenced, using
        self.kept = False

    def __call__(self) -> None:  # the transaction committed
        self.kept = True

    def __del__(self) -> None:  # dropped without being called: rolled back (or see the module docstring)
        if self.kept:
            return
        try:
            connection = connections[self.using]
            if connection.in_atomic_block or connection.autocommit:
                # a savepoint rolled back (the row inside it is gone), or a late drop: ask
                if connection.needs_rollback or self.still_referenced():
                    return
            # else: the outermost transaction is rolling back right now; nothing of it stays
            self.storage.delete(self.name)
        except Exception:  # never raise from here; a file left behind is better than one lost
            log.warning("could not delete the file %s of a rolled back transaction", self.name, exc_info=True)


def delete_unless_committed(storage: Storage, name: str, *, still_referenced: Callable[[], bool],
                            using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete ``name`` from ``storage`` if the current transaction (or savepoint) rolls back.

    ``still_referenced`` answers whether a committed row names the file (asked before deleting
    when the connection can be asked). Outside a transaction the file is kept at once."""
    connections[using].on_commit(_KeptOnCommit(storage, name, still_referenced, using), robust=True)


def delete_after_commit(storage: Storage, names: list[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete ``names`` from ``storage`` once the current transaction commits (at once outside one);
    nothing when it rolls back. A file that cannot be deleted is logged, never raised: the commit
    already happened."""
    names = list(names)

    def delete() -> None:
        for name in names:
            try:
                storage.delete(name)
            except Exception:
                log.warning("could not delete the file %s after its row was deleted", name, exc_info=True)

    if names:
        transaction.on_commit(delete, using=using)
