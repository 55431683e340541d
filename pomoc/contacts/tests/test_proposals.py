"""Merge proposals: the same address or number after normalisation, a chat visitor who gives an
address another contact has, similar names at one company; dismissed pairs stay dismissed."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.contacts import proposals, services
from pomoc.contacts.models import Identity, IdentityKind, MergeProposal, ProposalReason, ProposalStatus
from pomoc.testing.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_the_same_gmail_address_with_dots_and_tags_is_proposed():
    a = ContactFactory(email="jana.novak@gmail.com")
    b = ContactFactory(email="jananovak+shop@googlemail.com")
    ContactFactory(email="someone@gmail.com")
    assert proposals.find_proposals() == 1
    proposal = MergeProposal.objects.get()
    assert (proposal.first_id, proposal.second_id, proposal.reason) == (a.pk, b.pk, ProposalReason.SAME_EMAIL)
    assert proposals.find_proposals() == 0  # once per pair


def test_a_phone_number_typed_without_the_country_code_is_the_same_number():
    a, b = ContactFactory(), ContactFactory()
    Identity.objects.create(contact=a, kind=IdentityKind.PHONE, value="+420777123456")
    Identity.objects.create(contact=b, kind=IdentityKind.PHONE, value="+777123456")
    proposals.find_proposals()
    assert MergeProposal.objects.get().reason == ProposalReason.SAME_PHONE


def test_similar_names_at_the_same_company_but_not_at_different_ones():
    acme, other = CompanyFactory(name="Acme"), CompanyFactory(name="Other")
    a = ContactFactory(name="Jana Nováková", company=acme)
    b = ContactFactory(name="nováková jana", company=acme)
    ContactFactory(name="Jana Nováková", company=other)
    proposals.find_proposals()
    proposal = MergeProposal.objects.get()
    assert {proposal.first_id, proposal.second_id} == {a.pk, b.pk}
    assert proposal.reason == ProposalReason.SIMILAR_NAME


def test_a_chat_visitor_giving_a_known_address_is_refused_and_proposed():
    known = ContactFactory(email="petr@firma.cz")
    visitor = ContactFactory(email="visitor@example.org")
    visitor.identities.all().delete()
    Identity.objects.create(contact=visitor, kind=IdentityKind.CHAT, value="visitor-8f2a")
    with pytest.raises(ValidationError):
        services.identity_add(contact=visitor, kind=IdentityKind.EMAIL, value="Petr@Firma.cz")
    proposal = MergeProposal.objects.get()
    assert proposal.reason == ProposalReason.CHAT_IDENTIFIED
    assert {proposal.first_id, proposal.second_id} == {known.pk, visitor.pk}


def test_accepting_merges_the_newer_into_the_older_and_dismissing_is_for_good():
    a = ContactFactory(email="jana.novak@gmail.com")
    b = ContactFactory(email="jananovak@gmail.com")
    proposals.find_proposals()
    proposal = MergeProposal.objects.get()
    merge = proposals.proposal_accept(proposal=proposal)
    assert (merge.source_id, merge.target_id) == (b.pk, a.pk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    with pytest.raises(ValidationError):
        proposals.proposal_accept(proposal=proposal)


def test_a_dismissed_pair_is_not_proposed_again():
    ContactFactory(email="jana.novak@gmail.com")
    ContactFactory(email="jananovak@gmail.com")
    proposals.find_proposals()
    proposals.proposal_dismiss(proposal=MergeProposal.objects.get())
    assert proposals.find_proposals() == 0
    assert MergeProposal.objects.get().status == ProposalStatus.DISMISSED


def test_looking_for_one_contact_finds_its_pairs_only():
    a = ContactFactory(email="jana.novak@gmail.com")
    b = ContactFactory(email="jananovak+x@googlemail.com")
    ContactFactory(email="petr.maly@firma.cz")
    ContactFactory(email="petrmaly@firma.cz")  # another domain than Gmail's: dots count
    c = ContactFactory()
    Identity.objects.create(contact=c, kind=IdentityKind.PHONE, value="+420608111222")
    d = ContactFactory()
    Identity.objects.create(contact=d, kind=IdentityKind.PHONE, value="+608111222")
    assert proposals.find_proposals(contact_ids=[b.pk]) == 1
    assert proposals.find_proposals(contact_ids=[d.pk]) == 1
    assert {(p.first_id, p.second_id) for p in MergeProposal.objects.all()} == {(a.pk, b.pk), (c.pk, d.pk)}
