import pytest

from pomoc.automation.placeholders import context_for, render, template_error
from pomoc.testing import factories

pytestmark = pytest.mark.django_db


def test_placeholders_are_filled_from_the_ticket_its_customer_and_the_agent():
    contact = factories.ContactFactory(name="Jana Nováková Dvořák", email="jana@example.cz")
    ticket = factories.make_ticket(requester=contact, subject="Login")
    agent = factories.UserFactory(first_name="Petr", last_name="Malý")
    text = render("Hello {{ customer.first_name }} ({{ customer.last_name }}, {{ customer.email }}): "
                  "#{{ ticket.number }} {{ ticket.subject }} — {{ agent.name }}",
                  context_for(ticket=ticket, agent=agent))
    assert text == f"Hello Jana (Nováková Dvořák, jana@example.cz): #{ticket.number} Login — Petr Malý"


def test_labels_follow_the_language_asked_for():
    ticket = factories.make_ticket(priority=4)
    assert render("{{ ticket.priority }}", context_for(ticket=ticket, language="cs")) == "Urgentní"
    assert render("{{ ticket.priority }}", context_for(ticket=ticket, language="en")) == "Urgent"


def test_unknown_names_render_empty_and_filters_work():
    context = context_for()
    assert render("[{{ nobody }}][{{ customer.nothing.deeper }}]", context) == "[][]"
    assert render('{{ customer.first_name | default("customer", true) }}', context) == "customer"


@pytest.mark.parametrize("text", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ customer.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
])
def test_the_sandbox_reaches_no_python_object(text):
    """Unsafe attributes are refused (the text stays as written) or blank, never the object."""
    assert render(text, context_for()) in (text, "")


def test_a_template_that_cannot_be_parsed_is_refused_with_its_line_and_kept_as_written():
    assert template_error("Hello {{ customer.name }}") is None
    assert template_error("one\n{% if %}").startswith("Line 2:")
    assert render("Hi {{ broken", context_for()) == "Hi {{ broken"


def test_a_runaway_loop_is_cut():
    assert len(render("{% for i in range(100000) %}xxxxxxxxxx{% endfor %}", context_for())) <= 100_000
