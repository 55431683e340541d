"""Reads of the web form channel for reports: deflections (docs/metrics.md, "Deflection")."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from pomoc.channels.web.models import FormVisit


def deflections(*, start: dt.datetime, end: dt.datetime, department_id: int | None = None) -> list[dict]:
    """Deflections in ``[start, end)`` per day (in the active time zone) and department, one query:
    ``[{"day": date, "department_id": id or None, "deflections": n, "visits": n}]``, where ``visits``
    counts every visit that opened a suggested article and ``deflections`` those that sent no form."""
    qs = FormVisit.objects.filter(opened_at__gte=start, opened_at__lt=end)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    rows = (qs.annotate(day=TruncDate("opened_at")).values("day", "department_id")
            .annotate(visits=Count("id"), deflections=Count("id", filter=Q(ticket__isnull=True)))
            .order_by("day", "department_id"))
    return list(rows)

