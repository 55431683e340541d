"""Outgoing webhooks of rules: signed, retried with backoff, logged with their answers, and unable
to reach inside the network they are sent from (server-side request forgery).

The host is resolved once; every address it resolves to must be public (not private, loopback,
link-local, shared, reserved, multicast or a cloud metadata address, IPv4-mapped and NAT64 IPv6
forms included), and the connection is made to the address that was checked, with the name only in
the Host header and TLS's SNI and certificate check: a DNS answer that changes between the check and
the connect (rebinding) is never asked for. A redirect is followed (at most three) only after the
same check of its target. ``POMOC_WEBHOOK_ALLOWED_NETWORKS`` lets an installation call an intranet
service on purpose; metadata addresses stay refused even then.

Signature: ``X-Pomoc-Signature: sha256=<hex>`` where hex = HMAC-SHA256(rule secret,
"<X-Pomoc-Timestamp>.<body>"), the timestamp in Unix seconds; receivers should refuse old ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.automation.rules.models import WebhookDelivery, WebhookState

MAX_ATTEMPTS = 6
MAX_REDIRECTS = 3
TIMEOUT = 10.0  # seconds per connect and per read
RESPONSE_LOGGED = 2000  # characters of an answer kept
USER_AGENT = "Pomoc-Webhooks/1"

# Instance metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle): never, whatever is allowed.
METADATA = tuple(ipaddress.ip_network(n) for n in (
    "169.254.169.254/32", "169.254.170.2/32", "fd00:ec2::254/128", "100.100.100.200/32", "192.0.0.192/32"))
NAT64 = ipaddress.ip_network("64:ff9b::/96")

# The name → addresses step; tests replace it with a stub (the connect is always real).
getaddrinfo = socket.getaddrinfo


class Refused(Exception):
    """The address may not be called (translated reason)."""


def retry_delay(attempt: int) -> dt.timedelta:
    """1, 2, 4, 8, 16 minutes after attempts 1 … 5."""
    return dt.timedelta(minutes=2 ** (attempt - 1))


def _plain(address: ipaddress.IPv4Address | ipaddress.IPv6Address):
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour is not None:
            return address.sixtofour
    return address


def address_allowed(text: str) -> bool:
    address = _plain(ipaddress.ip_address(text.split("%")[0]))
    if any(address in network for network in METADATA):
        return False
    for network in settings.POMOC_WEBHOOK_ALLOWED_NETWORKS:
        try:
            if address in ipaddress.ip_network(network.strip(), strict=False):
                return True
        except ValueError:
            continue
    return address.is_global and not address.is_multicast


def checked_address(host: str, port: int) -> str:
    """The address to connect to for ``host``: every address it resolves to must be allowed."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        if not address_allowed(str(literal)):
            raise Refused(_("%(host)s is a private, local or metadata address: webhooks may not call it.")
                          % {"host": host})
        return str(literal)
    try:
        infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(_("The name %(host)s does not resolve (%(error)s).") % {"host": host, "error": error}) from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise Refused(_("The name %(host)s does not resolve.") % {"host": host})
    for address in addresses:
        if not address_allowed(address):
            raise Refused(_("%(host)s is a private, local or metadata address (%(address)s): webhooks may not "
                            "call it.") % {"host": host, "address": address})
    return addresses[0]


