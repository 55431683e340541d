"""Contacts and identities written set-wise (a CSV import's batch): the same effects as one at a time
(normalised addresses, names, companies by domain but never by free mail, history, merge proposals),
whatever the number, and safe against another process creating the same address a moment before."""

import pytest

from pomoc.contacts import proposals, services
from pomoc.contacts.models import Company, Contact, ContactChange, Identity, IdentityKind, MergeProposal
from pomoc.core import upsert as core_upsert
from pomoc.testing.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_new_contacts_get_their_name_company_and_normalised_address():
    mets = Company.objects.create(name="Mets OÜ", domains=["mets.ee"])
    Company.objects.create(name="Later Mets", domains=["mets.ee"])  # the first company of a domain wins
    existing = ContactFactory(name="Old Name", email="old@mets.ee")
    senders = [(" Mari@Mets.EE ", "  Mari Tamm  "), ("mari@mets.ee", "Another name"), ("eva@gmail.com", "Eva"),
               ("old@mets.ee", "New Name"), ("x@example.org", "x" * 250), ("nameless@example.org", None)]
    ids = services.contact_ids_by_email(senders)
    assert set(ids) == {"mari@mets.ee", "eva@gmail.com", "old@mets.ee", "x@example.org", "nameless@example.org"}
    assert ids["old@mets.ee"] == existing.pk and Contact.objects.get(pk=existing.pk).name == "Old Name"
    mari = Contact.objects.get(pk=ids["mari@mets.ee"])
    assert (mari.name, mari.company, mari.language, mari.custom_fields) == ("Mari Tamm", mets, "", {})
    assert Contact.objects.get(pk=ids["eva@gmail.com"]).company is None  # free mail: no company
    assert Contact.objects.get(pk=ids["x@example.org"]).name == "x" * 200
    assert Contact.objects.get(pk=ids["nameless@example.org"]).name == ""
    for address, pk in ids.items():  # each address belongs to the contact it was reported for
        assert Identity.objects.get(kind=IdentityKind.EMAIL, value=address).contact_id == pk
    assert services.contact_ids_by_email(senders) == ids and Contact.objects.count() == 5  # found again


def test_many_new_contacts_keep_their_own_names_and_companies():
    companies = {n: Company.objects.create(name=f"Firm {n}", domains=[f"firm{n}.cz"]) for n in range(0, 450, 3)}
    senders = [(f"person{n}@firm{n}.cz", f"Person {n}") for n in range(450)]
    ids = services.contact_ids_by_email(reversed(senders))
    contacts = Contact.objects.in_bulk(list(ids.values()))
    for n in range(450):
        contact = contacts[ids[f"person{n}@firm{n}.cz"]]
        assert contact.name == f"Person {n}"
        assert contact.company_id == (companies[n].pk if n in companies else None)


def test_an_address_another_process_took_a_moment_before_is_theirs(monkeypatch):
    real = core_upsert.upsert
    theirs = {}

    def racing(model, rows, **kwargs):
        if model is Identity and not theirs:  # between our look-up and our insert
            contact = Contact.objects.create(name="Theirs")
            Identity.objects.create(contact=contact, kind=IdentityKind.EMAIL, value="b@example.org")
            theirs["pk"] = contact.pk
        return real(model, rows, **kwargs)

    monkeypatch.setattr(services, "upsert", racing)
    ids = services.contact_ids_by_email([("a@example.org", "A"), ("b@example.org", "B")])
    assert ids["b@example.org"] == theirs["pk"]
    assert set(Contact.objects.values_list("name", flat=True)) == {"A", "Theirs"}  # ours for b was dropped


