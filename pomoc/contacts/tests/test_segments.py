"""Segments: saved filters over contacts, used by rules, survey campaigns and reports."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.contacts import segments, services
from pomoc.testing.factories import CompanyFactory, ContactFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_a_segment_filters_contacts_by_every_kind_of_condition():
    acme = CompanyFactory(name="Acme")
    vip = ContactFactory(name="Vera VIP", email="vera@acme.cz", company=acme)
    services.tag_add(contact=vip, name="vip")
    services.contact_update(contact=vip, changes={"language": "cs"})
    plain = ContactFactory(name="Petr Plain", email="petr@acme.cz", company=acme)
    ContactFactory(name="Olga Other", email="olga@other.org")
    segment = segments.segment_save(name="VIPs at Acme", conditions=[
        {"field": "company", "op": "is", "value": acme.pk},
        {"field": "tag", "op": "is", "value": "vip"},
        {"field": "language", "op": "is", "value": "CS"},
        {"field": "identity", "op": "has", "value": "email"},
        {"field": "domain", "op": "is", "value": "acme.cz"},
    ])
    assert list(segments.apply(segment)) == [vip]
    assert segments.holds(segment, vip.pk) and not segments.holds(segment, plain.pk)
    others = segments.segment_save(name="Not VIP", conditions=[{"field": "tag", "op": "is_not", "value": "vip"}])
    assert vip not in segments.apply(others) and plain in segments.apply(others)


@pytest.mark.parametrize("conditions", [
    "nope", [{"field": "shoe size", "op": "is", "value": 42}], [{"field": "tag", "op": "matches", "value": "x"}],
    [{"field": "company", "op": "is", "value": "Acme"}], [{"field": "created", "op": "before", "value": "yesterday"}],
])
def test_a_wrong_condition_is_refused_with_its_number(conditions):
    with pytest.raises(ValidationError):
        segments.segment_save(name="Broken", conditions=conditions)


def test_reports_rules_and_campaigns_narrow_to_a_segment():
    from pomoc.automation.rules.conditions import clean, compile_conditions, facts_for
    from pomoc.reports.selectors import filtered_tickets
    from pomoc.testing.factories import UserFactory

    admin = UserFactory(username="seg-admin", role="administrator")
    vip = ContactFactory(name="Vera VIP")
    services.tag_add(contact=vip, name="vip")
    segment = segments.segment_save(name="VIP", conditions=[{"field": "tag", "op": "is", "value": "vip"}])
    theirs, other = make_ticket(requester=vip), make_ticket()
    assert list(filtered_tickets(admin, segment=segment)) == [theirs]
    check = compile_conditions(clean([{"field": "segment", "op": "is", "value": "VIP"}]))
    assert check(facts_for(theirs)) and not check(facts_for(other))