def clean_url(text: str) -> str:
    """A webhook address as saved: http(s), a host, no credentials. Where it points is checked at
    every call (names can change), not here."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an http:// or https:// address."))
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address; the calls are signed."))
    if len(text.strip()) > 500:
        raise ValidationError(_("The address is too long (500 characters at most)."))
    return text.strip()


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to a checked address; the Host header keeps the name."""

    def __init__(self, host: str, port: int, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, names checked (tests trust their own authority here)."""
    return ssl.create_default_context()


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address; SNI and the certificate check use the name."""

    def __init__(self, host: str, port: int, address: str, **kwargs):
        super().__init__(host, port, context=tls_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body`` to ``url`` safely (see the module); returns (status, start of the answer).
    Raises ``Refused`` for a forbidden address, ``OSError`` for network trouble."""
    method = "POST"
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(_("Not an http(s) address: %(url)s") % {"url": url})
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = checked_address(parts.hostname, port)
        connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = connection_class(parts.hostname, port, address, timeout=TIMEOUT)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, path, body=body if method == "POST" else None,
                               headers={**headers, "User-Agent": USER_AGENT} if method == "POST"
                               else {"User-Agent": USER_AGENT})
            response = connection.getresponse()
            answer = response.read(RESPONSE_LOGGED * 4).decode("utf-8", "replace")[:RESPONSE_LOGGED]
            location = response.getheader("Location")
        finally:
            connection.close()
        if response.status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            if response.status not in (307, 308):
                method = "GET"
            continue
        return response.status, answer
    raise Refused(_("Too many redirects."))


# --- deliveries ------------------------------------------------------------------------------
def payload(*, ticket, rule, event: str) -> dict:
    return {
        "event": event,
        "rule": {"id": rule.pk, "name": rule.name} if rule is not None else None,
        "ticket": {
            "id": ticket.pk, "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
            "priority": ticket.priority, "channel": ticket.channel, "department": ticket.department_id,
            "assignee": ticket.assignee_id,
            "tags": sorted(ticket.tags.values_list("name", flat=True)),
            "requester": {"id": ticket.requester_id, "name": ticket.requester.name},
            "url": settings.POMOC_BASE_URL.rstrip("/") + reverse("tickets:detail", args=[ticket.number]),
        },
        "at": timezone.now().isoformat(),
    }


def webhook_queue(*, url: str, ticket, rule, event: str) -> WebhookDelivery:
    """Store a call of ``url`` about ``ticket`` and send it after commit (in a task)."""
    from pomoc.automation.rules import tasks

    delivery = WebhookDelivery.objects.create(
        rule=rule, ticket=ticket, url=url, next_attempt_at=timezone.now(),
        body=json.dumps(payload(ticket=ticket, rule=rule, event=event), ensure_ascii=False, sort_keys=True))
    transaction.on_commit(lambda: tasks.deliver_webhook.enqueue(delivery.pk))
    return delivery


def deliver(delivery_id: int) -> str:
    """One attempt at a pending delivery (claimed first, so two workers never send it twice at
    once); logs the answer. 2xx: sent. A refused address or a 4xx answer: failed for good. Network
    trouble, 429 or 5xx: tried again later with backoff, failed after ``MAX_ATTEMPTS``."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",)).select_related("rule")
                    .filter(pk=delivery_id, state=WebhookState.PENDING).first())
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return "not due"
        # claim: nobody else picks it up while this attempt runs
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + dt.timedelta(minutes=5))
    secret = delivery.rule.secret if delivery.rule_id else ""
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Pomoc-Timestamp": timestamp,
               "X-Pomoc-Signature": signature(secret, timestamp, body), "X-Pomoc-Delivery": str(delivery.pk)}
    attempt = {"at": now.isoformat(), "status": None, "response": "", "error": ""}
    retry = False
    try:
        status, answer = post(delivery.url, body, headers)
        attempt.update(status=status, response=answer)
        if 200 <= status < 300:
            state = WebhookState.SENT
        else:
            retry = status == 429 or status >= 500
            state = WebhookState.FAILED
            attempt["error"] = _("The receiver answered %(status)s.") % {"status": status}
    except Refused as refused:
        state, attempt["error"] = WebhookState.FAILED, str(refused)
    except (OSError, http.client.HTTPException) as error:
        state, retry, attempt["error"] = WebhookState.FAILED, True, str(error) or error.__class__.__name__
    attempts = [*delivery.attempts, attempt]
    next_attempt_at = None
    if retry and len(attempts) < MAX_ATTEMPTS:
        state, next_attempt_at = WebhookState.PENDING, timezone.now() + retry_delay(len(attempts))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=state, attempts=attempts,
                                                          next_attempt_at=next_attempt_at)
    return state


def due_retries(now: dt.datetime | None = None):
    return WebhookDelivery.objects.filter(state=WebhookState.PENDING, next_attempt_at__lte=now or timezone.now())


def has_due_retries() -> bool:
    return due_retries().exists()
