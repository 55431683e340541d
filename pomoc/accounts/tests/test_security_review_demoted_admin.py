"""An administrator who is demoted loses Django's admin site too, not only the role."""

import pytest
from django.test import Client

from pomoc.accounts import services
from pomoc.accounts.models import Role
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.CUSTOMER])
def test_demoting_an_administrator_drops_django_admin_access(role):
    UserFactory(username="keeper", role=Role.ADMINISTRATOR)
    root = UserFactory(username="root", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    assert client.get("/admin/accounts/user/").status_code == 200

    services.user_update(user=root, actor=None, changes={"role": role})

    root.refresh_from_db()
    assert (root.is_staff, root.is_superuser) == (False, False)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_other_changes_keep_an_administrators_django_admin_access():
    root = UserFactory(username="root", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    services.user_update(user=root, actor=root, changes={"first_name": "Root", "role": Role.ADMINISTRATOR})
    root.refresh_from_db()
    assert (root.is_staff, root.is_superuser) == (True, True)
