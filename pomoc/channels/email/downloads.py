"""The raw source of a received mail, byte for byte, always as a download (never rendered)."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from pomoc.channels.email.models import RawMail


def raw_mail_response(raw_mail: RawMail) -> HttpResponse:
    response = HttpResponse(bytes(raw_mail.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mail-{raw_mail.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    patch_cache_control(response, private=True, no_store=True)
    return response
