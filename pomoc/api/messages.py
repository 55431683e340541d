"""Messages on a ticket (JSON or multipart with files), single messages, split, attachments."""

import datetime as dt
import json

import pydantic
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from pomoc.api.schemas import (
    COPIES_RULE,
    ERRORS,
    MESSAGE_TEXT_RULE,
    TEXT_PATTERN,
    Email,
    Error,
    Id,
    In,
    Line,
    MessageKindName,
    SafeStr,
    require_staff,
)
from pomoc.api.tickets import TicketDetailOut, load_ticket, ticket_detail_out
from pomoc.tickets import forwarding, permissions, selectors, services
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.copies import MAX_COPIES, split_addresses
from pomoc.tickets.downloads import attachment_response
from pomoc.tickets.models import Message, MessageKind, Ticket

router = Router(tags=["messages"])


class AttachmentOut(Schema):
    public_id: str
    file_name: str
    content_type: str
    size: int
    url: str


class AuthorOut(Schema):
    type: str = Field(description="“user” (an agent) or “contact” (a customer).")
    id: int
    name: str


class MessageOut(Schema):
    id: int
    ticket: int = Field(description="The ticket's number.")
    kind: str
    channel: str
    author: AuthorOut | None
    body_text: str
    body_html: str
    delivery_state: str
    delivery_error: str
    cc: list[str] = Field(description="A reply's or forward's copies (in the mail's Cc header).")
    bcc: list[str] = Field(description="A reply's or forward's blind copies (only in the mail's envelope); "
                                       "shown to agents only.")
    forward_to: list[str] = Field(description="A forward's recipients (kind “forward”).")
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class MessageIn(In):
    model_config = ConfigDict(json_schema_extra={**MESSAGE_TEXT_RULE, "allOf": [COPIES_RULE]})

    kind: MessageKindName | None = Field(
        None, description="reply, note or customer; default: reply for agents, customer for customers."
    )
    body: SafeStr = Field("", description="Plain text (or `body_html`).")
    body_html: SafeStr = Field("", description="HTML; sanitized before it is stored. Without `body`, the "
                                                "plain-text part is derived from it.")
    cc: list[Email] = Field(default_factory=list, max_length=MAX_COPIES,
                            description="A reply's copies: e-mail addresses written in the mail's Cc header.")
    bcc: list[Email] = Field(default_factory=list, max_length=MAX_COPIES,
                             description="A reply's blind copies: e-mail addresses only in the mail's envelope.")
    signed: bool = Field(False, description="A reply: add the agent's and the inbox's signatures under it.")


class ForwardIn(In):
    model_config = ConfigDict(json_schema_extra={"description": "Forward by e-mail one customer message or reply "
                                                                "of the ticket (`message`), or all of them."})

    to: list[Email] = Field(min_length=1, max_length=MAX_COPIES, description="Where the forward goes.")
    cc: list[Email] = Field(default_factory=list, max_length=MAX_COPIES)
    bcc: list[Email] = Field(default_factory=list, max_length=MAX_COPIES)
    message: Id | None = Field(None, description="Id of the message to forward; null: the whole conversation.")
    body: SafeStr = Field("", description="The agent's words above the forwarded messages (plain text).")
    body_html: SafeStr = Field("", description="The same as HTML; sanitized.")
    signed: bool = Field(False, description="Add the agent's and the inbox's signatures.")


class SplitIn(In):
    subject: Line = Field("", max_length=300)


def attachment_out(attachment) -> dict:
    return {
        "public_id": attachment.public_id,
        "file_name": attachment.file_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": reverse("api-v1:get_attachment", kwargs={"public_id": attachment.public_id}),
    }


def message_out(message: Message, user, ticket: Ticket | None = None) -> dict:
    ticket = ticket or message.ticket
    if message.author_user_id:
        author = {"type": "user", "id": message.author_user_id, "name": message.author_user.display_name}
    elif message.author_contact_id:
        author = {"type": "contact", "id": message.author_contact_id, "name": str(message.author_contact)}
    else:
        author = None
    staff = permissions.is_staff_user(user)
    return {
        "id": message.pk,
        "ticket": ticket.number,
        "kind": message.kind,
        "channel": message.channel,
        "author": author,
        "body_text": message.body_text,
        "body_html": message.body_html,
        "delivery_state": message.delivery_state,
        "delivery_error": message.delivery_error if staff else "",
        "cc": list(message.cc or []),
        "bcc": list(message.bcc or []) if staff else [],
        "forward_to": list(message.forward_to or []),
        "created_at": message.created_at,
        "attachments": [attachment_out(a) for a in message.attachments.all()],
    }


def _load_message(message_id: int) -> Message:
    return (
        Message.objects.select_related("ticket", "author_user", "author_contact")
        .prefetch_related("attachments", "author_contact__identities")
        .get(pk=message_id)
    )


def parse_message_body(request) -> tuple[MessageIn, list[NewAttachment]]:
    """A JSON body, or multipart form fields plus ``files``: the same schema checks both."""
    files: list[NewAttachment] = []
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data = {key: request.POST.get(key) for key in request.POST}
        for key in ("cc", "bcc"):  # one field per address (or one with several separated by commas)
            if key in data:
                data[key] = split_addresses(",".join(request.POST.getlist(key)))
        files = [
            NewAttachment(file_name=f.name, content=f, content_type=f.content_type or "")
            for f in request.FILES.getlist("files")
        ]
        unknown = sorted(set(request.FILES) - {"files"})
        if unknown:
            data.update({key: "(file)" for key in unknown})
    else:
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise HttpError(400, _("The request body is not valid JSON.")) from None
        except RecursionError:  # nested deeper than the parser goes
            raise HttpError(400, _("The request body is nested too deeply.")) from None
        if not isinstance(data, dict):
            raise HttpError(400, _("The request body must be a JSON object."))
    try:
        payload = MessageIn.model_validate(data)
    except pydantic.ValidationError as exc:
        from ninja.errors import ValidationError as NinjaValidationError

        raise NinjaValidationError(
            [{"type": e["type"], "loc": ["body", *e["loc"]], "msg": e["msg"]} for e in exc.errors(include_url=False)]
        ) from None
    return payload, files


