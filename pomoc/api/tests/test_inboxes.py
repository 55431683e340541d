"""Inboxes through the API: administrators only, typed config checked by the kind, secrets write-only."""

import json
import logging
from dataclasses import asdict, dataclass, fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pomoc.accounts.models import Role
from pomoc.api.tests.conftest import Api
from pomoc.channels import registry
from pomoc.channels.models import Inbox
from pomoc.contacts.models import IdentityKind
from pomoc.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "S3cret-Password-xyz"


def _fields(response) -> set[tuple]:
    return {tuple(item["loc"]) for item in response.json()["detail"]}


@pytest.fixture
def inbox(as_admin):
    response = as_admin.post("/inboxes", {
        "kind": "email", "name": "Support", "address": "Support@Example.org",
        "config": {"smtp_host": "smtp.example.org", "smtp_port": 465, "smtp_security": "ssl"},
        "secrets": {"smtp_password": PASSWORD},
    })
    assert response.status_code == 201, response.content
    return Inbox.objects.get(pk=response.json()["id"])


def test_an_administrator_creates_an_email_inbox(world, as_admin, caplog):
    caplog.set_level(logging.DEBUG)
    response = as_admin.post("/inboxes", {
        "kind": "email", "name": "Support", "address": "Support@Example.org", "department": world["support"].pk,
        "config": {"fetch": "imap", "imap_host": "imap.example.org", "imap_username": "support",
                   "extra_addresses": ["Help@example.org"]},
        "secrets": {"imap_password": PASSWORD},
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "email" and body["address"] == "support@example.org" and body["active"] is True
    assert body["department"] == {"id": world["support"].pk, "name": "Support"}
    assert body["config"]["fetch"] == "imap" and body["config"]["imap_port"] == 993  # a default
    assert body["config"]["extra_addresses"] == ["help@example.org"]
    assert body["secrets_set"] == ["imap_password"]
    assert PASSWORD not in response.content.decode()
    assert PASSWORD not in caplog.text


def test_secrets_are_stored_encrypted_and_never_returned(inbox, as_admin):
    assert PASSWORD not in json.dumps(inbox.secrets)
    assert inbox.get_secret("smtp_password") == PASSWORD
    for response in (as_admin.get(f"/inboxes/{inbox.pk}"), as_admin.get("/inboxes")):
        assert response.status_code == 200
        assert PASSWORD not in response.content.decode()
        assert inbox.secrets["smtp_password"] not in response.content.decode()
    assert as_admin.get(f"/inboxes/{inbox.pk}").json()["secrets_set"] == ["smtp_password"]


def test_list_filters_by_kind_and_active(inbox, as_admin):
    as_admin.post("/inboxes", {"kind": "email", "name": "Old", "address": "old@example.org", "active": False})
    assert [i["name"] for i in as_admin.get("/inboxes").json()] == ["Old", "Support"]
    assert [i["name"] for i in as_admin.get("/inboxes", {"active": "true"}).json()] == ["Support"]
    assert [i["name"] for i in as_admin.get("/inboxes", {"active": "false"}).json()] == ["Old"]
    assert len(as_admin.get("/inboxes", {"kind": "email"}).json()) == 2
    assert as_admin.get("/inboxes", {"kind": "sms"}).json() == []


def test_patch_changes_only_what_is_given_and_merges_config(world, inbox, as_admin):
    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"config": {"from_name": "Example support"},
                                                       "department": world["billing"].pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Support" and body["address"] == "support@example.org"
    assert body["config"]["from_name"] == "Example support"
    assert body["config"]["smtp_host"] == "smtp.example.org" and body["config"]["smtp_port"] == 465
    assert body["department"]["id"] == world["billing"].pk
    assert body["secrets_set"] == ["smtp_password"]  # absent: kept
    assert as_admin.patch(f"/inboxes/{inbox.pk}", {"department": None}).json()["department"] is None


def test_a_secret_is_replaced_by_a_value_and_removed_by_an_empty_one(inbox, as_admin):
    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"secrets": {"imap_password": "other-secret"}})
    assert response.json()["secrets_set"] == ["imap_password", "smtp_password"]
    inbox.refresh_from_db()
    assert inbox.get_secret("imap_password") == "other-secret"
    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"secrets": {"smtp_password": ""}})
    assert response.json()["secrets_set"] == ["imap_password"]
    inbox.refresh_from_db()
    assert inbox.get_secret("smtp_password") == ""