def test_identities_are_added_as_one_at_a_time_would(monkeypatch, django_capture_on_commit_callbacks):
    agent = UserFactory()
    Company.objects.create(name="Firma", domains=["firma.cz"])
    ann, bob, cid = ContactFactory(name="Ann"), ContactFactory(name="Bob"), ContactFactory(name="Cid")
    services.identity_add(contact=bob, kind=IdentityKind.PHONE, value="+420777000111")
    searched = []
    monkeypatch.setattr(proposals, "find_proposals_for_contacts", lambda ids: searched.append(sorted(ids)) or 0)
    items = [
        (ann.pk, IdentityKind.PHONE, "00420 777 000 222"),  # new
        (ann.pk, IdentityKind.PHONE, "+420777000222"),  # the same again: nothing more
        (ann.pk, IdentityKind.PHONE, "call me"),  # invalid
        (ann.pk, IdentityKind.PHONE, "+420 777 000 111"),  # Bob's: refused, the two proposed
        (cid.pk, IdentityKind.PHONE, "+420777000333"),  # new for Cid…
        (bob.pk, IdentityKind.PHONE, "+420777000333"),  # …so Bob asking for it next is refused
        (bob.pk, IdentityKind.PHONE, "+420777000111"),  # Bob's own: nothing to do
        (cid.pk, IdentityKind.EMAIL, "cid@nofirm.example"),  # a new address of no company's domain…
        (cid.pk, IdentityKind.EMAIL, "Cid@Firma.cz"),  # …then one of Firma's: Cid joins Firma
    ]
    with django_capture_on_commit_callbacks(execute=True):
        refused = services.identities_add(items, actor=agent)
    assert [r is not None for r in refused] == [False, False, True, True, False, True, False, False, False]
    assert "not a valid phone number" in refused[2].message_dict["value"][0]
    assert refused[3].message_dict == {"value": ["Already used by another contact."]}
    assert set(Identity.objects.filter(contact=ann).values_list("value", flat=True)) == {
        ann.email, "+420777000222"}
    assert Identity.objects.get(value="+420777000333").contact_id == cid.pk
    assert Identity.objects.get(value="cid@firma.cz").contact_id == cid.pk
    pairs = set(MergeProposal.objects.values_list("first", "second"))
    assert pairs == {tuple(sorted((ann.pk, bob.pk))), tuple(sorted((bob.pk, cid.pk)))}
    cid.refresh_from_db()
    assert cid.company.name == "Firma"
    history = set(ContactChange.objects.filter(actor=agent).values_list("contact", "field", "new"))
    assert history == {(ann.pk, "identity_added", "phone:+420777000222"),
                       (cid.pk, "identity_added", "phone:+420777000333"),
                       (cid.pk, "identity_added", "email:cid@nofirm.example"),
                       (cid.pk, "identity_added", "email:cid@firma.cz"), (cid.pk, "company", "Firma")}
    assert searched == [sorted({ann.pk, cid.pk})]  # one task for the batch, after the commit


def test_proposals_for_many_contacts_are_searched_a_hundred_at_a_time(monkeypatch):
    calls = []
    monkeypatch.setattr(proposals, "find_proposals", lambda *, contact_ids: calls.append(contact_ids) or 1)
    assert proposals.find_proposals_for_contacts(list(range(250, 0, -1))) == 3
    assert [len(c) for c in calls] == [100, 100, 50] and calls[0][0] == 1


def test_the_merge_proposal_task_for_many_contacts_finds_them():
    a = ContactFactory(name="A", email="jana.novak@gmail.com")
    b = ContactFactory(name="B", email="jananovak@gmail.com")
    proposals.proposals_for_contacts_later([b.pk])  # the test settings run tasks at once
    assert MergeProposal.objects.filter(first=a, second=b).exists()


def test_companies_by_domain_for_hundreds_of_domains_in_chunks():
    low = Company.objects.create(name="Low", domains=["d0.cz", "d399.cz"])
    high = Company.objects.create(name="High", domains=["d0.cz", "d1.cz"])
    found = services._companies_by_domain({f"d{n}.cz" for n in range(400)} | {"gmail.com"})
    assert found == {"d0.cz": low, "d1.cz": high, "d399.cz": low}
