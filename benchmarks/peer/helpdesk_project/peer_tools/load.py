"""Fill django-helpdesk's tables with the same data as a Pomoc database.

    python -m peer_tools.load --from-database-url POMOC_URL --database-url PEER_URL

Departments become queues, users become auth users (same ids and usernames, one known password),
tickets become helpdesk tickets (same ids), messages become follow-ups (same ids). The few queues
and users go through the ORM; tickets and follow-ups stream from Pomoc's database with
``COPY (SELECT …) TO STDOUT`` straight into ``COPY … FROM STDIN`` of the peer's, with the peer's
secondary indexes and foreign keys dropped during the copy and rebuilt after it; then VACUUM ANALYZE.
Prints one JSON object. Both databases must be PostgreSQL.
"""

from __future__ import annotations

import argparse
import time

from peer_tools import database
from peer_tools.output import emit, fail, keep_stdout_for_result, peer_label, progress

# The password every copied user gets in the peer (Pomoc's demo users have the same one).
PASSWORD = "pomoc-demo"
STAFF_ROLES = ("administrator", "supervisor", "agent")
NO_DEPARTMENT = "No department"
LOADED_TABLES = ("helpdesk_ticket", "helpdesk_followup")

# Pomoc status -> helpdesk status (1 open, 2 reopened, 3 resolved, 4 closed); "pending" is an
# open ticket on hold. Pomoc priority 1 low .. 4 urgent -> helpdesk 1 critical .. 5 very low.
TICKETS_SQL = """
SELECT t.id,
       left(t.subject, 200),
       t.created_at,
       t.updated_at,
       left(e.value, 254),
       CASE WHEN t.status = 'resolved' THEN 3
            WHEN t.status = 'closed' THEN 4
            WHEN t.reopen_count > 0 THEN 2
            ELSE 1 END,
       t.status = 'pending',
       first_message.body,
       5 - t.priority,
       t.assignee_id,
       coalesce(t.department_id, {no_department}),
       md5(t.id::text || '-pomoc-peer')::uuid::text,
       t.merged_into_id
FROM tickets_ticket t
LEFT JOIN (SELECT DISTINCT ON (contact_id) contact_id, value
           FROM contacts_identity WHERE kind = 'email' ORDER BY contact_id, id) e
       ON e.contact_id = t.requester_id
LEFT JOIN LATERAL (SELECT m.body_text AS body FROM tickets_message m
                   WHERE m.ticket_id = t.id ORDER BY m.created_at, m.id LIMIT 1) first_message ON true
"""
TICKET_COLUMNS = ("id, title, created, modified, submitter_email, status, on_hold, description, priority, "
                  "assigned_to_id, queue_id, secret_key, merged_to_id")

FOLLOWUPS_SQL = """
SELECT m.id, m.created_at, m.body_text, m.kind <> 'note', m.ticket_id, m.author_user_id,
       nullif(left(m.external_id, 256), '')
FROM tickets_message m
"""
FOLLOWUP_COLUMNS = "id, date, comment, public, ticket_id, user_id, message_id"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from-database-url", required=True, help="Pomoc's database (postgres://…)")
    parser.add_argument("--database-url", required=True, help="the peer's database (postgres://…), recreated")
    return parser.parse_args(argv)


def connect(url: str):
    import psycopg

    db = database.parse(url)
    return psycopg.connect(dbname=db["name"], user=db["user"] or None, password=db["password"] or None,
                           host=db["host"] or None, port=db["port"] or None)


def count_source(src) -> tuple[int, int]:
    tickets = src.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
    messages = src.execute("SELECT count(*) FROM tickets_message").fetchone()[0]
    return tickets, messages


def count_peer(url: str) -> int | None:
    """Tickets in the peer's database, or None when it has no helpdesk schema yet."""
    if not database.exists(url):
        return None
    with connect(url) as dst:
        if dst.execute("SELECT to_regclass('helpdesk_ticket')").fetchone()[0] is None:
            return None
        return dst.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]


def copy_rows(src, dst, select_sql: str, table: str, columns: str) -> int:
    with src.cursor().copy(f"COPY ({select_sql}) TO STDOUT") as out, \
            dst.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as into:
        for chunk in out:
            into.write(chunk)
    return dst.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def drop_secondary(dst) -> list[str]:
    """Drop the loaded tables' foreign keys and non-unique indexes; return the SQL that rebuilds them."""
    rebuild = []
    for table in LOADED_TABLES:
        for name, definition in dst.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'", [table]).fetchall():
            dst.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for table in LOADED_TABLES:
        for name, definition in dst.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT x.indisunique", [table]).fetchall():
            dst.execute(f'DROP INDEX "{name}"')
            rebuild.insert(0, definition)  # indexes first, so the foreign key checks can use them
    return rebuild


