"""Outgoing webhooks: signed, retried with backoff, logged with their answers, and never sent to a
private, loopback, link-local or metadata address — by name (a resolver stub answers the name →
address step; the connect is real), by literal address, by redirect or by DNS rebinding."""

import hashlib
import hmac
import http.server
import json
import socket
import threading
from contextlib import contextmanager

import pytest
from django.utils import timezone

from pomoc.automation.rules import webhooks
from pomoc.automation.rules.models import WebhookDelivery, WebhookState
from pomoc.testing.factories import make_ticket

from .helpers import make_rule

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next of ``server.answers`` ((status, headers, body)) and keeps
    what it received in ``server.received``."""

    def _answer(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append({"method": method, "path": self.path, "headers": dict(self.headers),
                                     "body": self.rfile.read(length)})
        status, headers, body = self.server.answers.pop(0) if self.server.answers else (200, {}, b"ok")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self._answer("POST")

    def do_GET(self):
        self._answer("GET")

    def log_message(self, *args):
        pass


@contextmanager
def receiver(host="127.0.0.1", answers=()):
    server = http.server.HTTPServer((host, 0), Receiver)
    server.received, server.answers = [], list(answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def resolver(monkeypatch):
    """Names → addresses for the test; every lookup is recorded."""
    table: dict[str, list[str]] = {}
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        if host not in table:
            return socket.getaddrinfo(host, port, *args, **kwargs)
        answer = table[host]
        addresses = answer.pop(0) if isinstance(answer[0], list) else answer
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in addresses]

    monkeypatch.setattr(webhooks, "getaddrinfo", getaddrinfo)
    return table, lookups


@pytest.fixture
def local_allowed(settings):
    """The test receivers listen on 127.0.0.1: allowed, as an installation allows an intranet service."""
    settings.POMOC_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def queued(url: str) -> WebhookDelivery:
    rule = make_rule(active=False, actions=[{"type": "webhook", "value": url}])
    ticket = make_ticket(subject="Invoice missing")
    return WebhookDelivery.objects.create(rule=rule, ticket=ticket, url=url, body=json.dumps({"ticket": ticket.number}),
                                          next_attempt_at=timezone.now())


def test_a_rule_calls_its_webhook_signed(local_allowed, resolver):
    table, _lookups = resolver
    with receiver() as server:
        table["hooks.test"] = ["127.0.0.1"]
        rule = make_rule(name="Tell the shop", actions=[{"type": "webhook", "value": f"http://hooks.test:{server.server_port}/in?x=1"}])
        ticket = make_ticket(subject="Order 5 broken")
    (request,) = server.received
    assert request["method"] == "POST" and request["path"] == "/in?x=1"
    assert request["headers"]["Host"] == f"hooks.test:{server.server_port}"
    body = json.loads(request["body"])
    assert body["event"] == "created" and body["rule"] == {"id": rule.pk, "name": "Tell the shop"}
    assert body["ticket"]["number"] == ticket.number and body["ticket"]["subject"] == "Order 5 broken"
    timestamp = request["headers"]["X-Pomoc-Timestamp"]
    expected = hmac.new(rule.secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Pomoc-Signature"] == f"sha256={expected}"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookState.SENT
    assert delivery.attempts[0]["status"] == 200 and delivery.attempts[0]["response"] == "ok"


def test_failures_are_retried_with_backoff_and_logged_with_their_answers(local_allowed):
    with receiver(answers=[(503, {}, b"busy"), (500, {}, b"oops"), (201, {}, b"created")]) as server:
        delivery = queued(f"http://127.0.0.1:{server.server_port}/hook")
        assert webhooks.deliver(delivery.pk) == WebhookState.PENDING
        delivery.refresh_from_db()
        wait = delivery.next_attempt_at - timezone.now()
        assert 50 < wait.total_seconds() <= 60  # one minute after the first attempt
        assert webhooks.deliver(delivery.pk) == "not due"  # not before its time
        assert len(server.received) == 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert webhooks.deliver(delivery.pk) == WebhookState.PENDING
        delivery.refresh_from_db()
        assert 110 < (delivery.next_attempt_at - timezone.now()).total_seconds() <= 120  # then two
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert webhooks.deliver(delivery.pk) == WebhookState.SENT
    delivery.refresh_from_db()
    assert [(a["status"], a["response"]) for a in delivery.attempts] == [(503, "busy"), (500, "oops"), (201, "created")]
    assert delivery.next_attempt_at is None


def test_it_gives_up_after_the_last_attempt_and_at_once_on_a_4xx(local_allowed):
    with receiver(answers=[(500, {}, b"")] * webhooks.MAX_ATTEMPTS + [(404, {}, b"no such hook")]) as server:
        delivery = queued(f"http://127.0.0.1:{server.server_port}/")
        for _ in range(webhooks.MAX_ATTEMPTS):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            state = webhooks.deliver(delivery.pk)
        assert state == WebhookState.FAILED
        other = queued(f"http://127.0.0.1:{server.server_port}/")
        assert webhooks.deliver(other.pk) == WebhookState.FAILED
    other.refresh_from_db()
    assert len(other.attempts) == 1 and other.attempts[0]["response"] == "no such hook"


def test_a_network_error_is_retried(local_allowed):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nobody listens here
    delivery = queued(f"http://127.0.0.1:{port}/")
    assert webhooks.deliver(delivery.pk) == WebhookState.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts[0]["status"] is None and delivery.attempts[0]["error"]


FORBIDDEN = [
    "10.1.2.3", "172.16.0.1", "192.168.1.10",  # private
    "127.0.0.1", "127.8.8.8", "::1",  # loopback
    "169.254.10.1", "fe80::1",  # link-local
    "169.254.169.254", "fd00:ec2::254", "100.100.100.200",  # cloud metadata
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",  # IPv4-mapped IPv6
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "100.64.0.1", "0.0.0.0", "fc00::1", "224.0.0.1",  # shared, unspecified, unique local, multicast
]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_names_resolving_to_forbidden_addresses_are_refused(resolver, address):
    table, _lookups = resolver
    table["inside.test"] = [address]
    delivery = queued("http://inside.test/hook")
    assert webhooks.deliver(delivery.pk) == WebhookState.FAILED
    delivery.refresh_from_db()
    assert "private, local or metadata" in delivery.attempts[0]["error"]


@pytest.mark.parametrize("address", ["127.0.0.1", "[::1]", "169.254.169.254", "[::ffff:127.0.0.1]"])
def test_literal_forbidden_addresses_are_refused(address):
    with receiver() as server:  # something does listen on 127.0.0.1: it must not be called
        delivery = queued(f"http://{address}:{server.server_port}/")
        assert webhooks.deliver(delivery.pk) == WebhookState.FAILED
    assert server.received == []


def test_a_name_with_one_forbidden_address_among_public_ones_is_refused(resolver):
    table, _lookups = resolver
    table["mixed.test"] = ["93.184.216.34", "10.0.0.5"]
    with pytest.raises(webhooks.Refused):
        webhooks.checked_address("mixed.test", 80)


def test_metadata_stays_refused_even_in_an_allowed_network(settings, resolver):
    settings.POMOC_WEBHOOK_ALLOWED_NETWORKS = ["169.254.0.0/16"]
    table, _lookups = resolver
    table["meta.test"] = ["169.254.169.254"]
    with pytest.raises(webhooks.Refused):
        webhooks.checked_address("meta.test", 80)


def test_redirects_to_forbidden_addresses_are_not_followed(local_allowed, resolver):
    table, _lookups = resolver
    table["metadata.test"] = ["169.254.169.254"]
    with receiver(host="127.0.0.2") as inside, receiver(answers=[
        (302, {"Location": f"http://127.0.0.2:{0}/secret"}, b""),
    ]) as outside:
        outside.answers[0] = (307, {"Location": f"http://127.0.0.2:{inside.server_port}/secret"}, b"")
        delivery = queued(f"http://127.0.0.1:{outside.server_port}/hook")
        assert webhooks.deliver(delivery.pk) == WebhookState.FAILED
        outside.answers.append((302, {"Location": "http://metadata.test/latest/meta-data/"}, b""))
        other = queued(f"http://127.0.0.1:{outside.server_port}/hook")
        assert webhooks.deliver(other.pk) == WebhookState.FAILED
    assert inside.received == []  # the loopback address behind the redirect was never called
    assert len(outside.received) == 2
    delivery.refresh_from_db()
    assert "127.0.0.2" in delivery.attempts[0]["error"]
    other.refresh_from_db()
    assert "metadata.test" in other.attempts[0]["error"]


def test_redirects_to_allowed_addresses_are_followed(local_allowed):
    with receiver(answers=[(308, {"Location": "/moved"}, b""), (200, {}, b"thanks")]) as server:
        delivery = queued(f"http://127.0.0.1:{server.server_port}/hook")
        assert webhooks.deliver(delivery.pk) == WebhookState.SENT
    assert [(r["method"], r["path"]) for r in server.received] == [("POST", "/hook"), ("POST", "/moved")]


def test_dns_rebinding_cannot_happen_the_checked_address_is_the_one_connected_to(local_allowed, resolver):
    table, lookups = resolver
    # first answer allowed, every later one the metadata service: a rebinding name
    table["rebind.test"] = [["127.0.0.1"], ["169.254.169.254"], ["169.254.169.254"]]
    with receiver() as server:
        delivery = queued(f"http://rebind.test:{server.server_port}/hook")
        assert webhooks.deliver(delivery.pk) == WebhookState.SENT
    assert lookups == ["rebind.test"]  # resolved once, for the check; the connect used that address
    assert len(server.received) == 1 and server.received[0]["headers"]["Host"] == f"rebind.test:{server.server_port}"


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS receiver on 127.0.0.1 with a certificate for ``hooks.test`` only, from an authority
    the webhooks trust for this test."""
    import datetime as dt
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("Test CA")).issuer_name(name("Test CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(name("hooks.test")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.test")]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    trusted = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    monkeypatch.setattr(webhooks, "tls_context", lambda: trusted)
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.answers = [], []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_https_goes_to_the_checked_address_with_the_name_for_sni_and_the_certificate(
        local_allowed, resolver, tls_receiver):
    table, lookups = resolver
    table["hooks.test"] = ["127.0.0.1"]
    table["other.test"] = ["127.0.0.1"]
    delivery = queued(f"https://hooks.test:{tls_receiver.server_port}/secure")
    assert webhooks.deliver(delivery.pk) == WebhookState.SENT
    assert [r["path"] for r in tls_receiver.received] == ["/secure"]
    # the same address under a name the certificate does not carry: refused by the certificate check
    other = queued(f"https://other.test:{tls_receiver.server_port}/secure")
    assert webhooks.deliver(other.pk) == WebhookState.PENDING
    other.refresh_from_db()
    assert "certificate" in other.attempts[0]["error"].lower() or "hostname" in other.attempts[0]["error"].lower()
    assert len(tls_receiver.received) == 1
