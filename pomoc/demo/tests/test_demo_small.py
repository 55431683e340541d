import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from pomoc.accounts.models import Department, User
from pomoc.demo.tests.consistency import assert_tickets_consistent
from pomoc.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

USERNAMES = ["admin", "supervisor", *[f"agent{i}" for i in range(1, 8)]]


@pytest.fixture
def demo():
    call_command("demo", tickets=30, password="demo-Pass-42", seed=7, verbosity=0)


def test_the_demo_users_can_sign_in(demo):
    for username in USERNAMES:
        assert Client().login(username=username, password="demo-Pass-42"), username
    assert User.objects.get(username="admin").role == "administrator"
    assert User.objects.get(username="supervisor").role == "supervisor"


def test_every_agent_shares_a_department_with_the_administrator(demo):
    assert Department.objects.count() == 4
    admin_departments = set(User.objects.get(username="admin").departments.values_list("pk", flat=True))
    for agent in User.objects.filter(username__startswith="agent"):
        assert admin_departments & set(agent.departments.values_list("pk", flat=True)), agent.username


def test_tickets_come_in_four_languages_with_their_letters(demo):
    assert Ticket.objects.filter(return_request__isnull=True).count() == 30  # returns are tickets too
    assert set(Ticket.objects.values_list("requester__language", flat=True)) == {"en", "cs", "pl", "et"}
    text = " ".join(Message.objects.values_list("body_text", flat=True))
    assert any(letter in text for letter in "řžěů"), "no Czech letters"
    assert any(letter in text for letter in "łąęś"), "no Polish letters"
    assert any(letter in text for letter in "õäü"), "no Estonian letters"


def test_events_match_the_messages_and_timestamps(demo):
    tickets = list(Ticket.objects.all())
    assert_tickets_consistent(tickets)
    assert len({t.created_at.date() for t in tickets}) > 10, "tickets are spread over time"
    assert Message.objects.filter(delivery_state="queued").count() == 0


def test_running_it_again_adds_tickets_and_reuses_the_staff(demo):
    call_command("demo", tickets=3, password="demo-Pass-42", seed=8, verbosity=0)
    assert Ticket.objects.filter(return_request__isnull=True).count() == 33
    assert User.objects.filter(username__in=USERNAMES).count() == 9
    assert Department.objects.count() == 4


def test_the_merge_proposals_list_shows_likely_duplicates(demo):
    from pomoc.contacts.models import MergeProposal, ProposalStatus

    reasons = set(MergeProposal.objects.filter(status=ProposalStatus.OPEN).values_list("reason", flat=True))
    assert {"same_phone", "chat_identified", "similar_name"} <= reasons, reasons
    client = Client()
    client.login(username="supervisor", password="demo-Pass-42")
    page = client.get(reverse("customers:proposals"))
    assert page.status_code == 200 and len(page.context["proposals"]) >= 3
    before = MergeProposal.objects.count()
    call_command("demo", tickets=2, password="demo-Pass-42", seed=9, verbosity=0)  # not twice
    assert MergeProposal.objects.count() == before
