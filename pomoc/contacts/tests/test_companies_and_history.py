"""Companies are linked by e-mail domain (never a free-mail one); every change of a contact or a
company is recorded (who, when, what)."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.contacts import services
from pomoc.contacts.freemail import is_free_mail
from pomoc.contacts.models import ContactChange, IdentityKind
from pomoc.testing.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_free_mail_domains_come_from_the_pinned_list_and_our_additions():
    assert is_free_mail("gmail.com") and is_free_mail("Seznam.cz") and is_free_mail("volny.cz")
    assert not is_free_mail("firma.cz")


def test_a_company_takes_its_domain_s_contacts_now_and_later_but_never_a_free_mail_domain():
    early = ContactFactory(email="eva@firma.cz")
    gmail = ContactFactory(email="eva@gmail.com")
    with pytest.raises(ValidationError):
        services.company_create(name="Google fans", domains=["gmail.com"])
    company = services.company_create(name="Firma", domains=["firma.cz"])
    early.refresh_from_db()
    gmail.refresh_from_db()
    assert early.company_id == company.pk and gmail.company_id is None
    late, _created = services.contact_get_or_create(kind=IdentityKind.EMAIL, value="petr@firma.cz")
    assert late.company_id == company.pk
    other, _created = services.contact_get_or_create(kind=IdentityKind.EMAIL, value="petr@gmail.com")
    assert other.company_id is None


def test_contact_changes_are_recorded_with_who_and_what():
    agent = UserFactory(username="editor")
    contact = ContactFactory(name="Old Name", email="x@example.org")
    services.contact_update(contact=contact, actor=agent, changes={
        "name": "New Name", "time_zone": "Europe/Prague", "language": "cs"})
    services.identity_add(contact=contact, kind=IdentityKind.PHONE, value="777 000 111", actor=agent)
    changes = {c.field: c for c in ContactChange.objects.filter(contact=contact)}
    assert changes["name"].old == "Old Name" and changes["name"].new == "New Name"
    assert changes["name"].actor == agent
    assert changes["time_zone"].new == "Europe/Prague"
    assert changes["identity_added"].new == "phone:+777000111"


def test_a_wrong_time_zone_or_unknown_custom_field_is_refused():
    contact = ContactFactory()
    with pytest.raises(ValidationError):
        services.contact_update(contact=contact, changes={"time_zone": "Mars/Olympus"})
    with pytest.raises(ValidationError):
        services.contact_update(contact=contact, changes={"custom_fields": {"nope": 1}})


def test_contact_custom_fields_use_the_ticket_definitions_with_a_target():
    from pomoc.tickets.models import CustomFieldDefinition, CustomFieldTarget, CustomFieldType

    CustomFieldDefinition.objects.create(key="plan", label="Plan", type=CustomFieldType.CHOICE,
                                         choices=["free", "gold"], target=CustomFieldTarget.CONTACT)
    CustomFieldDefinition.objects.create(key="order_ref", label="Order", type=CustomFieldType.TEXT)
    contact = ContactFactory()
    services.contact_update(contact=contact, changes={"custom_fields": {"plan": "gold"}})
    assert contact.custom_fields == {"plan": "gold"}
    with pytest.raises(ValidationError):
        services.contact_update(contact=contact, changes={"custom_fields": {"plan": "platinum"}})
    with pytest.raises(ValidationError):  # a ticket field is not a contact field
        services.contact_update(contact=contact, changes={"custom_fields": {"order_ref": "A1"}})