def load_small_tables(src, no_department_id: int) -> dict:
    """Queues and users through the ORM (a handful of rows), keeping Pomoc's ids."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.utils.text import slugify
    from helpdesk.models import Queue, UserSettings

    departments = src.execute("SELECT id, name FROM accounts_department ORDER BY id").fetchall()
    for pk, name in [*departments, (no_department_id, NO_DEPARTMENT)]:
        slug = (slugify(name) or f"queue-{pk}")[:40] + f"-{pk}"
        Queue.objects.create(id=pk, title=name[:100], slug=slug, allow_email_submission=False,
                             allow_public_submission=False)
    hashed = make_password(PASSWORD)  # slow on purpose: once for everybody
    users = [
        User(id=pk, username=username, first_name=first[:150], last_name=last[:150], email=email,
             is_staff=role in STAFF_ROLES, is_superuser=superuser, is_active=active, date_joined=joined,
             password=hashed)
        for pk, username, first, last, email, role, superuser, active, joined in src.execute(
            "SELECT id, username, first_name, last_name, email, role, is_superuser, is_active, date_joined "
            "FROM accounts_user ORDER BY id")
    ]
    User.objects.bulk_create(users, batch_size=1000)
    UserSettings.objects.bulk_create([UserSettings(user_id=user.id) for user in users], batch_size=1000)
    return {"queues": len(departments) + 1, "users": len(users)}


def reset_sequences(dst) -> None:
    for table in ("helpdesk_queue", "auth_user", *LOADED_TABLES):
        dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")


def main(argv=None) -> int:
    args = parse_args(argv)
    keep_stdout_for_result()
    try:
        source_db, peer_db = database.parse(args.from_database_url), database.parse(args.database_url)
    except database.DatabaseUrlError as exc:
        fail(str(exc))
    if source_db["vendor"] != "postgresql" or peer_db["vendor"] != "postgresql":
        fail("load streams rows with PostgreSQL's COPY: both URLs must be postgres://…")
    if (source_db["host"], source_db["port"], source_db["name"]) == (peer_db["host"], peer_db["port"], peer_db["name"]):
        fail("the peer's database must not be Pomoc's: load recreates it")
    database.use(args.database_url)
    started = time.perf_counter()
    with connect(args.from_database_url) as src:
        src.read_only = True
        source_tickets, source_messages = count_source(src)
        result = {"peer": peer_label(), "database": "postgresql",
                  "source": {"tickets": source_tickets, "messages": source_messages}}
        have = count_peer(args.database_url)
        if have == source_tickets:
            progress(f"The peer already holds {have} tickets, as many as the source: nothing to load.")
            with connect(args.database_url) as dst:
                followups = dst.execute("SELECT count(*) FROM helpdesk_followup").fetchone()[0]
            result.update(skipped=True, reason=f"the peer database already holds {have} tickets, as the source does",
                          rows={"tickets": have, "followups": followups}, password=PASSWORD,
                          seconds={"total": round(time.perf_counter() - started, 2)})
            emit(result)
            return 0

        seconds = {}
        mark = time.perf_counter()
        progress(f"Creating the peer's schema in {peer_db['name']}…")
        database.recreate(args.database_url)
        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        no_department_id = src.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts_department").fetchone()[0]
        rows = load_small_tables(src, no_department_id)
        connection.close()
        seconds["schema"] = round(time.perf_counter() - mark, 2)

        with connect(args.database_url) as dst:
            rebuild = drop_secondary(dst)
            mark = time.perf_counter()
            progress(f"Copying {source_tickets} tickets…")
            rows["tickets"] = copy_rows(src, dst, TICKETS_SQL.format(no_department=int(no_department_id)),
                                        "helpdesk_ticket", TICKET_COLUMNS)
            seconds["tickets"] = round(time.perf_counter() - mark, 2)
            mark = time.perf_counter()
            progress(f"Copying {source_messages} messages as follow-ups…")
            rows["followups"] = copy_rows(src, dst, FOLLOWUPS_SQL, "helpdesk_followup", FOLLOWUP_COLUMNS)
            seconds["followups"] = round(time.perf_counter() - mark, 2)
            mark = time.perf_counter()
            progress("Rebuilding indexes and foreign keys…")
            for statement in rebuild:
                dst.execute(statement)
            reset_sequences(dst)
            dst.commit()
            seconds["indexes"] = round(time.perf_counter() - mark, 2)
            mark = time.perf_counter()
            dst.autocommit = True
            dst.execute("VACUUM (ANALYZE)")  # as `pomoc demo` leaves Pomoc's tables: statistics and visibility map
            seconds["analyze"] = round(time.perf_counter() - mark, 2)
    seconds["total"] = round(time.perf_counter() - started, 2)
    result.update(skipped=False, rows=rows, password=PASSWORD, seconds=seconds,
                  rows_per_second=round((rows["tickets"] + rows["followups"]) / max(
                      seconds["tickets"] + seconds["followups"], 1e-9)))
    progress(f"Loaded {rows['tickets']} tickets and {rows['followups']} follow-ups in {seconds['total']} s.")
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
