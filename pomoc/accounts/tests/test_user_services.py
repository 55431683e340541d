"""The rules of pomoc.accounts.services that the API and the administrators' area share."""

import pytest
from django.core.exceptions import ValidationError

from pomoc.accounts.models import ApiToken, Role, User
from pomoc.accounts.services import (
    api_token_create,
    department_create,
    department_update,
    user_create,
    user_deactivate,
    user_update,
)
from pomoc.testing.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def errors_of(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def test_the_last_active_administrator_can_be_neither_demoted_nor_deactivated():
    boss = UserFactory(role=Role.ADMINISTRATOR)
    other = UserFactory(role=Role.ADMINISTRATOR)
    # Somebody else is still an administrator: stepping down is allowed.
    assert user_update(user=other, actor=boss, changes={"role": Role.AGENT}).role == Role.AGENT
    errors = errors_of(user_update, user=boss, actor=other, changes={"role": Role.AGENT, "is_active": False})
    assert set(errors) == {"role", "is_active"}
    assert "last active administrator" in errors["role"][0]
    boss.refresh_from_db()
    assert boss.role == Role.ADMINISTRATOR and boss.is_active


def test_nobody_deactivates_themselves():
    boss = UserFactory(role=Role.ADMINISTRATOR)
    UserFactory(role=Role.ADMINISTRATOR)
    errors = errors_of(user_deactivate, user=boss, actor=boss)
    assert errors == {"is_active": ["You cannot deactivate your own account."]}
    boss.refresh_from_db()
    assert boss.is_active


def test_deactivating_revokes_tokens():
    boss, leaver = UserFactory(role=Role.ADMINISTRATOR), UserFactory()
    token, _raw = api_token_create(user=leaver, name="sync")
    user_deactivate(user=leaver, actor=boss)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert errors_of(api_token_create, user=User.objects.get(pk=leaver.pk)) == {
        "name": ["Deactivated users cannot get API tokens."]}


def test_an_e_mail_address_belongs_to_one_account_and_is_stored_lowercase():
    UserFactory(username="first", email="taken@example.com")
    assert "email" in errors_of(user_create, username="second", email="Taken@Example.com")
    user = user_create(username="third", email="  New@Example.COM ")
    assert user.email == "new@example.com"
    assert "email" in errors_of(user_update, user=user, actor=None, changes={"email": "taken@example.com"})
    # Keeping one's own address is not a clash.
    assert user_update(user=user, actor=None, changes={"email": "NEW@example.com"}).email == "new@example.com"


def test_every_wrong_field_is_named_at_once_and_nothing_is_saved():
    UserFactory(username="taken")
    errors = errors_of(user_create, username="Taken", email="not an address", language="xx",
                       time_zone="Mars/Base", role="king", password="123", departments=[999999])
    assert set(errors) == {"username", "email", "language", "time_zone", "role", "password", "departments"}
    assert not User.objects.filter(username__iexact="taken").exclude(username="taken").exists()


def test_an_invitation_needs_an_address_and_no_password(mailoutbox, django_capture_on_commit_callbacks):
    assert errors_of(user_create, username="a", invite=True) == {"email": ["An invitation needs an e-mail address."]}
    assert "password" in errors_of(user_create, username="b", email="b@example.com", invite=True,
                                   password="Long-enough-pass-42")
    with django_capture_on_commit_callbacks(execute=True):
        user = user_create(username="c", email="c@example.com", invite=True)
    assert not user.has_usable_password()
    assert mailoutbox[0].to == ["c@example.com"]


def test_without_a_password_or_invitation_the_user_cannot_log_in_yet(mailoutbox):
    user = user_create(username="api-made", departments=[DepartmentFactory().pk])
    assert not user.has_usable_password() and not mailoutbox
    assert user.departments.count() == 1


def test_departments_refuse_duplicate_names_and_customer_members():
    agent, customer = UserFactory(), UserFactory(role=Role.CUSTOMER)
    department = department_create(name="Sales", members=[agent.pk])
    assert "name" in errors_of(department_create, name=" sales ")
    assert "members" in errors_of(department_update, department=department, changes={"members": [customer.pk]})
    department_update(department=department, changes={"name": "SALES", "members": []})
    department.refresh_from_db()
    assert department.name == "SALES" and not department.members.exists()


def test_unknown_change_keys_are_a_programming_error():
    with pytest.raises(ValueError):
        user_update(user=UserFactory(), actor=None, changes={"is_superuser": True})
    assert not ApiToken.objects.exists()
