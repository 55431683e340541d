"""The inbox's rows: what each shows, worked out once per page in Python.

The list shows up to 50 rows of up to 13 cells; through template tags (an ``{% if %}`` per column,
a lookup per value) the cells cost more than everything else on the page. So every cell a view
chooses is written here with ``format_html``, as ``forms.QuickSelect`` writes its options, and the
row template only places them.
"""

import datetime as dt

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS
from django.utils.translation import gettext as _

from pomoc.contacts.models import Identity
from pomoc.tickets.models import Channel, Priority, Status


def _clip(text: str) -> SafeString:
    return format_html('<span class="clip" title="{}">{}</span>', text, text)


def _time(iso: str, text: str) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', iso, text)


AGE_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400), ("hour", 3600),
             ("minute", 60))


def age(delta: dt.timedelta) -> str:
    """"3 hours", "2 days": the largest whole unit, in Django's own translated words (as ``timesince``
    with depth 1, at a tenth of its cost: the list shows fifty of them)."""
    seconds = max(0, int(delta.total_seconds()))
    for unit, size in AGE_UNITS:
        if seconds >= size:
            return TIME_STRINGS[unit] % {"num": seconds // size}
    return TIME_STRINGS["minute"] % {"num": 0}


NO_SLA_DUE = mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant


def sla_due_cell(ticket, now: dt.datetime, date_format: str) -> SafeString:
    """"in 3 hours", "2 hours overdue", "paused" (waiting on the customer) or a dash (no target)."""
    due = getattr(ticket, "sla_due_at", None)
    if getattr(ticket, "sla_paused", False):
        return format_html('<span class="sla sla-paused">{}</span>', _("paused"))
    if due is None or due.year == 9999:
        return NO_SLA_DUE
    local = dateformat.format(timezone.localtime(due), date_format)
    if due <= now:
        return format_html('<time class="sla sla-overdue" datetime="{}" title="{}">{}</time>', due.isoformat(), local,
                           _("%(time)s overdue") % {"time": age(now - due)})
    css = "sla sla-soon" if due - now <= dt.timedelta(hours=1) else "sla"
    return format_html('<time class="{}" datetime="{}" title="{}">{}</time>', css, due.isoformat(), local,
                       _("in %(time)s") % {"time": age(due - now)})


# The cells every view shows: the selection box, the number, the subject (with the unread mark and
# the last message's preview).
FIXED_CELLS = (
    '<td class="col-select"><input type="checkbox" name="ticket" value="{}" form="bulk-form" aria-label="{}"></td>\n'
    '  <td class="number">{}</td>\n'
    '  <td class="subject"><a class="ticket-link clip" href="{}" title="{}">{}{}</a>\n'
    '    {}</td>'
)


def label_rows(tickets: list, columns: list[str]) -> list:
    """Put on each ticket ``fixed_cells`` (the selection box, the number and the subject, marked when
    ``ticket.unread``: see unread.mark) and ``cells``, the HTML of the cells ``columns`` asks for, in
    order."""
    statuses = {value: str(label) for value, label in Status.choices}
    priorities = {p.value: (p.key, str(p.label)) for p in Priority}
    channels = {value: str(label) for value, label in Channel.choices}
    placeholder = 987654321
    detail_url = reverse("tickets:detail", args=[placeholder])
    head, tail = detail_url.rsplit(str(placeholder), 1)
    select_label = _("Select ticket #%(number)s")
    snoozed_label = _("Snoozed until %(when)s")
    nobody = format_html('<span class="muted">{}</span>', _("Nobody"))
    unread_mark = format_html('<span class="unread-dot" title="{}"></span><span class="visually-hidden">{} </span>',
                              _("A customer message the assignee has not opened"), _("Unread:"))
    date_format = formats.get_format("SHORT_DATETIME_FORMAT")
    now = timezone.now()
    shown = set(columns)
    # A contact without a name is shown by its first identity (as str(contact) does): fetch those
    # identities only, for the whole page at once.
    unnamed = {t.requester_id for t in tickets if not t.requester.name}
    identities: dict[int, str] = {}
    if unnamed:
        for contact_id, value in Identity.objects.filter(contact_id__in=unnamed).order_by(
                "contact_id", "kind", "id").values_list("contact_id", "value"):
            identities.setdefault(contact_id, value)
    for ticket in tickets:
        ticket.detail_url = f"{head}{ticket.number}{tail}"
        ticket.preview = " ".join((getattr(ticket, "last_message", None) or "").split()) if "preview" in shown else ""
        preview = format_html('<span class="preview clip" title="{}">{}</span>', ticket.preview,
                              ticket.preview) if ticket.preview else ""
        ticket.fixed_cells = format_html(
            FIXED_CELLS, ticket.pk, select_label % {"number": ticket.number}, ticket.number, ticket.detail_url,
            ticket.subject, unread_mark if getattr(ticket, "unread", False) else "", ticket.subject, preview)
        cells: dict[str, SafeString] = {}
        if "requester" in shown:
            requester = ticket.requester
            cells["requester"] = _clip(requester.name or identities.get(requester.pk) or f"#{requester.pk}")
        if "status" in shown:
            label = statuses.get(ticket.status, ticket.status)
            if ticket.snoozed_until:
                when = dateformat.format(timezone.localtime(ticket.snoozed_until), date_format)
                cells["status"] = format_html('<span class="status status-{}" title="{}">{}</span>', ticket.status,
                                              snoozed_label % {"when": when}, label)
            else:
                cells["status"] = format_html('<span class="status status-{}">{}</span>', ticket.status, label)
        if "priority" in shown:
            css, label = priorities.get(ticket.priority, (ticket.priority, ticket.priority))
            cells["priority"] = format_html('<span class="priority priority-{}">{}</span>', css, label)
        if "assignee" in shown:
            cells["assignee"] = _clip(ticket.assignee.display_name) if ticket.assignee else nobody
        if "department" in shown:
            cells["department"] = _clip(ticket.department.name if ticket.department else "")
        if "tags" in shown:
            cells["tags"] = format_html('<span class="clip">{}</span>', format_html_join(
                " ", '<span class="tag">{}</span>', ((name,) for name in getattr(ticket, "tag_names", []))))
        if "channel" in shown:
            cells["channel"] = channels.get(ticket.channel, ticket.channel)
        if "age" in shown:
            cells["age"] = _time(ticket.created_at.isoformat(), age(now - ticket.created_at))
        if "created" in shown:
            created = timezone.localtime(ticket.created_at)
            cells["created"] = _time(created.isoformat(), dateformat.format(created, date_format))
        if "updated" in shown:
            updated = timezone.localtime(ticket.updated_at)
            cells["updated"] = _time(updated.isoformat(), dateformat.format(updated, date_format))
        if "sla_due" in shown:
            cells["sla_due"] = sla_due_cell(ticket, now, date_format)
        ticket.cells = mark_safe("".join(  # noqa: S308 - every cell was escaped by format_html above
            format_html('<td class="col-{}">{}</td>', key, cells[key]) for key in columns if key in cells))
    return tickets
