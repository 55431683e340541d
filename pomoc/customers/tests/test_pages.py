"""The customer pages: the profile (edited in place), the company, the proposals; what they cost the
database stays flat however many tickets the customer has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pomoc.contacts import proposals, services
from pomoc.contacts.models import Contact, ContactChange, MergeProposal
from pomoc.surveys.models import Answer, SurveyKind
from pomoc.testing.factories import CompanyFactory, ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    user = UserFactory(username="profiler")
    DepartmentFactory(name="Support").members.add(user)
    return user


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured.captured_queries)


def add_history(contact, department, count):
    for i in range(count):
        ticket = make_ticket(requester=contact, subject=f"Question {i}", department=department,
                             channel=Channel.CHAT if i % 2 else Channel.EMAIL)
        Answer.objects.create(kind=SurveyKind.CSAT, score=4, contact=contact, ticket=ticket)


def test_the_profile_and_the_ticket_panel_cost_the_same_for_1_or_12_tickets(agent_client, agent):
    department = agent.departments.get()
    contact = ContactFactory(name="Jana", company=CompanyFactory(name="Acme"))
    services.tag_add(contact=contact, name="vip")
    add_history(contact, department, 1)
    ticket = contact.tickets.get()
    profile, ticket_page = reverse("customers:contact", args=[contact.pk]), f"/tickets/{ticket.number}/"
    queries(agent_client, profile), queries(agent_client, ticket_page)  # sessions and settings rows
    few = queries(agent_client, profile), queries(agent_client, ticket_page)
    add_history(contact, department, 11)
    many = queries(agent_client, profile), queries(agent_client, ticket_page)
    assert few == many


def test_the_timeline_pages_through_every_entry_once(agent_client, agent):
    contact = ContactFactory(name="Pager")
    add_history(contact, agent.departments.get(), 30)  # 60 entries: tickets, chats and answers
    page = agent_client.get(reverse("customers:contact", args=[contact.pk])).content.decode()
    seen = page.count('class="timeline-entry')
    url = reverse("customers:contact-timeline", args=[contact.pk])
    import re

    while (found := re.search(r'hx-get="[^"]*\?before=([^"]+)"', page)):
        from html import unescape
        from urllib.parse import unquote

        page = agent_client.get(url, {"before": unquote(unescape(found.group(1)))}).content.decode()
        seen += page.count('class="timeline-entry')
    assert seen == 60
    assert agent_client.get(url, {"before": "garbage"}).status_code == 400


def test_an_agent_edits_a_contact_and_the_history_says_so(agent_client, agent):
    company = CompanyFactory(name="Acme")
    contact = ContactFactory(name="Old")
    response = agent_client.post(reverse("customers:contact-edit", args=[contact.pk]), {
        "name": "New", "company": "acme", "language": "cs", "time_zone": "Europe/Prague", "notes": ""})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.company_id, contact.time_zone) == ("New", company.pk, "Europe/Prague")
    assert ContactChange.objects.filter(contact=contact, actor=agent, field="name").exists()
    bad = agent_client.post(reverse("customers:contact-edit", args=[contact.pk]), {
        "name": "New", "company": "Nobody Inc", "time_zone": "Mars/Base"})
    assert bad.status_code == 400


def test_identities_are_added_validated_unique_and_removed(agent_client):
    contact, other = ContactFactory(email="a@example.org"), ContactFactory(email="b@example.org")
    url = reverse("customers:contact-identity-add", args=[contact.pk])
    assert agent_client.post(url, {"kind": "phone", "value": "+420 601 222 333"}).status_code == 302
    assert agent_client.post(url, {"kind": "email", "value": "not an address"}).status_code == 400
    assert agent_client.post(url, {"kind": "email", "value": "B@example.org"}).status_code == 400
    identity = contact.identities.get(kind="phone")
    remove = reverse("customers:contact-identity-remove", args=[contact.pk, identity.pk])
    assert agent_client.post(remove).status_code == 302
    assert not contact.identities.filter(kind="phone").exists()
    foreign = reverse("customers:contact-identity-remove", args=[contact.pk, other.identities.get().pk])
    assert agent_client.post(foreign).status_code == 404


def test_the_company_page_lists_its_contacts_and_tickets(agent_client, agent):
    company = services.company_create(name="Acme", domains=["acme.cz"])
    person, _created = services.contact_get_or_create(kind="email", value="eva@acme.cz", name="Eva")
    make_ticket(requester=person, subject="Acme's question", department=agent.departments.get())
    page = agent_client.get(reverse("customers:company", args=[company.pk])).content.decode()
    assert "Eva" in page and "Acme&#x27;s question" in page
    response = agent_client.post(reverse("customers:company-edit", args=[company.pk]),
                                 {"name": "Acme", "domains": "gmail.com"})
    assert response.status_code == 400


def test_proposals_are_listed_merged_and_undone_through_the_pages(agent_client):
    a = ContactFactory(name="Jana", email="jana.novak@gmail.com")
    b = ContactFactory(name="J.", email="jananovak@gmail.com")
    proposals.find_proposals()
    proposal = MergeProposal.objects.get()
    assert "jananovak@gmail.com" in agent_client.get(reverse("customers:proposals")).content.decode()
    response = agent_client.post(reverse("customers:proposal-accept", args=[proposal.pk]))
    assert response.status_code == 302 and response.url == reverse("customers:contact", args=[a.pk])
    assert Contact.objects.get(pk=b.pk).merged_into_id == a.pk
    # the merged contact's page leads to the one it was merged into
    assert agent_client.get(reverse("customers:contact", args=[b.pk])).url == reverse("customers:contact", args=[a.pk])
    merge = a.merges_in.get()
    assert agent_client.post(reverse("customers:merge-undo", args=[merge.pk])).status_code == 302
    assert Contact.objects.get(pk=b.pk).merged_into_id is None


def test_customers_and_agents_are_kept_from_what_is_not_theirs(client, agent_client):
    from pomoc.testing.factories import make_customer_user

    contact = ContactFactory()
    customer = make_customer_user(contact)
    client.force_login(customer)
    assert client.get(reverse("customers:contact", args=[contact.pk])).status_code == 404
    assert client.get(reverse("customers:proposals")).status_code == 404
    # export and erasure are for supervisors and administrators
    assert agent_client.post(reverse("customers:contact-export", args=[contact.pk])).status_code == 404
    erase = reverse("customers:contact-erase", args=[contact.pk])
    assert agent_client.post(erase, {"confirm": "ERASE"}).status_code == 404
    assert agent_client.get(reverse("customers:contact", args=[999999999])).status_code == 404


def test_a_link_asking_for_an_address_opens_the_identity_form_with_that_kind_chosen(agent_client):
    contact = ContactFactory(email=None)
    url = reverse("customers:contact", args=[contact.pk])
    page = agent_client.get(url + "?add=email").content.decode()
    assert '<details class="customer-form" open>' in page
    assert '<option value="email" selected>' in page
    plain = agent_client.get(url).content.decode()
    assert '<details class="customer-form" open>' not in plain
    assert agent_client.get(url + "?add=nonsense").status_code == 200


def test_the_company_page_sets_whether_colleagues_see_each_others_tickets(agent_client):
    from pomoc.contacts.models import Company

    company = services.company_create(name="Acme", domains=["acme.cz"])
    page = agent_client.get(reverse("customers:company", args=[company.pk])).content.decode()
    assert 'name="portal_visibility"' in page and 'value="inherit" selected' in page
    response = agent_client.post(reverse("customers:company-edit", args=[company.pk]),
                                 {"name": "Acme", "domains": "acme.cz", "portal_visibility": "yes"})
    assert response.status_code == 302
    assert Company.objects.get(pk=company.pk).portal_visibility == "yes"
    assert ContactChange.objects.filter(company=company, field="portal_visibility", old="inherit",
                                        new="yes").exists()
    response = agent_client.post(reverse("customers:company-edit", args=[company.pk]),
                                 {"name": "Acme", "domains": "acme.cz", "portal_visibility": "everybody"})
    assert response.status_code == 400
    assert Company.objects.get(pk=company.pk).portal_visibility == "yes"
