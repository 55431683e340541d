"""CLV, churn and health against figures worked out by hand on small fixtures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from pomoc.orders import value
from pomoc.orders.tests.helpers import NOW, days_ago, make_order
from pomoc.surveys.models import Answer
from pomoc.testing.factories import ContactFactory, make_ticket
from pomoc.tickets import events
from pomoc.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def money(v):
    return [(m.currency, m.amount) for m in v]


def test_no_orders_no_value_and_a_health_from_what_is_there():
    contact = ContactFactory()
    f = value.facts(contact, now=NOW)
    v = value.value_of(f)
    assert v.realised == [] and v.predicted == [] and v.paid_orders == 0
    h = value.health(f)
    # 50 + 10 (no tickets) − 10 (never ordered or wrote) = 50
    assert h.score == 50
    assert [(c.label, c.points) for c in h.contributions] == [("Ticket volume", 10), ("Recency", -10)]
    assert not value.is_churned(f)


@override_settings(POMOC_CLV_LIFETIME_YEARS=3)
def test_realised_and_predicted_per_currency_with_refunds():
    contact = ContactFactory()
    # EUR: 2 × 30.00 + 1 × 15.50 = 75.50 placed 730 days ago, 10.00 refunded → 65.50
    make_order(contact, "A1", lines=(("Mug", "30.00", 2), ("Tea", "15.50", 1)), placed=730, refunded="10.00")
    # EUR: 34.50, 100 days ago
    make_order(contact, "A2", lines=(("Tea", "34.50", 1),), placed=100)
    # CZK: 1 000.00 twice, 20 days ago (one order)
    make_order(contact, "A3", currency="CZK", lines=(("Kettle", "1000.00", 2),), placed=20)
    # not counted: pending and cancelled orders
    make_order(contact, "A4", lines=(("Pot", "99.00", 1),), status="pending", placed=5)
    make_order(contact, "A5", lines=(("Pot", "99.00", 1),), status="cancelled", placed=5)
    v = value.value_of(value.facts(contact, now=NOW))
    # realised EUR 65.50 + 34.50 = 100.00; CZK 2000.00; largest amount first
    assert money(v.realised) == [("CZK", Decimal("2000.00")), ("EUR", Decimal("100.00"))]
    assert v.paid_orders == 3
    # EUR: AOV 100/2 = 50; first order 730 days ago = 2 years → 1 order a year; × 3 years = 150.00
    # CZK: AOV 2000; first order 20 days ago → at least one year → 1 a year; × 3 = 6000.00
    assert money(v.predicted) == [("CZK", Decimal("6000.00")), ("EUR", Decimal("150.00"))]


def test_a_fully_refunded_order_adds_nothing():
    contact = ContactFactory()
    make_order(contact, "R1", lines=(("Mug", "12.00", 1),), status="refunded", refunded="12.00")
    assert money(value.value_of(value.facts(contact, now=NOW)).realised) == [("EUR", Decimal("0.00"))]


def _backdate(ticket, days):
    Ticket.objects.filter(pk=ticket.pk).update(created_at=days_ago(days))


def test_health_adds_every_contribution():
    contact = ContactFactory()
    for days in (1, 2, 3):  # 3 tickets in 90 days: −10
        _backdate(make_ticket(requester=contact), days)
    old = make_ticket(requester=contact)
    _backdate(old, 200)
    # CSAT 4 and 5 → average 4.5 → round(1.5 × 10) = +15
    Answer.objects.create(kind="csat", score=4, contact=contact, answered_at=days_ago(30))
    Answer.objects.create(kind="csat", score=5, contact=contact, answered_at=days_ago(20))
    Answer.objects.create(kind="csat", score=1, contact=contact, answered_at=days_ago(400))  # too old
    # NPS latest 6 (detractor) → −15; an older 10 does not count
    Answer.objects.create(kind="nps", score=10, contact=contact, answered_at=days_ago(50))
    Answer.objects.create(kind="nps", score=6, contact=contact, answered_at=days_ago(10))
    # two SLA breaches in 90 days → −10
    ticket = Ticket.objects.filter(requester=contact).first()
    for days in (5, 6):
        events.sla_breached_event(ticket, target="first_response", due=days_ago(days), policy_id=None,
                                  policy_name="x", noticed_at=NOW).save()
    # recency: last ticket 1 day ago → +10; orders: one in the last year → +5
    make_order(contact, "H1", placed=40)
    h = value.health(value.facts(contact, now=NOW))
    points = {c.label: c.points for c in h.contributions}
    assert points == {"Ticket volume": -10, "Satisfaction (CSAT)": 15, "Recommendation (NPS)": -15,
                      "SLA breaches": -10, "Recency": 10, "Order activity": 5}
    assert h.score == 50 - 10 + 15 - 15 - 10 + 10 + 5 == 45


def test_health_stays_within_0_and_100():
    contact = ContactFactory()
    for days in range(1, 8):
        _backdate(make_ticket(requester=contact), days)
    ticket = Ticket.objects.filter(requester=contact).first()
    for days in range(1, 6):
        events.sla_breached_event(ticket, target="resolution", due=days_ago(days), policy_id=None,
                                  policy_name="x", noticed_at=NOW).save()
    for score in (1, 1):
        Answer.objects.create(kind="csat", score=score, contact=contact, answered_at=days_ago(3))
    Answer.objects.create(kind="nps", score=0, contact=contact, answered_at=days_ago(3))
    make_order(contact, "Z1", placed=500)
    # 50 − 20 (7 tickets) − 20 (CSAT 1) − 15 (NPS 0) − 20 (5 breaches, capped) + 10 (recent) − 10 (no order this year)
    assert value.health(value.facts(contact, now=NOW)).score == 0


def test_churn_is_active_before_and_silent_now():
    stayed, churned, new, never = ContactFactory(), ContactFactory(), ContactFactory(), ContactFactory()
    make_order(stayed, "S1", placed=120)
    make_order(stayed, "S2", placed=30)
    make_order(churned, "C1", placed=100)
    _backdate(make_ticket(requester=churned), 150)
    make_order(new, "N1", placed=10)
    assert value.is_churned(value.facts(churned, now=NOW))
    assert not value.is_churned(value.facts(stayed, now=NOW))
    assert not value.is_churned(value.facts(new, now=NOW))
    assert not value.is_churned(value.facts(never, now=NOW))
    # active in the previous 90 days: stayed and churned; churned since: one → 1 of 2
    assert value.churn(end=NOW + dt.timedelta(seconds=1)) == (1, 2)
