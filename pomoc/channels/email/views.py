"""The e-mail channel's pages for agents: the received mail behind a message."""

from django.http import Http404
from django.views.decorators.http import require_GET

from pomoc.channels.email.downloads import raw_mail_response
from pomoc.channels.email.models import RawMail
from pomoc.tickets.views_common import staff_required
from pomoc.tickets.views_ticket import load_ticket_message


@staff_required
@require_GET
def raw_message(request, number, message_id):
    """The received mail behind a message, byte for byte (agents who may see the ticket only)."""
    _ticket, message = load_ticket_message(request, number, message_id)
    raw_mail = RawMail.objects.filter(message=message).order_by("id").first()
    if raw_mail is None:
        raise Http404
    return raw_mail_response(raw_mail)
