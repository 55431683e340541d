import datetime as dt

import pytest
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.surveys.models import Answer
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user, make_ticket
from pomoc.tickets.models import Ticket

from .conftest import Api

pytestmark = pytest.mark.django_db


def test_the_same_figures_as_the_page_with_the_period_before():
    support = DepartmentFactory()
    now = timezone.now()
    for hours in (1, 3):
        ticket = make_ticket(department=support)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - dt.timedelta(days=1),
                                                   first_response_at=now - dt.timedelta(days=1, hours=-hours))
    old = make_ticket()
    Ticket.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=10))
    Answer.objects.create(kind="csat", score=5, department=support)
    api = Api(UserFactory(role=Role.ADMINISTRATOR))
    body = api.get("/reports/summary", {"days": 7}).json()
    assert body["opened"] == 2 and body["previous"]["opened"] == 1
    assert body["first_response"] == {"count": 2, "mean_seconds": 7200.0, "median_seconds": 7200.0,
                                      "p90_seconds": 10800.0}
    assert body["surveys"]["csat_percent"] == 100.0 and body["backlog"] == 3
    narrowed = api.get("/reports/summary", {"days": 7, "department": support.pk}).json()
    assert narrowed["opened"] == 2 and narrowed["previous"]["opened"] == 0
    start = (timezone.localdate() - dt.timedelta(days=12)).isoformat()
    assert api.get("/reports/summary", {"start": start, "days": 5}).json()["opened"] == 1


def test_unknown_ids_and_bad_periods_are_refused_clearly():
    api = Api(UserFactory(role=Role.ADMINISTRATOR))
    response = api.get("/reports/summary", {"department": 999999})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "invalid_reference"
    for params in ({"days": 0}, {"days": 400}, {"priority": 9}, {"start": "yesterday"}):
        assert api.get("/reports/summary", params).status_code == 422, params


def test_customers_get_no_reports():
    assert Api(make_customer_user()).get("/reports/summary").status_code == 403
