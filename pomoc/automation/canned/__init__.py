"""Canned responses: texts agents insert into a reply with ``#name``, with placeholders, a variant per
language and attachments; personal, per department or shared (see docs/automation.md)."""
