import pytest
from django.urls import reverse

from pomoc.accounts.models import Role
from pomoc.testing.factories import DepartmentFactory, TagFactory, UserFactory, make_customer_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects():
    department = DepartmentFactory(name="Billing")
    tag = TagFactory(name="vip")
    person = UserFactory(username="someone")
    return {"department": department, "tag": tag, "person": person}


def pages(objects):
    """(url, supervisors may read it)."""
    person, department, tag = objects["person"], objects["department"], objects["tag"]
    return [
        (reverse("administration:home"), True),
        (reverse("administration:users"), True),
        (reverse("administration:user", args=[person.pk]), True),
        (reverse("administration:departments"), True),
        (reverse("administration:department", args=[department.pk]), True),
        (reverse("administration:user_create"), False),
        (reverse("administration:user_tokens", args=[person.pk]), False),
        (reverse("administration:department_create"), False),
        (reverse("administration:tags"), False),
        (reverse("administration:tag", args=[tag.pk]), False),
        (reverse("administration:custom_fields"), False),
        (reverse("administration:custom_field_create"), False),
        (reverse("administration:organisation"), False),
        (reverse("administration:surveys"), True),
        (reverse("administration:survey", args=["csat"]), True),
        (reverse("administration:campaign_create"), False),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, objects):
    for url, _supervisor in pages(objects):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_agents_and_customers_are_refused(client, objects):
    for user in (UserFactory(role=Role.AGENT), make_customer_user()):
        client.force_login(user)
        for url, _supervisor in pages(objects):
            assert client.get(url).status_code == 403, (user.role, url)
        response = client.post(reverse("administration:tag_delete", args=[objects["tag"].pk]))
        assert response.status_code == 403


def test_supervisors_read_users_and_departments_but_change_nothing(client, objects):
    client.force_login(UserFactory(role=Role.SUPERVISOR))
    for url, supervisor_may_read in pages(objects):
        assert client.get(url).status_code == (200 if supervisor_may_read else 403), url
    person = objects["person"]
    page = client.get(reverse("administration:user", args=[person.pk]))
    assert b'action="/manage/' not in page.content  # no forms that would change anything
    response = client.post(reverse("administration:user", args=[person.pk]), {"role": Role.ADMINISTRATOR})
    assert response.status_code == 403
    response = client.post(reverse("administration:department", args=[objects["department"].pk]),
                           {"name": "Renamed"})
    assert response.status_code == 403
    assert client.post(reverse("administration:user_deactivate", args=[person.pk])).status_code == 403
    person.refresh_from_db()
    objects["department"].refresh_from_db()
    assert person.role == Role.AGENT and person.is_active
    assert objects["department"].name == "Billing"


def test_administrators_see_every_page(client, objects):
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    for url, _supervisor in pages(objects):
        assert client.get(url).status_code == 200, url


def test_a_deactivated_administrator_is_logged_out(client, objects):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(admin)
    admin.is_active = False
    admin.save()
    response = client.get(reverse("administration:home"))
    assert response.status_code == 302
