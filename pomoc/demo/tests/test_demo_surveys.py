"""The demo's reports show survey figures: answers about the resolved tickets it adds, in bulk too."""

import pytest
from django.core.management import call_command

from pomoc.surveys.models import Answer, Survey
from pomoc.surveys.selectors import figures
from pomoc.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["services", "bulk"])
def test_the_demo_adds_survey_answers_about_its_resolved_tickets(mode):
    call_command("demo", tickets=120, password="demo-Pass-42", seed=5, mode=mode, verbosity=0)
    answers = Answer.objects.all()
    assert answers.filter(kind="csat").count() >= 15 and answers.filter(kind="ces").exists()
    resolved = set(Ticket.objects.filter(resolved_at__isnull=False).values_list("pk", flat=True))
    assert set(answers.exclude(ticket=None).values_list("ticket", flat=True)) <= resolved
    figures_now = figures(answers)
    assert 50 < figures_now.csat_percent < 100
    assert Survey.objects.get(kind="csat").enabled
