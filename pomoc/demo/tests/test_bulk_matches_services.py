import random

import pytest
from django.utils import timezone

from pomoc.demo import generator
from pomoc.tickets.models import Ticket

pytestmark = pytest.mark.django_db

FIELDS = ("status", "priority", "channel", "department_id", "assignee_id", "requester_id", "custom_fields",
          "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at", "last_customer_message_at",
          "reopen_count")


def test_bulk_rows_are_what_the_services_write():
    """The bulk loader must write the same fields and events as the real services, given one plan."""
    rng = random.Random(11)
    staff = generator.ensure_staff("x-Pass-1")
    generator.ensure_catalogue()
    people = generator.create_contacts(rng, 15)
    now = timezone.now()
    planner = generator.Planner(rng, staff, people, now)
    for when in generator.creation_times(rng, 25, now, 365):
        plan = planner.plan(when)
        ticket = generator.load_with_services(plan)
        ticket = Ticket.objects.get(pk=ticket.pk)
        rows = generator.rows_for(plan, ticket.number)
        for name in FIELDS:
            assert getattr(ticket, name) == rows.ticket[name], (name, plan.steps)
        assert sorted(ticket.tags.values_list("name", flat=True)) == rows.tag_names
        written = [(e.type, e.actor_id, {k: v for k, v in e.data.items() if k != "message"}, e.at)
                   for e in ticket.events.order_by("at", "id")]
        planned = [(type_, actor_id, data, at) for type_, actor_id, data, at, _index in rows.events]
        assert written == planned
        messages = list(ticket.messages.order_by("created_at", "id").values_list("kind", "body_text", "created_at"))
        assert messages == [(m[0], m[4], m[9]) for m in rows.messages]
