"""The inbox's columns: which there are, which a view shows (``columns`` in its filters), in order."""

from django.utils.translation import gettext_lazy as _

# key -> heading. The subject (with the last message's preview under it) and the number always show.
COLUMNS: dict[str, str] = {
    "requester": _("Requester"),
    "status": _("Status"),
    "priority": _("Priority"),
    "assignee": _("Assignee"),
    "department": _("Department"),
    "tags": _("Tags"),
    "channel": _("Channel"),
    "age": _("Age"),
    "sla_due": _("SLA due"),
    "updated": _("Updated"),
    "created": _("Created"),
    "preview": _("Last message"),
}
# "sla_due": the nearest due time of the ticket's SLA (pomoc.automation.sla), read with
# selectors.with_sla_due.
DEFAULT_COLUMNS = ("requester", "status", "priority", "assignee", "age", "updated", "preview")


def parse_columns(values) -> list[str]:
    """The known column keys among ``values`` ("a,b" strings or lists), in the canonical order; the
    defaults when none is known. Unknown keys are dropped rather than refused: a saved view outlives
    a column that is removed."""
    wanted: set[str] = set()
    for value in values if isinstance(values, list | tuple) else [values]:
        wanted.update(part.strip() for part in str(value or "").split(",") if part.strip())
    chosen = [key for key in COLUMNS if key in wanted]
    return chosen or list(DEFAULT_COLUMNS)


def columns_param(columns: list[str]) -> str:
    """What ``columns`` is stored as in a view's filters ("" for the defaults)."""
    return "" if list(columns) == list(DEFAULT_COLUMNS) else ",".join(columns)