MESSAGE_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": MessageIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "kind": {"type": "string", "enum": list(MessageKindName.__args__)},
                        "body": {"type": "string", "pattern": TEXT_PATTERN},
                        "body_html": {"type": "string", "pattern": TEXT_PATTERN},
                        "cc": {"type": "array", "maxItems": MAX_COPIES,
                               "items": {"type": "string", "format": "email"},
                               "description": "A reply's copies: one field per e-mail address."},
                        "bcc": {"type": "array", "maxItems": MAX_COPIES,
                                "items": {"type": "string", "format": "email"},
                                "description": "A reply's blind copies: one field per e-mail address."},
                        "signed": {"type": "boolean"},
                        "files": {"type": "array", "maxItems": settings.MAX_ATTACHMENTS_PER_MESSAGE,
                                  "items": {"type": "string", "format": "binary",
                                            "maxLength": settings.MAX_ATTACHMENT_BYTES}},
                    },
                    "anyOf": [*MESSAGE_TEXT_RULE["anyOf"], {"required": ["files"], "properties": {
                        "files": {"minItems": 1}}}],
                    "allOf": [COPIES_RULE],
                }
            },
        },
    }
}


@router.get("/tickets/{int:number}/messages", response={200: list[MessageOut], **ERRORS},
            summary="Messages of a ticket")
def list_messages(request, number: int):
    ticket = load_ticket(request.auth, number)
    messages = selectors.ticket_timeline(request.auth, ticket)
    return [message_out(m, request.auth, ticket) for m in messages]


@router.post("/tickets/{int:number}/messages", response={201: MessageOut, 400: Error, **ERRORS},
             summary="Add a reply, note or customer message", openapi_extra=MESSAGE_BODY_DOC)
def add_message(request, number: int):
    user = request.auth
    ticket = load_ticket(user, number)
    payload, files = parse_message_body(request)
    staff = permissions.is_staff_user(user)
    kind = payload.kind or (MessageKind.REPLY if staff else MessageKind.CUSTOMER)
    if not staff and kind != MessageKind.CUSTOMER:
        raise permissions.PermissionDenied(_("Customers can only add customer messages."))
    author_contact = None if staff else user.contact
    with transaction.atomic():
        message = services.message_add(
            ticket=ticket, kind=kind, actor=user, author_contact=author_contact,
            body_text=payload.body, body_html=payload.body_html, attachments=files,
            cc=payload.cc, bcc=payload.bcc, signed=payload.signed,
        )
    return HttpStatus(201, message_out(_load_message(message.pk), user))


@router.post("/tickets/{int:number}/forward", response={201: MessageOut, **ERRORS},
             summary="Forward a message or the whole ticket by e-mail")
def forward_ticket(request, number: int, payload: ForwardIn):
    """The forward is a message of the ticket (kind `forward`, never shown to customers), sent like a reply
    through the ticket's e-mail inbox, with the forwarded messages' attachments."""
    require_staff(request.auth)
    ticket = load_ticket(request.auth, number)
    permissions.require_can_work_on(request.auth, ticket)
    message = None
    if payload.message is not None:
        message = permissions.access_message(request.auth, payload.message)
        if message.ticket_id != ticket.pk:
            raise Http404
    forward = forwarding.message_forward(
        ticket=ticket, actor=request.auth, to=payload.to, message=message, body_text=payload.body,
        body_html=payload.body_html, cc=payload.cc, bcc=payload.bcc, signed=payload.signed)
    return HttpStatus(201, message_out(_load_message(forward.pk), request.auth))


@router.get("/messages/{int:message_id}", response={200: MessageOut, **ERRORS}, summary="Read one message")
def get_message(request, message_id: int):
    message = permissions.access_message(request.auth, message_id)
    return message_out(_load_message(message.pk), request.auth)


@router.post("/messages/{int:message_id}/split", response={201: TicketDetailOut, **ERRORS},
             summary="Move a customer message out into a new ticket")
def split_message(request, message_id: int, payload: SplitIn):
    require_staff(request.auth)
    message = permissions.access_message(request.auth, message_id)
    new_ticket = services.message_split(message=message, actor=request.auth, subject=payload.subject)
    return HttpStatus(201, ticket_detail_out(load_ticket(request.auth, new_ticket.number), request.auth))


@router.post("/messages/{int:message_id}/retry", response={200: MessageOut, **ERRORS},
             summary="Send a reply whose delivery failed again")
def retry_message(request, message_id: int):
    require_staff(request.auth)
    message = permissions.access_message(request.auth, message_id)
    services.message_delivery_retry(message, actor=request.auth)
    return message_out(_load_message(message.pk), request.auth)


@router.get("/attachments/{public_id}", response={200: None, 401: Error, 404: Error},
            summary="Download an attachment", openapi_extra={"responses": {"200": {
                "description": "The file, always as application/octet-stream (Content-Disposition: attachment)",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}})
def get_attachment(request, public_id: str):
    attachment = permissions.access_attachment(request.auth, public_id)
    return attachment_response(attachment)
