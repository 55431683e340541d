import uuid

import pytest
from django.core.exceptions import ValidationError

from pomoc.accounts.models import Role
from pomoc.channels import registry
from pomoc.channels import services as inbox_services
from pomoc.channels.models import Inbox
from pomoc.channels.web import services
from pomoc.channels.web.config import WebFormConfig
from pomoc.testing.factories import UserFactory
from pomoc.tickets import services as ticket_services
from pomoc.tickets.models import Channel, DeliveryState, MessageKind


def test_the_config_never_raises_and_keeps_only_good_values():
    config = WebFormConfig.from_dict({"fields": ["order", "bad key!", "order"], "min_seconds": "x",
                                      "embed_origins": "https://shop.example.com/\njavascript:alert(1)",
                                      "confirm_unknown": "yes"})
    assert config == WebFormConfig(fields=["order"], embed_origins=["https://shop.example.com"],
                                   confirm_unknown=False, min_seconds=3)
    assert WebFormConfig.from_dict(None) == WebFormConfig.from_dict([]) == WebFormConfig()


def test_the_kind_is_registered_and_only_receives():
    kind = registry.get("web")
    assert kind is not None and kind.outbound is None and kind.identity_kind == "email"


@pytest.mark.django_db
def test_the_inbox_services_check_the_forms_settings():
    with pytest.raises(ValidationError) as refused:
        inbox_services.inbox_create(name="Form", kind="web", config={
            "fields": ["nope"], "embed_origins": ["shop.example.com"], "min_seconds": 9999})
    assert set(refused.value.message_dict) >= {"config.fields", "config.embed_origins", "config.min_seconds"}


@pytest.mark.django_db
def test_an_agent_reply_to_a_form_ticket_goes_out_by_e_mail():
    inbox = Inbox.objects.create(name="Form", kind="web")
    Inbox.objects.create(name="Support", kind="email", address="support@example.org")
    outcome = services.form_submit(inbox=inbox, submission=services.Submission(
        email="eva@example.cz", name="Eva", subject="Where is my order?", text="Order 12.", form_id=uuid.uuid4().hex))
    assert outcome.ticket.channel == Channel.WEB
    reply = ticket_services.message_add(ticket=outcome.ticket, kind=MessageKind.REPLY,
                                        actor=UserFactory(role=Role.ADMINISTRATOR), body_text="On its way.")
    assert reply.channel == "email" and reply.recipient.value == "eva@example.cz"
    assert reply.delivery_state in (DeliveryState.QUEUED, DeliveryState.SENT)


@pytest.mark.django_db
def test_deflections_are_counted_per_day_and_department():
    import datetime as dt

    from django.utils import timezone

    from pomoc.channels.web.selectors import deflections
    from pomoc.testing.factories import DepartmentFactory

    support = Inbox.objects.create(name="Support form", kind="web", department=DepartmentFactory(name="Support"))
    sales = Inbox.objects.create(name="Sales form", kind="web", department=DepartmentFactory(name="Sales"))
    for n in range(3):
        services.visit_article_opened(inbox=support, visit_key=f"support-visit-{n:04d}", article_url="/kb/a/")
    services.visit_article_opened(inbox=sales, visit_key="sales-visit-00001", article_url="/kb/b/")
    services.form_submit(inbox=support, submission=services.Submission(
        email="eva@example.cz", name="Eva", subject="Still stuck", text="The article did not help.",
        form_id=uuid.uuid4().hex, visit_key="support-visit-0000"))
    now = timezone.now()
    rows = deflections(start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1))
    by_department = {row["department_id"]: (row["visits"], row["deflections"]) for row in rows}
    assert by_department == {support.department_id: (3, 2), sales.department_id: (1, 1)}
    only_sales = deflections(start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1),
                             department_id=sales.department_id)
    assert [row["deflections"] for row in only_sales] == [1]


@pytest.mark.django_db
def test_an_administrator_sets_up_a_web_form_on_the_inboxes_page(client):
    from django.urls import reverse

    from pomoc.testing.factories import DepartmentFactory
    from pomoc.tickets.models import CustomFieldDefinition

    CustomFieldDefinition.objects.create(key="order", label="Order number", type="text")
    department = DepartmentFactory(name="Sales")
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    url = reverse("administration:inbox_create") + "?kind=web"
    assert client.get(url).status_code == 200
    data = {"name": "Sales form", "department": department.pk, "active": "on", "fields": "order",
            "embed_origins": "https://shop.example.com", "min_seconds": "2", "confirm_unknown": "on"}
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    inbox = Inbox.objects.get(kind="web")
    assert WebFormConfig.from_dict(inbox.config) == WebFormConfig(
        fields=["order"], embed_origins=["https://shop.example.com"], confirm_unknown=True, min_seconds=2)
    refused = client.post(url, {**data, "fields": "nope"})
    assert refused.status_code in (200, 400) and "No active custom field has the key: nope" in refused.content.decode()
