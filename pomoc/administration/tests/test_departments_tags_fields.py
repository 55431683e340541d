import pytest
from django.urls import reverse

from pomoc.accounts.models import Department, Role
from pomoc.core.models import OrganisationSettings
from pomoc.testing.factories import TagFactory, UserFactory, make_ticket
from pomoc.tickets.custom_fields import validate_custom_fields
from pomoc.tickets.models import CustomFieldDefinition, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def test_departments_are_created_renamed_described_and_staffed(client, admin):
    agent = UserFactory(username="helper")
    response = client.post(reverse("administration:department_create"),
                           {"name": "Billing", "description": "Invoices", "members": [agent.pk]})
    assert response.status_code == 302
    department = Department.objects.get(name="Billing")
    assert list(department.members.all()) == [agent]

    client.post(reverse("administration:department", args=[department.pk]),
                {"name": "Accounts", "description": "Invoices and refunds"})
    department.refresh_from_db()
    assert (department.name, department.description) == ("Accounts", "Invoices and refunds")
    assert department.members.count() == 0

    duplicate = client.post(reverse("administration:department_create"), {"name": "accounts"})
    assert duplicate.status_code == 200 and "name" in duplicate.context["form"].errors
    listing = client.get(reverse("administration:departments"))
    assert b"Accounts" in listing.content


def test_tags_are_created_renamed_coloured_and_deleted(client, admin):
    response = client.post(reverse("administration:tag_create"), {"name": "urgent", "color": "#FF0000"})
    assert response.status_code == 302
    tag = Tag.objects.get(name="urgent")
    assert tag.color == "#ff0000"
    client.post(reverse("administration:tag", args=[tag.pk]), {"name": "very-urgent", "color": "#00ff00"})
    tag.refresh_from_db()
    assert (tag.name, tag.color) == ("very-urgent", "#00ff00")

    bad = client.post(reverse("administration:tag", args=[tag.pk]),
                      {"name": "x", "color": "red;background:url(x)"})
    assert bad.status_code == 200 and "color" in bad.context["form"].errors

    ticket = make_ticket()
    ticket.tags.add(tag)
    assert client.post(reverse("administration:tag_delete", args=[tag.pk])).status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert ticket.tags.count() == 0
    assert client.get(reverse("administration:tag_delete", args=[TagFactory().pk])).status_code == 405


def test_custom_fields_are_created_edited_and_deactivated(client, admin):
    response = client.post(reverse("administration:custom_field_create"), {
        "key": "plan", "label": "Plan", "type": "choice", "choices": "Free\nPro\n\nPro\nEnterprise",
        "required": "on", "active": "on",
    })
    assert response.status_code == 302
    field = CustomFieldDefinition.objects.get(key="plan")
    assert field.choices == ["Free", "Pro", "Enterprise"] and field.required
    assert validate_custom_fields({"plan": "Pro"}) == {"plan": "Pro"}

    # The key and type cannot change; the label and choices can; unticking "active" deactivates.
    client.post(reverse("administration:custom_field", args=[field.pk]), {
        "key": "renamed", "label": "Price plan", "type": "text", "choices": "Free\nPro",
    })
    field.refresh_from_db()
    assert (field.key, field.type, field.label, field.choices) == ("plan", "choice", "Price plan", ["Free", "Pro"])
    assert not field.active and not field.required


def test_a_choice_field_needs_choices_and_keys_are_slugs(client, admin):
    response = client.post(reverse("administration:custom_field_create"),
                           {"key": "bad key!", "label": "Plan", "type": "choice", "choices": ""})
    assert response.status_code == 200
    assert {"key", "choices"} <= set(response.context["form"].errors)
    assert not CustomFieldDefinition.objects.exists()


def test_organisation_settings(client, admin):
    response = client.post(reverse("administration:organisation"), {
        "name": "Acme support", "ticket_tag_prefix": "ACME-", "administrators_see_all_tickets": "on",
    })
    assert response.status_code == 302
    org = OrganisationSettings.get()
    assert (org.name, org.ticket_tag_prefix) == ("Acme support", "ACME-")
    assert org.administrators_see_all_tickets
    assert not org.supervisors_see_all_tickets and not org.agents_see_unassigned_department_less
