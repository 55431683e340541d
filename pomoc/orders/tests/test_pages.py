"""The orders panel beside a ticket and on the contact page, starting and moving a return by the
pages, and what they cost: the same number of queries for 1 order or 12."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.orders import returns
from pomoc.orders.models import ReturnRequest
from pomoc.orders.tests.helpers import make_order
from pomoc.surveys.models import Answer
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.testing.pages import ticket_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    user = UserFactory(username="orders-agent")
    DepartmentFactory(name="Support").members.add(user)
    return user


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        # the sidebar as the ticket page fetches it (htmx)
        response = client.get(url, headers={"HX-Request": "true"} if url.endswith("/sidebar/") else {})
        assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_ticket_sidebar_and_contact_page_cost_the_same_for_1_or_12_orders(agent_client, agent):
    contact = ContactFactory()
    ticket = make_ticket(requester=contact, department=agent.departments.get())
    make_order(contact, "first", lines=(("Mug", "12.00", 1),))
    Answer.objects.create(kind="csat", score=5, contact=contact)
    panel = f"/contacts/{contact.pk}/orders-panel/?ticket={ticket.number}"
    urls = [f"/tickets/{ticket.number}/", f"/tickets/{ticket.number}/sidebar/", f"/contacts/{contact.pk}/", panel]
    for url in urls:
        queries_of(agent_client, url)
    few = {url: queries_of(agent_client, url)[0] for url in urls}
    for i in range(11):
        make_order(contact, f"o{i}", lines=(("Tea", "3.00", 2), ("Pot", "9.99", 1)), currency="CZK" if i % 2 else "EUR")
    rma = returns.return_start(order=contact.orders.first(), actor=agent, kind="return", lines=[
        returns.ReturnLineIn(order_line=contact.orders.first().lines.first(), quantity=1, reason="damaged")])
    for _i in range(3):
        make_ticket(requester=contact, department=agent.departments.get())
    many = {}
    for url in urls:
        many[url], html = queries_of(agent_client, url)
        if url.endswith("/sidebar/"):  # beside a ticket the panel loads after the sidebar
            assert f'hx-get="{panel}"' in html and "Return or exchange" not in html
        elif not url.startswith("/tickets/"):
            assert "Why" in html and "Return or exchange" in html
    assert few == many
    assert f"#{rma.ticket.number}" in html
    assert f"/orders/{contact.orders.first().pk}/return/?ticket={ticket.number}" in html


def test_start_a_return_from_the_ticket_and_walk_it(agent_client, agent):
    contact = ContactFactory()
    ticket = make_ticket(requester=contact, department=agent.departments.get())
    order = make_order(contact, "W1", lines=(("Mug", "12.00", 2),))
    line = order.lines.get()
    page = agent_client.get(f"/orders/{order.pk}/return/?ticket={ticket.number}")
    assert page.status_code == 200 and "Mug" in page.content.decode()
    refused = agent_client.post(f"/orders/{order.pk}/return/", {"kind": "return", f"quantity_{line.pk}": "5",
                                                                f"reason_{line.pk}": "damaged"})
    assert refused.status_code == 422 and "Between 1 and 2" in refused.content.decode()
    response = agent_client.post(f"/orders/{order.pk}/return/", {"kind": "return", f"quantity_{line.pk}": "1",
                                                                 f"reason_{line.pk}": "damaged", "note": "Cracked"})
    rma = ReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{rma.ticket.number}/"
    rma.ticket.department = agent.departments.get()
    rma.ticket.save()
    html = ticket_page(agent_client, rma.ticket.number)
    assert "Arrived damaged" in html and 'data-return-state="requested"' in html
    for state in ("approved", "received", "refunded"):
        assert agent_client.post(f"/returns/{rma.pk}/state/", {"state": state}).status_code == 302
    rma.refresh_from_db()
    assert rma.state == "refunded"
    # a change the state does not allow is refused with a message, nothing changes
    agent_client.post(f"/returns/{rma.pk}/state/", {"state": "approved"})
    rma.refresh_from_db()
    assert rma.state == "refunded"


def test_customers_and_strangers_see_nothing(client, agent):
    from pomoc.testing.factories import make_customer_user

    contact = ContactFactory()
    order = make_order(contact, "P1")
    client.force_login(make_customer_user(contact))
    assert client.get(f"/orders/{order.pk}/return/").status_code == 404
    assert client.get(f"/contacts/{contact.pk}/orders-panel/").status_code in (302, 403, 404)
    other = UserFactory(username="other-agent")
    client.force_login(other)
    rma = returns.return_start(order=order, actor=agent, kind="return", lines=[
        returns.ReturnLineIn(order_line=order.lines.get(), quantity=1, reason="other")])
    assert client.post(f"/returns/{rma.pk}/state/", {"state": "approved"}).status_code in (302, 404)
