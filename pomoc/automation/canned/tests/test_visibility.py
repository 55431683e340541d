"""Who sees which canned responses (``access_canned``): one's own personal ones, one's departments'
and the shared ones; never another's personal ones nor another department's. Only the owner changes
a personal one; administrators and supervisors write department and shared ones."""

import pytest
from django.http import Http404

from pomoc.accounts.models import Role
from pomoc.automation.canned.models import Scope
from pomoc.automation.canned.permissions import access_canned, visible_canned
from pomoc.automation.canned.selectors import canned_search
from pomoc.automation.canned.services import canned_create, canned_update
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_customer_user
from pomoc.tickets.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    sales, support = DepartmentFactory(name="Sales"), DepartmentFactory(name="Support")
    admin = UserFactory(role=Role.ADMINISTRATOR)
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    ana.departments.add(sales)
    ben.departments.add(support)
    made = {
        "ana_own": canned_create(actor=ana, name="thanks", body="Thanks from Ana"),
        "ben_own": canned_create(actor=ben, name="thanks", body="Thanks from Ben"),
        "sales": canned_create(actor=admin, name="prices", body="Our prices", scope=Scope.DEPARTMENT, department=sales),
        "support": canned_create(actor=admin, name="reset", body="Reset it", scope=Scope.DEPARTMENT,
                                 department=support),
        "shared": canned_create(actor=admin, name="hello", body="Hello", scope=Scope.SHARED),
    }
    return {"admin": admin, "ana": ana, "ben": ben, "sales": sales, **made}


def _names(user, world):
    return {key for key in ("ana_own", "ben_own", "sales", "support", "shared")
            if visible_canned(user).filter(pk=world[key].pk).exists()}


def test_an_agent_sees_own_department_and_shared_ones_only(world):
    assert _names(world["ana"], world) == {"ana_own", "sales", "shared"}
    assert _names(world["ben"], world) == {"ben_own", "support", "shared"}
    for hidden in ("ben_own", "support"):
        with pytest.raises(Http404):
            access_canned(world["ana"], world[hidden].pk)
    assert {c.name for c in canned_search(world["ana"], "")} == {"thanks", "prices", "hello"}
    assert [c.body for c in canned_search(world["ana"], "than")] == ["Thanks from Ana"]


def test_managers_see_every_department_but_nobodys_personal_ones(world):
    assert _names(world["admin"], world) == {"sales", "support", "shared"}
    supervisor = UserFactory(role=Role.SUPERVISOR)
    assert _names(supervisor, world) == {"sales", "support", "shared"}


def test_customers_see_none(world):
    customer = make_customer_user()
    assert _names(customer, world) == set()
    with pytest.raises(Http404):
        access_canned(customer, world["shared"].pk)


def test_agents_write_only_personal_ones_and_change_only_their_own(world):
    ana = world["ana"]
    with pytest.raises(PermissionDenied):
        canned_create(actor=ana, name="team", body="x", scope=Scope.SHARED)
    with pytest.raises(PermissionDenied):
        canned_create(actor=ana, name="team", body="x", scope=Scope.DEPARTMENT, department=world["sales"])
    with pytest.raises(PermissionDenied):
        canned_update(canned=world["sales"], actor=ana, changes={"body": "changed"})
    with pytest.raises(PermissionDenied):
        canned_update(canned=world["ben_own"], actor=ana, changes={"body": "changed"})
    with pytest.raises(PermissionDenied):  # not even an administrator changes someone's personal one
        canned_update(canned=world["ana_own"], actor=world["admin"], changes={"body": "changed"})
    canned_update(canned=world["ana_own"], actor=ana, changes={"body": "Thanks again"})
    canned_update(canned=world["sales"], actor=world["admin"], changes={"body": "New prices"})
