"""Merging two contacts moves everything of one to the other in one transaction, and undoing it puts
back exactly what moved."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.contacts import services
from pomoc.contacts.merging import contact_merge, contact_unmerge
from pomoc.contacts.models import Contact, ContactTag, IdentityKind
from pomoc.surveys.models import Answer, SurveyKind
from pomoc.testing.factories import ContactFactory, UserFactory, make_ticket
from pomoc.tickets import services as ticket_services
from pomoc.tickets.models import MessageKind

pytestmark = pytest.mark.django_db


def test_a_merge_moves_everything_and_undo_restores_it():
    agent = UserFactory(username="merger")
    keep = ContactFactory(name="Jana Nováková", email="jana@firma.cz")
    other = ContactFactory(name="", email="jana.novakova@gmail.com")
    services.identity_add(contact=other, kind=IdentityKind.PHONE, value="+420 777 123 456")
    services.tag_add(contact=other, name="vip")
    services.tag_add(contact=keep, name="vip")
    services.tag_add(contact=other, name="prague")
    services.contact_update(contact=other, changes={"notes": "Prefers phone."})
    mine = make_ticket(requester=keep)
    theirs = make_ticket(requester=other)
    elsewhere = make_ticket()
    message = ticket_services.message_add(ticket=elsewhere, kind=MessageKind.CUSTOMER, body_text="Me too.",
                                          author_contact=other)
    elsewhere.participants.add(other)
    answer = Answer.objects.create(kind=SurveyKind.CSAT, score=5, contact=other, ticket=theirs)

    merge = contact_merge(source=other, target=keep, actor=agent)

    theirs.refresh_from_db()
    assert theirs.requester_id == keep.pk
    assert set(keep.identities.values_list("value", flat=True)) == {
        "jana@firma.cz", "jana.novakova@gmail.com", "+420777123456"}
    assert set(ContactTag.objects.filter(contact=keep).values_list("name", flat=True)) == {"vip", "prague"}
    assert Answer.objects.get(pk=answer.pk).contact_id == keep.pk
    assert list(elsewhere.participants.all()) == [keep]
    keep.refresh_from_db()
    assert "Prefers phone." in keep.notes
    assert Contact.objects.get(pk=other.pk).merged_into_id == keep.pk
    message.refresh_from_db()
    assert message.author_contact_id == keep.pk

    contact_unmerge(merge=merge, actor=agent)

    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.requester_id == other.pk and mine.requester_id == keep.pk
    assert set(other.identities.values_list("value", flat=True)) == {"jana.novakova@gmail.com", "+420777123456"}
    assert set(ContactTag.objects.filter(contact=other).values_list("name", flat=True)) == {"vip", "prague"}
    assert set(ContactTag.objects.filter(contact=keep).values_list("name", flat=True)) == {"vip"}
    assert Answer.objects.get(pk=answer.pk).contact_id == other.pk
    assert list(elsewhere.participants.all()) == [other]
    keep.refresh_from_db()
    assert keep.notes == "" and Contact.objects.get(pk=other.pk).merged_into_id is None
    message.refresh_from_db()
    assert message.author_contact_id == other.pk
    assert keep.changes.filter(field__in=["merged", "unmerged"]).count() == 2


def test_a_contact_cannot_be_merged_twice_or_into_itself_and_an_undo_happens_once():
    a, b = ContactFactory(), ContactFactory()
    with pytest.raises(ValidationError):
        contact_merge(source=a, target=a)
    merge = contact_merge(source=b, target=a)
    with pytest.raises(ValidationError):
        contact_merge(source=b, target=a)
    contact_unmerge(merge=merge)
    with pytest.raises(ValidationError):
        contact_unmerge(merge=merge)


def test_merged_contacts_are_not_offered_by_the_lookup():
    from pomoc.contacts.selectors import contacts_matching

    a, b = ContactFactory(name="Karel Dvořák"), ContactFactory(name="Karel Dvořák")
    contact_merge(source=b, target=a)
    assert [c.pk for c in contacts_matching("Karel")] == [a.pk]
