import pytest

from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user

from .helpers import ingest, mail, make_inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    support = DepartmentFactory(name="Support")
    raw_bytes = mail(message_id="<raw-1@example.cz>")
    _raw, result = ingest(make_inbox(department=support), raw_bytes)
    return {"department": support, "bytes": raw_bytes, "result": result}


def url(result):
    return f"/tickets/{result.ticket_number}/messages/{result.message_id}/raw/"


def test_an_agent_downloads_the_received_mail_byte_for_byte(client, received):
    agent = UserFactory(username="reader")
    received["department"].members.add(agent)
    client.force_login(agent)
    page = client.get(f"/tickets/{received['result'].ticket_number}/")
    assert url(received["result"]).encode() in page.content
    response = client.get(url(received["result"]))
    assert response.status_code == 200
    assert response.content == received["bytes"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_agents_of_other_departments_and_customers_get_nothing(client, received):
    outsider = UserFactory(username="elsewhere")
    DepartmentFactory(name="Billing").members.add(outsider)
    client.force_login(outsider)
    assert client.get(url(received["result"])).status_code == 404
    client.force_login(make_customer_user())
    assert client.get(url(received["result"])).status_code in (403, 404)
