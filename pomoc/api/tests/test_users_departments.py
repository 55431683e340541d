import pytest

from pomoc.accounts.models import Department, Role, User

pytestmark = pytest.mark.django_db


def test_staff_list_and_read_users_without_password_hashes(world, as_agent):
    response = as_agent.get("/users", {"role": "agent"})
    assert response.status_code == 200
    usernames = [u["username"] for u in response.json()["items"]]
    assert usernames == ["supporter", "biller"]
    assert "password" not in str(response.content)
    detail = as_agent.get(f"/users/{world['agent'].pk}").json()
    assert detail["departments"] == [world["support"].pk]
    assert "password" not in detail


def test_me_shows_a_customers_contact(world, as_customer):
    me = as_customer.get("/me").json()
    assert me["role"] == "customer"
    assert me["contact"] == world["requester"].pk


def test_an_administrator_creates_and_changes_a_user(world, as_admin):
    response = as_admin.post("/users", {
        "username": "novak", "email": "novak@example.org", "first_name": "Jan", "role": "supervisor",
        "departments": [world["support"].pk], "language": "cs", "time_zone": "Europe/Prague",
        "password": "a-Long-enough-pass-42",
    })
    assert response.status_code == 201, response.content
    created = response.json()
    assert "password" not in created
    user = User.objects.get(username="novak")
    assert user.check_password("a-Long-enough-pass-42")
    assert (user.role, user.language, user.time_zone) == (Role.SUPERVISOR, "cs", "Europe/Prague")
    response = as_admin.patch(f"/users/{user.pk}", {"is_active": False, "departments": [world["billing"].pk],
                                                   "role": "agent"})
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert not user.is_active and user.role == Role.AGENT
    assert list(user.departments.all()) == [world["billing"]]
    assert user.language == "cs"


def test_departments_crud_and_members(world, as_admin, as_agent):
    listed = as_agent.get("/departments").json()
    assert [d["name"] for d in listed] == ["Billing", "Support"]
    response = as_admin.post("/departments", {"name": "Sales", "members": [world["agent"].pk]})
    assert response.status_code == 201, response.content
    sales = response.json()
    assert sales["members"] == [world["agent"].pk]
    response = as_admin.patch(f"/departments/{sales['id']}", {"description": "Deals",
                                                             "members": [world["outsider"].pk]})
    assert response.json()["members"] == [world["outsider"].pk]
    members = as_agent.get(f"/departments/{sales['id']}/members").json()
    assert [m["username"] for m in members] == ["biller"]
    assert as_admin.post("/departments", {"name": "sales"}).status_code == 422
    assert as_admin.patch(f"/departments/{sales['id']}",
                          {"members": [world["customer"].pk]}).status_code == 422
    assert as_admin.delete(f"/departments/{sales['id']}").json() == {"deleted": True}
    assert not Department.objects.filter(name="Sales").exists()
