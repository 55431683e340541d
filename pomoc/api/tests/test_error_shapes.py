"""Every API error is JSON in the documented shape, and no API answer is kept by a cache."""

import json
import logging

import pytest
from django.test import Client, RequestFactory
from openapi_spec_validator import validate

from pomoc.api import users as users_api
from pomoc.api.errors import json_errors, server_error_message

pytestmark = pytest.mark.django_db

NO_STORE = {"no-store", "private"}


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def _assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str) and body["detail"]
    assert NO_STORE <= _cache_control(response)
    return body


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/no/such/thing", "/api/v2/tickets", "/api/"])
def test_a_path_no_endpoint_matches_is_a_json_404_for_every_method(world, as_agent, method, path):
    response = getattr(as_agent.client, method)(path, headers=as_agent.headers)
    assert _assert_error(response, 404) == {"detail": "Not found."}


def test_an_unsafe_method_on_an_unknown_path_in_a_session_is_a_json_404_not_a_csrf_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["agent"])
    _assert_error(client.post("/api/v1/no-such-thing", "{}", content_type="application/json"), 404)


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("put", "/api/v1/tickets", {"GET", "POST"}),
    ("delete", "/api/v1/me", {"GET"}),
    ("post", "/api/v1/search", {"GET"}),
])
def test_a_wrong_method_is_a_json_405_with_allow(world, as_agent, method, path, allowed):
    response = getattr(as_agent.client, method)(path, headers=as_agent.headers)
    assert _assert_error(response, 405) == {"detail": "This method is not allowed here."}
    assert {m.strip() for m in response["Allow"].split(",")} == allowed


def test_a_session_without_csrf_token_gets_a_json_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["agent"])
    response = client.post("/api/v1/tags", {"name": "urgent"}, content_type="application/json")
    assert "CSRF" in _assert_error(response, 403)["detail"]


def test_a_bearer_token_needs_no_csrf_token(world, as_agent):
    as_agent.client = Client(enforce_csrf_checks=True)
    response = as_agent.post("/tags", {"name": "urgent"})
    assert response.status_code == 201, response.content


def test_no_credentials_is_a_json_401(world):
    response = Client().post("/api/v1/tags", {"name": "urgent"}, content_type="application/json")
    _assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("body", ["{not json", "[1, 2", b"\xff\xfe{}"])
def test_a_body_that_cannot_be_parsed_is_a_json_400(world, as_agent, body):
    _assert_error(as_agent.patch(f"/tickets/{world['ticket'].number}", body), 400)
    _assert_error(as_agent.post(f"/tickets/{world['ticket'].number}/messages", body), 400)
    _assert_error(as_agent.post("/tags", body), 400)


def test_an_unexpected_exception_is_a_logged_json_500_without_internals(world, as_agent, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(users_api, "user_out", explode)
    with caplog.at_level(logging.ERROR, logger="pomoc.api"):
        response = as_agent.get("/me")
    body = _assert_error(response, 500)
    assert "secret" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert body["detail"].startswith("Something went wrong")
    record = next(r for r in caplog.records if r.name == "pomoc.api")
    assert record.exc_info and record.exc_info[0] is RuntimeError
    assert "GET /api/v1/me" in record.getMessage()


def test_an_unexpected_exception_outside_ninja_is_a_json_500(caplog):
    def explode(request):
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR, logger="pomoc.api"):
        response = json_errors(explode)(RequestFactory().post("/api/v1/whatever"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": server_error_message()}
    assert NO_STORE <= _cache_control(response)
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


@pytest.mark.parametrize("path", ["/me", "/tickets", "/no-such-thing", "/openapi.json"])
def test_api_answers_are_not_cached(world, as_agent, path):
    response = as_agent.get(path)
    assert NO_STORE <= _cache_control(response)
    assert "public" not in _cache_control(response)
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"authorization", "cookie"} <= vary


def test_a_failed_authentication_is_not_cached_either(world):
    response = Client().get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    _assert_error(response, 401)


def _openapi() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    return schema


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_the_schema_documents_the_errors_every_operation_can_answer():
    for method, path, operation in _operations(_openapi()):
        responses = operation["responses"]
        name = f"{method.upper()} {path}"
        assert {"401", "500"} <= set(responses), name
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= set(responses), name
        if "{" in path:
            assert "404" in responses, name
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "422" in responses, name
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert response["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}} \
                    or response["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationErrors"), name


def test_the_schema_documents_that_downloads_are_binary():
    operation = _openapi()["paths"]["/api/v1/attachments/{public_id}"]["get"]
    assert operation["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