def test_deactivate(inbox, as_admin):
    response = as_admin.post(f"/inboxes/{inbox.pk}/deactivate")
    assert response.status_code == 200 and response.json()["active"] is False
    inbox.refresh_from_db()
    assert inbox.active is False


def test_typed_config_errors_name_each_field(inbox, as_admin):
    before = Inbox.objects.values().get(pk=inbox.pk)
    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"config": {
        "smtp_port": 70000, "imap_port": True, "max_message_bytes": 10**40, "smtp_host": "bad host",
        "smtp_security": "tls", "fetch": 3, "from_name": "a\nb", "extra_addresses": [1], "colour": "red",
    }, "secrets": {"smtp_password": "line\nbreak", "api_key": "x"}, "address": "nope", "name": " "})
    assert response.status_code == 422
    assert _fields(response) == {
        ("body", "config", key) for key in ("smtp_port", "imap_port", "max_message_bytes", "smtp_host",
                                            "smtp_security", "fetch", "from_name", "extra_addresses", "colour")
    } | {("body", "secrets", "smtp_password"), ("body", "secrets", "api_key"), ("body", "address"),
         ("body", "name")}
    assert "line\nbreak" not in response.content.decode()
    assert Inbox.objects.values().get(pk=inbox.pk) == before


def test_fetch_settings_are_checked_across_keys(inbox, as_admin):
    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"config": {"fetch": "pop3"}})
    assert response.status_code == 422
    assert _fields(response) == {("body", "config", "pop3_host"), ("body", "config", "pop3_username")}
    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"config": {"fetch": "pop3", "pop3_host": "pop.example.org",
                                                                  "pop3_username": "support", "pop3_delete": True}})
    assert response.status_code == 200 and response.json()["config"]["pop3_delete"] is True


def test_the_address_is_required_valid_and_unique_for_email(inbox, as_admin):
    for address, message, kind in [
        ("", "Give the inbox's e-mail address.", "value_error"),
        ("garbage", "Not a valid e-mail address.", "value_error"),
        ("SUPPORT@example.org", "Another inbox already receives mail for this address.", "conflict"),
    ]:
        response = as_admin.post("/inboxes", {"kind": "email", "name": f"Other {address}", "address": address})
        assert response.status_code == 422
        assert response.json()["detail"] == [{"type": kind, "loc": ["body", "address"], "msg": message}]


def test_unknown_kind_and_unknown_department_are_refused(world, as_admin):
    response = as_admin.post("/inboxes", {"kind": "pigeon", "name": "Coop"})
    assert response.status_code == 422 and _fields(response) == {("body", "kind")}
    response = as_admin.post("/inboxes", {"kind": "email", "name": "Support", "address": "s@example.org",
                                          "department": 10**30})
    assert response.status_code == 422 and _fields(response) == {("body", "department")}
    assert not Inbox.objects.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.CUSTOMER])
def test_only_administrators_manage_inboxes(inbox, role):
    api = Api(UserFactory(role=role, username=f"someone-{role}"))
    for response in (api.get("/inboxes"), api.get(f"/inboxes/{inbox.pk}"), api.get("/channel-kinds"),
                     api.post("/inboxes", {"kind": "email", "name": "X", "address": "x@example.org"}),
                     api.patch(f"/inboxes/{inbox.pk}", {"name": "Y"}), api.post(f"/inboxes/{inbox.pk}/deactivate")):
        assert response.status_code == 403, response.content
    inbox.refresh_from_db()
    assert inbox.name == "Support" and inbox.active


def test_anonymous_callers_are_asked_to_authenticate(inbox):
    assert Api().get("/inboxes").status_code == 401
    assert Api().post("/inboxes", {"kind": "email", "name": "X"}).status_code == 401


def test_missing_inboxes_answer_404(as_admin):
    assert as_admin.get("/inboxes/999").status_code == 404
    assert as_admin.get(f"/inboxes/{10**30}").status_code == 404
    assert as_admin.patch("/inboxes/999", {"name": "x"}).status_code == 404


def test_channel_kinds_list_each_kind_with_its_default_config(as_admin):
    [email] = [kind for kind in as_admin.get("/channel-kinds").json() if kind["key"] == "email"]
    assert email["label"] == "E-mail"
    assert email["config"]["smtp_port"] == 587 and email["config"]["fetch"] == "pipe"
    assert email["secret_names"] == ["imap_password", "pop3_password", "smtp_password"]


