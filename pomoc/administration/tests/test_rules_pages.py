"""Administration → Rules and Macros: built from rows of fields, checked with clear messages, tried
on past tickets before they are switched on."""

import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.automation.macros.models import Macro
from pomoc.automation.rules.models import Rule
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


RULE = {
    "name": "Billing to billing", "trigger": "created", "position": "", "active": "on",
    "cond_0_field": "subject", "cond_0_op": "contains", "cond_0_value": "Invoice",
    "cond_1_field": "", "cond_1_op": "", "cond_1_value": "",
    "act_0_type": "assign_department", "act_0_value": "Billing",
    "act_1_type": "add_tag", "act_1_value": "billing",
    "act_2_type": "", "act_2_value": "",
}


def test_an_administrator_builds_a_rule_and_sees_it_as_written(client, admin):
    billing = DepartmentFactory(name="Billing")
    response = client.post(reverse("administration:rule_create"), RULE)
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert (rule.trigger, rule.active, rule.author) == ("created", True, admin)
    assert rule.conditions == [{"field": "subject", "op": "contains", "value": "invoice"}]
    assert rule.actions == [{"type": "assign_department", "value": billing.pk}, {"type": "add_tag", "value": "billing"}]

    page = client.get(reverse("administration:rule", args=[rule.pk])).content.decode()
    assert "Billing</textarea>" in page  # the name, not the id
    assert rule.secret in page
    listing = client.get(reverse("administration:rules")).content.decode()
    assert "Billing to billing" in listing


def test_mistakes_are_explained_and_nothing_is_saved(client, admin):
    response = client.post(reverse("administration:rule_create"), {**RULE, "act_0_value": "Nowhere"})
    assert response.status_code == 400
    assert "“Nowhere” is not the name of any department" in response.content.decode()
    assert not Rule.objects.exists()
    response = client.post(reverse("administration:rule_create"),
                           {**RULE, "act_0_type": "", "act_1_type": "", "cond_0_op": "at_least"})
    page = response.content.decode()
    assert response.status_code == 400 and "cannot be compared" in page and "Add at least one action" in page


def test_try_on_past_tickets_counts_without_saving(client, admin):
    DepartmentFactory(name="Billing")
    for number in range(3):
        make_ticket(subject=f"Invoice {number}")
    make_ticket(subject="Printer")
    response = client.post(reverse("administration:rule_create"), {**RULE, "try": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "Would have matched 3 tickets of the last 4." in page
    assert not Rule.objects.exists() and not make_ticket(subject="x").tags.exists()


def test_more_rows(client, admin):
    DepartmentFactory(name="Billing")
    response = client.post(reverse("administration:rule_create"), {**RULE, "more": "1"})
    assert response.status_code == 200 and "cond_3_field" in response.content.decode()
    assert not Rule.objects.exists()


def test_rules_are_for_administrators(client):
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get(reverse("administration:rules")).status_code == 403
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    assert client.get(reverse("administration:rules")).status_code == 200
    assert client.post(reverse("administration:rule_create"), RULE).status_code == 403


def test_delete(client, admin):
    DepartmentFactory(name="Billing")
    client.post(reverse("administration:rule_create"), RULE)
    rule = Rule.objects.get()
    assert client.post(reverse("administration:rule_delete", args=[rule.pk])).status_code == 302
    assert not Rule.objects.exists()


def test_an_administrator_builds_a_macro(client, admin):
    response = client.post(reverse("administration:macro_create"), {
        "name": "Close as solved", "act_0_type": "reply", "act_0_value": "Glad it works, {{ customer.first_name }}!",
        "act_1_type": "set_status", "act_1_value": "resolved", "act_2_type": "assign_agent", "act_2_value": "me"})
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert [a["type"] for a in macro.actions] == ["reply", "set_status", "assign_agent"]
    response = client.post(reverse("administration:macro_create"), {
        "name": "Bad", "act_0_type": "webhook", "act_0_value": "https://example.com/"})
    assert response.status_code == 400  # not an action macros offer


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_for_few_or_many_rules_and_calls(client, admin):
    from pomoc.automation.rules import services
    from pomoc.automation.rules.models import WebhookDelivery

    DepartmentFactory(name="Billing")

    def add(count):
        for _ in range(count):
            number = Rule.objects.count()
            services.rule_create(author=admin, name=f"R{number}", trigger="created",
                                    conditions=[{"field": "department", "op": "is", "value": "Billing"}],
                                    actions=[{"type": "assign_department", "value": "Billing"},
                                             {"type": "webhook", "value": "https://hooks.invalid/"}])
        first = Rule.objects.order_by("pk").first()
        for _ in range(count):
            WebhookDelivery.objects.create(rule=first, ticket=make_ticket(), url="https://hooks.invalid/", body="{}")
        return first

    first = add(2)
    few = (_queries(client, reverse("administration:rules")),
           _queries(client, reverse("administration:rule", args=[first.pk])))
    add(20)
    many = (_queries(client, reverse("administration:rules")),
            _queries(client, reverse("administration:rule", args=[first.pk])))
    assert few == many


def test_hostile_rows_are_a_clear_refusal_never_an_error(client, admin):
    DepartmentFactory(name="Billing")
    for data in ({**RULE, "cond_9999999_field": "subject", "cond_x_op": "is"},
                 {**RULE, "cond_0_value": "a\x00b"}, {**RULE, "position": "10" * 30},
                 {**RULE, "cond_0_field": "__class__"}, {**RULE, "act_0_type": "eval"}, {**RULE, "trigger": "never"}):
        response = client.post(reverse("administration:rule_create"), data)
        assert response.status_code in (302, 400)
    assert Rule.objects.count() == 1  # only the first: the row far out is cut off, the rest are refused
