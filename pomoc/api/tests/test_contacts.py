import pytest

from pomoc.contacts.models import Company, Contact, Identity
from pomoc.testing.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_it_creates_reads_and_changes_a_contact(world, as_agent):
    company = Company.objects.create(name="Acme")
    response = as_agent.post("/contacts", {"name": "Jan Novák", "company": company.pk, "language": "cs",
                                           "identities": [{"kind": "email", "value": "Jan@Example.CZ"},
                                                          {"kind": "phone", "value": "00420 777 123 456"}]})
    assert response.status_code == 201, response.content
    contact = response.json()
    assert contact["company"] == {"id": company.pk, "name": "Acme"}
    assert [(i["kind"], i["value"]) for i in contact["identities"]] == [("email", "jan@example.cz"),
                                                                       ("phone", "+420777123456")]
    assert as_agent.get(f"/contacts/{contact['id']}").json()["name"] == "Jan Novák"
    response = as_agent.patch(f"/contacts/{contact['id']}", {"notes": "VIP", "company": None})
    assert response.status_code == 200
    assert response.json()["notes"] == "VIP" and response.json()["company"] is None
    assert response.json()["name"] == "Jan Novák"


def test_it_adds_an_identity_and_refuses_one_taken(world, as_agent):
    contact = world["requester"]
    response = as_agent.post(f"/contacts/{contact.pk}/identities", {"kind": "social", "value": "@ada"})
    assert response.status_code == 201
    assert Identity.objects.filter(contact=contact, value="@ada").exists()
    other = ContactFactory(email="taken@example.org")
    response = as_agent.post(f"/contacts/{contact.pk}/identities", {"kind": "email", "value": "taken@example.org"})
    assert response.status_code == 422
    assert Identity.objects.get(value="taken@example.org").contact == other


def test_it_merges_two_contacts(world, as_agent):
    duplicate = ContactFactory(name="Ada again", email="ada.work@example.org")
    response = as_agent.post(f"/contacts/{world['requester'].pk}/merge", {"source": duplicate.pk})
    assert response.status_code == 200
    assert {i["value"] for i in response.json()["identities"]} == {"ada@example.org", "ada.work@example.org"}
    assert Contact.objects.get(pk=duplicate.pk).merged_into_id == world["requester"].pk  # kept hidden, for an undo


def test_merges_are_made_listed_from_proposals_and_undone(world, as_agent):
    from pomoc.contacts.proposals import find_proposals

    first = ContactFactory(name="Jana", email="jana.novak@gmail.com")
    second = ContactFactory(name="J.", email="jananovak@gmail.com")
    find_proposals()
    listed = as_agent.get("/merge-proposals").json()["items"]
    assert [(p["first"], p["second"], p["reason"]) for p in listed] == [(first.pk, second.pk, "same_email")]
    merge = as_agent.post(f"/merge-proposals/{listed[0]['id']}/accept", {})
    assert merge.status_code == 201 and merge.json()["target"] == first.pk
    assert as_agent.get("/contacts", {"q": "jananovak"}).json()["items"][0]["id"] == first.pk
    undone = as_agent.post(f"/contact-merges/{merge.json()['id']}/undo", {})
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert as_agent.post(f"/contact-merges/{merge.json()['id']}/undo", {}).status_code == 422
    again = as_agent.post("/contact-merges", {"source": second.pk, "target": second.pk})
    assert again.status_code == 422


def test_export_and_erasure_are_for_managers(world, as_agent):
    duplicate = ContactFactory(name="Ada again", email="ada.work@example.org")
    assert as_agent.post(f"/contacts/{duplicate.pk}/erase", {}).status_code == 403


def test_contacts_are_listed_and_searched_with_a_keyset(world, as_agent):
    for i in range(7):
        ContactFactory(name=f"Listed {i}")
    seen, cursor = [], None
    while True:
        body = as_agent.get("/contacts", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(set(seen))
    assert len(seen) == Contact.objects.count()
    found = as_agent.get("/contacts", {"q": "ada@example"}).json()["items"]
    assert [c["id"] for c in found] == [world["requester"].pk]


def test_companies_crud(world, as_agent, as_admin):
    response = as_agent.post("/companies", {"name": "Acme", "domains": ["@Acme.example", "acme.example"]})
    assert response.status_code == 201, response.content
    company = response.json()
    assert company["domains"] == ["acme.example"]
    assert as_agent.get(f"/companies/{company['id']}").json()["name"] == "Acme"
    assert as_agent.patch(f"/companies/{company['id']}", {"notes": "Big"}).json()["notes"] == "Big"
    assert company["portal_visibility"] == "inherit"
    changed = as_agent.patch(f"/companies/{company['id']}", {"portal_visibility": "no"}).json()
    assert changed["portal_visibility"] == "no"
    assert as_agent.patch(f"/companies/{company['id']}", {"portal_visibility": "maybe"}).status_code == 422
    assert [c["id"] for c in as_agent.get("/companies", {"q": "acm"}).json()["items"]] == [company["id"]]
    assert as_agent.post("/companies", {"name": "Bad", "domains": ["not a domain"]}).status_code == 422
    assert as_agent.delete(f"/companies/{company['id']}").status_code == 403
    assert as_admin.delete(f"/companies/{company['id']}").json() == {"deleted": True}
    assert not Company.objects.exists()