# --- a kind of the test's own: the API knows no kind ---------------------------------------------
@dataclass
class PagerConfig:
    sender_id: str = ""
    max_length: int = 160

    @classmethod
    def from_dict(cls, data):
        data = data if isinstance(data, dict) else {}
        defaults = cls()
        return cls(**{f.name: data[f.name] if type(data.get(f.name)) is type(getattr(defaults, f.name))
                      else getattr(defaults, f.name) for f in fields(cls)})

    def to_dict(self):
        return asdict(self)


def clean_pager_config(inbox, values, errors):
    cleaned = dict(values)
    if "max_length" in values and not (type(values["max_length"]) is int and 1 <= values["max_length"] <= 1600):
        errors.add("max_length", "From 1 to 1600.")
    if "sender_id" in values and not (isinstance(values["sender_id"], str) and values["sender_id"].isalnum()):
        errors.add("sender_id", "Letters and digits only.")
    return cleaned


@pytest.fixture
def pager_kind():
    kind = registry.register(registry.ChannelKind(
        key="pager", label="Pager", identity_kind=IdentityKind.PHONE, config=PagerConfig,
        clean_config=clean_pager_config, secret_names=("api_key",), address_label="Number",
    ))
    yield kind
    registry.unregister("pager")


def test_a_kind_registered_elsewhere_is_managed_through_the_same_api(world, as_admin, pager_kind):
    assert "pager" in [kind["key"] for kind in as_admin.get("/channel-kinds").json()]
    response = as_admin.post("/inboxes", {"kind": "pager", "name": "Pager", "address": "+420123456789",
                                          "config": {"sender_id": "Pomoc"}, "secrets": {"api_key": "k-123"}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["config"] == {"sender_id": "Pomoc", "max_length": 160}
    assert body["secrets_set"] == ["api_key"] and "k-123" not in response.content.decode()
    inbox = Inbox.objects.get(pk=body["id"])
    assert inbox.get_secret("api_key") == "k-123"

    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"config": {"max_length": 0, "sender_id": "no way",
                                                                  "smtp_port": 25},
                                                       "secrets": {"smtp_password": "x"}})
    assert response.status_code == 422
    assert _fields(response) == {("body", "config", "max_length"), ("body", "config", "sender_id"),
                                 ("body", "config", "smtp_port"), ("body", "secrets", "smtp_password")}
    response = as_admin.patch(f"/inboxes/{inbox.pk}", {"config": {"max_length": 70}})
    assert response.json()["config"] == {"sender_id": "Pomoc", "max_length": 70}
    assert [i["name"] for i in as_admin.get("/inboxes", {"kind": "pager"}).json()] == ["Pager"]


# --- bad input never breaks the server -----------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63) | st.floats()
    | st.text(max_size=30) | st.sampled_from(["\0", "a\nb", "imap", "pop3", "ssl", "x@example.org", "💥"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
CONFIG_KEYS = st.sampled_from([
    "fetch", "imap_host", "imap_port", "imap_security", "imap_username", "imap_folder", "pop3_host", "pop3_port",
    "pop3_delete", "smtp_host", "smtp_port", "from_name", "extra_addresses", "max_message_bytes",
    "tls_ca_certificates", "unknown", "\0",
])
SECRETS = st.dictionaries(st.sampled_from(["smtp_password", "imap_password", "other", "\0"]), JSON_VALUES,
                          max_size=3)
BODIES = st.fixed_dictionaries({}, optional={
    "kind": st.sampled_from(["email", "pigeon", "", "\0"]) | JSON_VALUES,
    "name": st.text(max_size=120) | JSON_VALUES,
    "address": st.sampled_from(["s@example.org", "", "a\0@example.org", "x" * 300]) | JSON_VALUES,
    "department": st.integers() | JSON_VALUES,
    "active": JSON_VALUES,
    "config": st.dictionaries(CONFIG_KEYS, JSON_VALUES, max_size=5) | JSON_VALUES,
    "secrets": SECRETS | JSON_VALUES,
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_bad_input_never_breaks_the_server(inbox, as_admin, body):
    for response in (as_admin.post("/inboxes", body), as_admin.patch(f"/inboxes/{inbox.pk}", body)):
        assert response.status_code in (200, 201, 400, 422), (body, response.content)
        assert PASSWORD not in response.content.decode()
