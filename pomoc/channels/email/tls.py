"""TLS for the connections to an inbox's mail servers: certificates are always verified.

Servers with a certificate from a public CA need nothing. A self-hosted server whose certificate
comes from a private CA (or is self-signed) is trusted when that CA's certificate (or the server's
own) is pasted into the inbox's ``tls_ca_certificates`` (PEM), in addition to the system's CAs.
There is deliberately no switch that turns verification off.
"""

from __future__ import annotations

import ssl

from cryptography import x509
from django.utils.translation import gettext as _

MAX_PEM_LENGTH = 100_000


def client_context(ca_certificates: str = "") -> ssl.SSLContext:
    """A verifying client context: the system's CAs plus ``ca_certificates`` (PEM, may be empty).
    A certificate given there is a trust anchor even when it is not a CA's (a self-signed server)."""
    context = ssl.create_default_context()
    if ca_certificates and ca_certificates.strip():
        context.load_verify_locations(cadata=ca_certificates)
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def ca_certificates_problem(pem: str) -> str:
    """Why ``pem`` cannot be used as extra trusted certificates ("" when it can, or is empty)."""
    if not pem or not pem.strip():
        return ""
    if len(pem) > MAX_PEM_LENGTH:
        return _("At most %(count)d characters.") % {"count": MAX_PEM_LENGTH}
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        certificates = []
    if not certificates:
        return _("Paste one or more certificates in PEM form (-----BEGIN CERTIFICATE----- …).")
    try:
        client_context(pem)
    except (ssl.SSLError, ValueError) as exc:
        return _("These certificates cannot be used: %(detail)s") % {"detail": str(exc)[:200]}
    return ""


def describe_certificate_error(exc: ssl.SSLCertVerificationError) -> str:
    """A log- and report-friendly reason for a refused certificate, with the way out."""
    detail = exc.verify_message or exc.reason or str(exc)
    return (f"The server's certificate is not trusted ({detail}); nothing was fetched. If the server uses a "
            "certificate of a private CA or a self-signed one, add it to the inbox's TLS CA certificates.")
