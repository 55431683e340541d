import pytest

from pomoc.api.tests.conftest import Api
from pomoc.tickets.models import SavedView, Tag

pytestmark = pytest.mark.django_db


def test_tags_list_create_delete(world, as_agent, as_admin):
    response = as_agent.post("/tags", {"name": "Angry Customer", "color": "#FF0000"})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "angry customer"
    assert response.json()["color"] == "#ff0000"
    assert as_agent.post("/tags", {"name": "angry customer"}).status_code == 422
    assert as_agent.post("/tags", {"name": "x", "color": "red"}).status_code == 422
    assert [t["name"] for t in as_agent.get("/tags").json()] == ["angry customer"]
    assert as_agent.delete("/tags/angry customer").status_code == 403
    assert as_admin.delete("/tags/angry customer").status_code == 200
    assert not Tag.objects.exists()


def test_saved_views_own_and_shared(world, as_agent):
    response = as_agent.post("/views", {"name": "Urgent mine", "filters": {"priority": ["urgent", "high"],
                                                                          "assignee": "me"}})
    assert response.status_code == 201, response.content
    mine = response.json()
    assert mine["filters"] == {"priority": "urgent,high", "assignee": "me"}
    assert mine["mine"] is True

    outsider = Api(world["outsider"])
    shared = outsider.post("/views", {"name": "Billing shared", "filters": {"status": "active"}, "shared": True})
    assert shared.status_code == 201
    secret = outsider.post("/views", {"name": "Private", "filters": {}}).json()

    names = [v["name"] for v in as_agent.get("/views").json()]
    assert names == ["Billing shared", "Urgent mine"]
    assert as_agent.get(f"/views/{secret['id']}").status_code == 404
    assert as_agent.patch(f"/views/{shared.json()['id']}", {"name": "Mine now"}).status_code == 403
    assert as_agent.delete(f"/views/{shared.json()['id']}").status_code == 403

    assert as_agent.patch(f"/views/{mine['id']}", {"name": "Renamed"}).json()["name"] == "Renamed"
    bad = as_agent.patch(f"/views/{mine['id']}", {"filters": {"status": "done", "colour": "red"}})
    assert bad.status_code == 422
    assert {tuple(i["loc"]) for i in bad.json()["detail"]} == {("body", "filters", "status"),
                                                              ("body", "filters", "colour")}
    assert SavedView.objects.get(pk=mine["id"]).filters == {"priority": "urgent,high", "assignee": "me"}
    assert as_agent.delete(f"/views/{mine['id']}").json() == {"deleted": True}


def test_view_counts_list_every_view_with_what_the_agent_may_see(world, as_agent, as_outsider, as_customer):
    from django.core.cache import cache

    from pomoc.testing.factories import make_ticket

    make_ticket(department=world["billing"], subject="Not for supporters")
    as_agent.post("/views", {"name": "Urgent", "filters": {"priority": "urgent"}})
    cache.clear()
    response = as_agent.get("/views/counts")
    assert response.status_code == 200, response.content
    counts = {v["key"]: v for v in response.json()}
    assert [key for key in counts if not key.startswith("saved-")] == \
        ["mine", "unassigned", "open", "pending", "snoozed", "resolved", f"dept-{world['support'].pk}"]
    assert counts["open"]["count"] == 2 and counts["open"]["capped"] is False
    assert counts["open"]["capped_at"] == 1000
    saved = next(v for v in counts.values() if v["key"].startswith("saved-"))
    assert saved["name"] == "Urgent" and saved["count"] == 0 and saved["saved_view_id"]
    assert {v["key"]: v["count"] for v in as_outsider.get("/views/counts").json()}["open"] == 1
    assert as_customer.get("/views/counts").status_code == 403
