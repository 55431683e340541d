"""Administration → Segments: built from rows of fields with a preview of the matching contacts,
saved, edited and deleted outside the Django admin; rules, survey campaigns and reports pick them."""

import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.automation.rules.models import Rule
from pomoc.contacts import services
from pomoc.contacts.models import RetentionPolicy, Segment
from pomoc.testing.factories import CompanyFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def world():
    acme = CompanyFactory(name="Acme")
    vip = [ContactFactory(name=f"Acme VIP {i}", company=acme) for i in range(3)]
    for contact in vip[:2]:
        services.tag_add(contact=contact, name="vip")
    ContactFactory(name="Elsewhere VIP")
    services.tag_add(contact=ContactFactory(name="Acme plain", company=acme), name="plain")
    return acme, vip


FORM = {"name": "Acme VIPs", "cond_0_field": "company", "cond_0_op": "is", "cond_0_key": "", "cond_0_value": "acme",
        "cond_1_field": "tag", "cond_1_op": "is", "cond_1_key": "", "cond_1_value": "vip",
        "cond_2_field": "", "cond_2_op": "", "cond_2_key": "", "cond_2_value": ""}


def test_a_preview_counts_and_shows_the_matching_contacts_and_saves_nothing(client, admin):
    world()
    response = client.post(reverse("administration:segment_create"), {**FORM, "preview": "1"})
    assert response.status_code == 200
    assert response.context["preview_count"] == 2
    assert [c.name for c in response.context["preview_sample"]] == ["Acme VIP 0", "Acme VIP 1"]
    assert "2 contacts match." in response.content.decode()
    assert not Segment.objects.exists()


def test_an_administrator_builds_edits_and_deletes_a_segment(client, admin):
    acme, _vip = world()
    response = client.post(reverse("administration:segment_create"), FORM)
    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("administration:segment", args=[segment.pk])
    assert segment.conditions == [{"field": "company", "op": "is", "value": acme.pk},
                                  {"field": "tag", "op": "is", "value": "vip"}]
    assert segment.created_by == admin
    page = client.get(reverse("administration:segment", args=[segment.pk]))
    assert page.status_code == 200 and page.context["preview_count"] == 2
    assert page.context["form"].initial["cond_0_value"] == "Acme"  # the company by its name
    listing = client.get(reverse("administration:segments"))
    assert listing.status_code == 200 and "Acme VIPs" in listing.content.decode()
    edited = {**FORM, "name": "Acme non-VIPs", "cond_1_op": "is_not"}
    assert client.post(reverse("administration:segment", args=[segment.pk]), edited).status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Acme non-VIPs" and segment.conditions[1]["op"] == "is_not"
    assert client.get(reverse("administration:segment", args=[segment.pk])).context["preview_count"] == 2
    assert client.post(reverse("administration:segment_delete", args=[segment.pk])).status_code == 302
    assert not Segment.objects.exists()


def test_a_custom_field_condition_keeps_its_key_and_others_drop_it(client, admin):
    data = {"name": "Gold", "cond_0_field": "custom_field", "cond_0_op": "is", "cond_0_key": "plan",
            "cond_0_value": "gold", "cond_1_field": "identity", "cond_1_op": "has", "cond_1_key": "stray",
            "cond_1_value": "phone"}
    assert client.post(reverse("administration:segment_create"), data).status_code == 302
    assert Segment.objects.get().conditions == [{"field": "custom_field", "op": "is", "key": "plan", "value": "gold"},
                                                {"field": "identity", "op": "has", "value": "phone"}]


@pytest.mark.parametrize(("row", "message"), [
    ({"cond_0_field": "company", "cond_0_op": "is", "cond_0_value": "Nobody Ltd"}, "no company"),
    ({"cond_0_field": "name", "cond_0_op": "before", "cond_0_value": "x"}, "Condition 1"),
    ({"cond_0_field": "created", "cond_0_op": "after", "cond_0_value": "yesterday"}, "YYYY-MM-DD"),
    ({"cond_0_field": "nonsense", "cond_0_op": "is", "cond_0_value": "x"}, "nonsense"),
])
def test_a_wrong_condition_is_refused_with_a_reason(client, admin, row, message):
    response = client.post(reverse("administration:segment_create"), {"name": "Bad", **row})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Segment.objects.exists()


def test_a_segment_a_retention_policy_uses_is_not_deleted(client, admin):
    segment = Segment.objects.create(name="Old", conditions=[])
    RetentionPolicy.objects.create(name="Old ones", years=3, segment=segment)
    response = client.post(reverse("administration:segment_delete", args=[segment.pk]), follow=True)
    assert "retention policy" in response.content.decode() and Segment.objects.filter(pk=segment.pk).exists()


def test_supervisors_read_agents_may_not(client):
    segment = Segment.objects.create(name="All", conditions=[])
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    page = client.get(reverse("administration:segment", args=[segment.pk]))
    assert page.status_code == 200 and page.context["can_manage"] is False
    assert client.post(reverse("administration:segment_create"), FORM).status_code == 403
    assert client.post(reverse("administration:segment_delete", args=[segment.pk])).status_code == 403
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get(reverse("administration:segments")).status_code == 403


def test_the_preview_page_is_flat_in_queries(client, admin, django_assert_max_num_queries):
    acme, _vip = world()
    segment = Segment.objects.create(name="Acme", conditions=[{"field": "company", "op": "is", "value": acme.pk}])
    for i in range(8):
        ContactFactory(name=f"Acme more {i}", company=acme)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("administration:segment", args=[segment.pk]))
    assert len(response.context["preview_sample"]) == 10


def test_rules_campaigns_and_reports_pick_a_segment(client, admin):
    segment = Segment.objects.create(name="Key accounts", conditions=[])
    rule = {"name": "Key accounts first", "trigger": "created", "position": "", "active": "on",
            "cond_0_field": "segment", "cond_0_op": "is", "cond_0_value": "Key accounts",
            "act_0_type": "add_tag", "act_0_value": "key"}
    assert client.post(reverse("administration:rule_create"), rule).status_code == 302
    assert Rule.objects.get().conditions == [{"field": "segment", "op": "is", "value": segment.pk}]
    campaign = client.get(reverse("administration:campaign_create"))
    assert campaign.status_code == 200 and "Key accounts" in campaign.content.decode()
    report = client.get(reverse("reports:overview"), {"period": "30", "segment": segment.pk})
    assert report.status_code == 200 and report.context["form"].cleaned_data["segment"] == segment
    assert "Key accounts" in report.content.decode()
