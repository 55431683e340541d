import pytest
from django.core.exceptions import ValidationError

from pomoc.contacts import services
from pomoc.contacts.merging import contact_merge
from pomoc.contacts.models import Company, IdentityKind
from pomoc.testing.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_the_same_address_finds_the_same_person_whatever_its_case():
    first, created = services.contact_get_or_create(kind=IdentityKind.EMAIL, value="Jan.Novak@Example.CZ", name="Jan")
    again, created_again = services.contact_get_or_create(kind=IdentityKind.EMAIL, value=" jan.novak@example.cz ")
    assert created and not created_again
    assert first.pk == again.pk


def test_phone_numbers_are_normalized_to_e164():
    assert services.normalize_identity(IdentityKind.PHONE, "00420 601 123 456") == "+420601123456"
    assert services.normalize_identity(IdentityKind.PHONE, "+48 (22) 555-01-23") == "+48225550123"
    with pytest.raises(ValidationError):
        services.normalize_identity(IdentityKind.PHONE, "call me")


def test_invalid_email_is_refused():
    with pytest.raises(ValidationError):
        services.contact_get_or_create(kind=IdentityKind.EMAIL, value="not an address")


def test_a_new_contact_joins_the_company_of_its_domain():
    company = Company.objects.create(name="Mets OÜ", domains=["mets.ee"])
    contact, _ = services.contact_get_or_create(kind=IdentityKind.EMAIL, value="mari@mets.ee")
    assert contact.company == company


def test_an_identity_belongs_to_one_contact_only():
    a, _ = services.contact_get_or_create(kind=IdentityKind.EMAIL, value="a@example.com")
    b, _ = services.contact_get_or_create(kind=IdentityKind.EMAIL, value="b@example.com")
    with pytest.raises(ValidationError):
        services.identity_add(contact=b, kind=IdentityKind.EMAIL, value="A@example.com")


def test_merging_contacts_moves_identities_and_tickets():
    a, _ = services.contact_get_or_create(kind=IdentityKind.EMAIL, value="a@example.com")
    b, _ = services.contact_get_or_create(kind=IdentityKind.PHONE, value="+420601000111")
    ticket = make_ticket(requester=b)
    contact_merge(source=b, target=a)
    ticket.refresh_from_db()
    assert ticket.requester_id == a.pk
    assert set(a.identities.values_list("kind", flat=True)) == {IdentityKind.EMAIL, IdentityKind.PHONE}


def test_internationalised_email_addresses_are_accepted_and_broken_ones_are_not():
    assert services.normalize_identity(IdentityKind.EMAIL, " Jan.Novák@Firma.cz ") == "jan.novák@firma.cz"
    assert services.normalize_identity(IdentityKind.EMAIL, "jdöe@mächine.example") == "jdöe@mächine.example"
    for broken in ("jdö e@x.cz", "jdö..e@x.cz", "jdöe@", "jdöe@x", 'jd"öe@x.cz'):
        with pytest.raises(ValidationError):
            services.normalize_identity(IdentityKind.EMAIL, broken)
