"""Hostile input through every operation of the API, as an administrator: never a 5xx, and a refused
request writes nothing.

The operations come from the OpenAPI schema, so an endpoint added later is covered without being
listed here. Each body field gets, by its type, NUL characters, lone surrogates (as JSON escapes),
CR/LF, ids beyond 64 bits, huge and negative numbers, and JSON nested 1,000 deep; each query
parameter and path id gets the same as text.
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pomoc.api.api import api
from pomoc.api.tests.conftest import Api
from pomoc.automation.canned.services import canned_create
from pomoc.contacts.merging import contact_merge
from pomoc.contacts.models import Company, MergeProposal, ProposalReason
from pomoc.orders.tests.helpers import make_order
from pomoc.testing.factories import ContactFactory
from pomoc.testing.hostile import DEEP, HUGE, all_rows
from pomoc.tickets.models import Attachment, Message, SavedView, Tag

pytestmark = pytest.mark.django_db

STRINGS = {
    "nul": "bad\x00text",
    "surrogate": "bad\ud800text",
    "low surrogate": "\udfffx",
    "crlf": "Subject\r\nBcc: victim@example.org",
    "huge number text": str(HUGE),
    "superscript digits": "²³",
}
NUMBERS = {"huge": HUGE, "huger": 10**40, "negative": -1, "zero": 0, "float": 1e308}
QUERY_VALUES = [*STRINGS.values(), str(-1), "9" * 40, "0"]
TEXT_REFUSED = ("nul", "surrogate", "low surrogate")


def nested(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_json(depth: int = DEEP) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def kinds_of(schema: dict, node: dict) -> set[str]:
    """The JSON types a property accepts (anyOf/allOf followed)."""
    node = resolve(schema, node)
    found = set()
    if "type" in node:
        found.add(node["type"])
    for key in ("anyOf", "allOf", "oneOf"):
        for option in node.get(key, []):
            found |= kinds_of(schema, option)
    if "enum" in node or "const" in node:
        found.add("string")
    return found - {"null"}


def item_kinds(schema: dict, node: dict) -> set[str]:
    node = resolve(schema, node)
    for key in ("anyOf", "allOf", "oneOf"):
        for option in node.get(key, []):
            option = resolve(schema, option)
            if option.get("type") == "array":
                return kinds_of(schema, option.get("items", {}))
    return kinds_of(schema, node.get("items", {})) if node.get("type") == "array" else set()


def hostile_values(schema: dict, node: dict) -> list[tuple[str, object]]:
    kinds = kinds_of(schema, node)
    values: list[tuple[str, object]] = []
    if "string" in kinds:
        values += list(STRINGS.items())
    if "integer" in kinds or "number" in kinds:
        values += list(NUMBERS.items())
    if "array" in kinds:
        inner = item_kinds(schema, node)
        if "integer" in inner:
            values += [("huge in list", [HUGE]), ("negative in list", [-1])]
        values += [(f"{name} in list", [value]) for name, value in STRINGS.items()]
    if "object" in kinds:
        values += [(f"{name} in object", {"key": value}) for name, value in STRINGS.items()]
        values += [("nul key", {"k\x00": "v"}), ("nested object", nested(DEEP // 2))]
    return values


@pytest.fixture
def targets(world, as_admin):
    """An existing row for every kind of path id."""
    message = Message.objects.filter(ticket=world["ticket"]).order_by("pk").first()
    company = Company.objects.create(name="Acme")
    view = SavedView.objects.create(owner=world["admin"], name="Mine", filters={"status": "open"})
    response = as_admin.post("/inboxes", {"kind": "email", "name": "Support", "address": "support@example.org"})
    assert response.status_code == 201, response.content
    attachment_response = as_admin.multipart(
        f"/tickets/{world['ticket'].number}/messages",
        {"body": "file", "kind": "note", "files": [SimpleUploadedFile("a.txt", b"hello", "text/plain")]})
    assert attachment_response.status_code == 201, attachment_response.content
    attachment = Attachment.objects.order_by("-pk").first()
    return {
        "number": world["ticket"].number, "message_id": message.pk, "contact_id": world["requester"].pk,
        "company_id": company.pk, "user_id": world["agent"].pk, "department_id": world["support"].pk,
        "view_id": view.pk, "inbox_id": response.json()["id"], "public_id": attachment.public_id,
        "name": Tag.objects.create(name="victim").name,
        "canned_id": canned_create(actor=world["admin"], name="victim", body="Hello").pk,
        "merge_id": contact_merge(source=ContactFactory(name="Twin"), target=ContactFactory(name="Twin")).pk,
        "proposal_id": MergeProposal.objects.create(first=ContactFactory(), second=ContactFactory(),
                                                    reason=ProposalReason.values[0]).pk,
        "order_id": make_order(world["requester"], "H-1").pk,
        **_community_targets(),
    }


def _community_targets() -> dict:
    from pomoc.community import idea_services, services
    from pomoc.community.tests.helpers import category, customer

    author = customer("hostile-author")
    topic = services.topic_create(author=author, category=category(), title="Victim topic", body="Text")
    reply = services.reply_create(topic=topic, author=customer("hostile-other"), body="Reply")
    idea = idea_services.idea_create(author=author, title="Victim idea", body="Text", files=[b"victim notes"])
    return {"topic_id": topic.pk, "reply_id": reply.pk, "idea_id": idea.pk, "file_id": idea.files.get().pk}


def operations() -> list[tuple[str, str, dict]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method, path, operation))
    return found


def test_the_schema_lists_every_write_operation():
    writes = [(m, p) for m, p, _op in operations() if m != "get"]
    assert len(writes) >= 25  # a broken walk over the schema must not pass by testing nothing


def fill(path: str, targets: dict, override: str | None = None) -> str:
    def value(match):
        name = match.group(1)
        return override if override is not None else str(targets[name])
    return re.sub(r"\{(\w+)\}", value, path.removeprefix("/api/v1"))


def check(response, what: str, before: dict | None):
    assert response.status_code < 500, f"{what}: {response.status_code} {response.content[:300]!r}"
    if before is not None and response.status_code >= 400:
        assert all_rows() == before, f"{what}: refused ({response.status_code}) but wrote"


def send(client: Api, method: str, path: str, body: str):
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    return client._send(method, path, body)


def test_hostile_bodies_on_every_write_operation(targets, as_admin):
    schema = api.get_openapi_schema()
    refused_text = 0
    for method, path, operation in operations():
        if method in ("get", "delete"):
            continue
        url = fill(path, targets)
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        properties = resolve(schema, content["schema"]).get("properties", {}) if content else {}
        bodies = [("deep JSON", deep_json()), ("deep array", "[" * DEEP + "]" * DEEP),
                  ("deep in a field", f'{{"{next(iter(properties), "x")}": {deep_json()}}}'),
                  ("overlong UTF-8", b'{"x": "\xc0\xaf\xe0\x80\xaf"}'), ("NUL body", b"\x00")]
        for name, node in properties.items():
            for label, value in hostile_values(schema, node):
                bodies.append((f"{name}={label}", json.dumps({name: value})))
        for label, body in bodies:
            before = all_rows()
            response = send(as_admin, method, url, body)
            check(response, f"{method.upper()} {url} {label}", before)
            if any(label.endswith(kind) for kind in TEXT_REFUSED) and response.status_code == 422:
                refused_text += 1
                message = json.dumps(response.json())
                assert "loc" in message, message
    assert refused_text > 50


def test_hostile_path_ids_and_query_parameters_on_every_operation(targets, as_admin):
    for method, path, operation in operations():
        if "{" in path:
            for bad in (str(HUGE), "9" * 40, "a%00b", "%ED%A0%80", "-1", "%C2%B2"):
                url = fill(path, targets, override=bad)
                before = all_rows() if method != "get" else None
                check(send(as_admin, method, url, "{}"), f"{method.upper()} {url}", before)
        url = fill(path, targets)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            for value in QUERY_VALUES:
                before = all_rows() if method != "get" else None
                response = as_admin.client.generic(
                    method.upper(), f"/api/v1{url}?" + _query(parameter["name"], value),
                    b"{}" if method != "get" else b"", content_type="application/json", headers=as_admin.headers)
                check(response, f"{method.upper()} {url}?{parameter['name']}={value!r}", before)


def _query(name: str, value: str) -> str:
    from urllib.parse import quote

    return f"{name}={quote(value.encode('utf-8', 'surrogatepass'))}"


@pytest.mark.parametrize("value", ["a\x00b", "a\ud800b"])
def test_text_with_bad_characters_is_refused_with_the_field_named(world, as_admin, value):
    number = world["ticket"].number
    before = all_rows()
    cases = [
        ("post", "/tickets", {"requester": world["requester"].pk, "subject": value, "body": "b"}, "subject"),
        ("post", "/tickets", {"requester": world["requester"].pk, "subject": "s", "body": value}, "body"),
        ("post", f"/tickets/{number}/messages", {"body_html": f"<p>{value}</p>"}, "body_html"),
        ("post", f"/tickets/{number}/messages", {"body": value}, "body"),
        ("patch", f"/tickets/{number}", {"tags": ["ok", value]}, "tags"),
        ("post", "/contacts", {"name": "n", "notes": value}, "notes"),
        ("post", "/companies", {"name": value}, "name"),
        ("post", "/departments", {"name": "d", "description": value}, "description"),
        ("post", "/views", {"name": "v", "filters": {"q": value}}, "filters"),
        ("patch", f"/tickets/{number}", {"custom_fields": {"x": [value]}}, "custom_fields"),
    ]
    for method, path, body, field in cases:
        response = getattr(as_admin, method)(path, body)
        assert response.status_code == 422, (path, body, response.content)
        detail = response.json()["detail"]
        assert detail[0]["loc"][:2] == ["body", field], detail
        assert "Null characters" in detail[0]["msg"] or "surrogate" in detail[0]["msg"]
    assert all_rows() == before


def test_ids_beyond_64_bits_are_refused_with_the_field_named(world, as_admin):
    before = all_rows()
    for path, body, field in [
        ("/tickets/bulk", {"numbers": [HUGE], "changes": {"status": "open"}}, "numbers"),
        ("/departments", {"name": "D", "members": [HUGE]}, "members"),
        ("/users", {"username": "u", "departments": [HUGE]}, "departments"),
        ("/tickets", {"requester": HUGE, "subject": "s"}, "requester"),
        ("/contacts", {"name": "n", "company": HUGE}, "company"),
    ]:
        response = as_admin.post(path, body)
        assert response.status_code == 422, (path, response.content)
        assert response.json()["detail"][0]["loc"][:2] == ["body", field]
    for key in ("assignee", "department", "requester", "company"):
        response = as_admin.get("/tickets", {key: str(HUGE)})
        assert response.status_code == 422, (key, response.content)
        assert response.json()["detail"][0]["loc"] == ["query", key]
    assert all_rows() == before


@pytest.mark.parametrize("key", ["q", "tag", "assignee", "channel"])
def test_nul_in_ticket_filters_is_a_422(as_admin, key):
    response = as_admin.get("/tickets", {key: "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", key]


def test_deeply_nested_json_on_a_message_is_a_400(world, as_admin):
    before = all_rows()
    response = as_admin.post(f"/tickets/{world['ticket'].number}/messages", deep_json(100_000))
    assert response.status_code == 400, response.content
    response = as_admin.post(f"/tickets/{world['ticket'].number}/messages", '{"body": ' + deep_json() + "}")
    assert response.status_code in (400, 422), response.content
    assert all_rows() == before


def test_line_breaks_are_refused_in_a_subject(world, as_admin):
    before = all_rows()
    response = as_admin.post("/tickets", {"requester": world["requester"].pk, "subject": "a\r\nBcc: x@example.org"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "subject"]
    assert all_rows() == before


def test_the_refusal_speaks_the_callers_language(world):
    world["admin"].language = "cs"
    world["admin"].save()
    response = Api(world["admin"]).post("/companies", {"name": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Nulové znaky nejsou povoleny."
    response = Api(world["admin"]).get("/tickets", {"company": str(HUGE)})
    assert response.json()["detail"][0]["msg"].startswith("Neplatné id")


@pytest.mark.parametrize("file_name", ["a\r\nContent-Type: text/html.txt", "a\x00b.txt", "..\\..\\x.txt",
                                       "x" * 2000 + ".txt"])
def test_hostile_file_names_through_multipart(world, as_admin, file_name):
    number = world["ticket"].number
    upload = SimpleUploadedFile("placeholder.txt", b"hello", "text/plain")
    upload.name = file_name
    before = all_rows()
    response = as_admin.multipart(f"/tickets/{number}/messages", {"body": "file", "kind": "note", "files": [upload]})
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert all_rows() == before
    else:
        stored = Attachment.objects.order_by("-pk").first().file_name
        assert not {"\r", "\n", "\x00"} & set(stored) and not re.search("[\ud800-\udfff]", stored)


@pytest.mark.parametrize("field", ["body", "kind"])
def test_nul_in_a_multipart_message_field_is_refused(world, as_admin, field):
    before = all_rows()
    response = as_admin.multipart(f"/tickets/{world['ticket'].number}/messages", {"body": "ok", field: "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert all_rows() == before


def test_a_saved_view_with_an_id_beyond_64_bits_is_refused(as_admin):
    before = all_rows()
    response = as_admin.post("/views", {"name": "v", "filters": {"assignee": str(HUGE), "company": HUGE}})
    assert response.status_code == 422, response.content
    assert all_rows() == before
