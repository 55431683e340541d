import re

import pytest
from django.urls import reverse

from pomoc.accounts.models import ApiToken, Role, User
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(username="boss", first_name="Olga", last_name="Owens", role=Role.ADMINISTRATOR)
    client.force_login(user)
    return user


def create_data(**overrides):
    data = {"username": "newbie", "first_name": "New", "last_name": "Agent", "email": "newbie@example.com",
            "role": Role.AGENT, "language": "pl", "time_zone": "Europe/Warsaw",
            "password1": "Good-enough-pass-31", "password2": "Good-enough-pass-31"}
    data.update(overrides)
    return data


def edit_data(user, **overrides):
    data = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email, "role": user.role,
            "language": user.language, "time_zone": user.time_zone, "is_active": "on" if user.is_active else ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def test_it_creates_a_user_with_a_password_who_can_log_in(client, admin):
    department = DepartmentFactory(name="Sales")
    response = client.post(reverse("administration:user_create"), create_data(departments=[department.pk]))
    user = User.objects.get(username="newbie")
    assert response.status_code == 302
    assert response["Location"] == reverse("administration:user", args=[user.pk])
    assert (user.role, user.language, user.time_zone) == (Role.AGENT, "pl", "Europe/Warsaw")
    assert list(user.departments.all()) == [department]
    client.logout()
    assert client.login(username="newbie", password="Good-enough-pass-31")


def test_it_creates_a_user_with_an_invitation(client, admin, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("administration:user_create"),
                               create_data(invite="on", password1="", password2="", role=Role.SUPERVISOR))
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert not user.has_usable_password()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["newbie@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    client.logout()
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    client.post(page.redirect_chain[-1][0],
                {"new_password1": "Chosen-by-me-2024", "new_password2": "Chosen-by-me-2024"})
    assert client.login(username="newbie", password="Chosen-by-me-2024")


def test_create_refuses_bad_input_and_creates_nothing(client, admin):
    cases = [
        create_data(password2="different-Pass-99"),
        create_data(password1="", password2=""),
        create_data(password1="123", password2="123"),
        create_data(invite="on", email="", password1="", password2=""),
        create_data(username="boss"),
        create_data(email="boss@example.com"),
        create_data(role=Role.CUSTOMER),
        create_data(time_zone="Nowhere/Land"),
    ]
    for data in cases:
        response = client.post(reverse("administration:user_create"), data)
        assert response.status_code == 200, data
        assert response.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


def test_it_changes_role_departments_language_and_time_zone(client, admin):
    user = UserFactory(username="worker")
    support, sales = DepartmentFactory(name="Support"), DepartmentFactory(name="Sales")
    user.departments.add(support)
    response = client.post(
        reverse("administration:user", args=[user.pk]),
        edit_data(user, role=Role.SUPERVISOR, departments=[sales.pk], language="et", time_zone="Europe/Tallinn"),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.language, user.time_zone) == (Role.SUPERVISOR, "et", "Europe/Tallinn")
    assert list(user.departments.all()) == [sales]


def test_deactivating_keeps_the_user_and_revokes_their_tokens(client, admin):
    user = UserFactory(username="leaver")
    token, _raw = ApiToken.create_for(user)
    response = client.post(reverse("administration:user_deactivate", args=[user.pk]))
    assert response.status_code == 302
    user.refresh_from_db()
    token.refresh_from_db()
    assert not user.is_active
    assert token.revoked_at is not None
    assert User.objects.filter(pk=user.pk).exists()
    # And can be switched back on.
    client.post(reverse("administration:user", args=[user.pk]), edit_data(user, is_active="on"))
    user.refresh_from_db()
    assert user.is_active


def test_the_last_administrator_cannot_demote_or_deactivate_themselves(client, admin):
    response = client.post(reverse("administration:user", args=[admin.pk]), edit_data(admin, role=Role.AGENT))
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    response = client.post(reverse("administration:user", args=[admin.pk]), edit_data(admin, is_active=""))
    assert "is_active" in response.context["form"].errors
    response = client.post(reverse("administration:user_deactivate", args=[admin.pk]), follow=True)
    assert b"last active administrator" in response.content
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR and admin.is_active


def test_an_administrator_may_step_down_when_another_remains(client, admin):
    UserFactory(username="other-boss", role=Role.ADMINISTRATOR)
    response = client.post(reverse("administration:user", args=[admin.pk]), edit_data(admin, role=Role.AGENT))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.role == Role.AGENT


def test_the_list_searches_and_filters(client, admin):
    # Names are explicit: random ones (e.g. "Gilbert") could match the searches below.
    UserFactory(username="anna", first_name="Anna", last_name="Adams", email="anna@shop.example")
    UserFactory(username="bert", first_name="Bert", last_name="Brown", role=Role.SUPERVISOR)
    UserFactory(username="cyril", first_name="Cyril", last_name="Cole", is_active=False)

    def usernames(**params):
        response = client.get(reverse("administration:users"), params)
        return [u.username for u in response.context["page"].object_list]

    assert usernames(q="shop.example") == ["anna"]
    assert usernames(q="BERT") == ["bert"]
    assert usernames(role=Role.SUPERVISOR) == ["bert"]
    assert usernames(active="0") == ["cyril"]
    assert set(usernames()) == {"anna", "bert", "boss", "cyril"}


def test_the_list_needs_few_queries(client, admin, django_assert_max_num_queries):
    for n in range(15):
        user = UserFactory(username=f"u{n}")
        user.departments.add(DepartmentFactory(name=f"D{n % 3}"))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("administration:users"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 16


def test_names_are_escaped(client, admin):
    UserFactory(username="mallory", first_name="<img src=x onerror=alert(1)>")
    response = client.get(reverse("administration:users"))
    assert b"<img src=x" not in response.content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in response.content


def test_resending_an_invitation_mails_a_working_link(client, admin, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    user = UserFactory(username="forgetful", email="forgetful@example.com", language="cs")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("administration:user_invite", args=[user.pk]))
    assert response.status_code == 302
    assert mailoutbox[0].to == ["forgetful@example.com"]
    assert "/accounts/reset/" in mailoutbox[0].body
