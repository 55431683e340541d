"""The widget's HTTP API under ``/chat/api/<INBOX_KEY>/`` (JSON; CORS only for the inbox's allowed
origins). Thin: parse, find the inbox and the visitor (Bearer token), call one service, answer."""

from __future__ import annotations

import json
from functools import wraps

from django.http import FileResponse, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from pomoc.accounts.ratelimit import client_ip
from pomoc.channels.chat import files, frames, limits, selectors, services, tokens
from pomoc.channels.chat.config import normalize_origin
from pomoc.channels.chat.models import Visitor
from pomoc.tickets.models import Attachment

MAX_JSON_BYTES = 64 * 1024


def _error(status: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": message, "code": code}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _cors(request, response, inbox) -> HttpResponse:
    origin = normalize_origin(request.headers.get("Origin", ""))
    if inbox is not None and origin and origin in services.config_of(inbox).allowed_origins:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


def chat_api(*methods: str, visitor: bool = False):
    """The inbox by its key (404 unknown), CORS, the method, a browser's foreign origin refused, the
    visitor by the Bearer token (401) when ``visitor``, blocked visitors and addresses refused."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, key: str, *args, **kwargs):
            inbox = selectors.inbox_by_key(key)
            if inbox is None:
                return _error(404, "unknown_inbox", _("This chat does not exist."))
            if request.method == "OPTIONS":
                return _cors(request, HttpResponse(status=204), inbox)
            origin = request.headers.get("Origin")
            if origin and normalize_origin(origin) not in services.config_of(inbox).allowed_origins:
                return _error(403, "origin", _("This site may not use this chat."))
            if request.method not in methods:
                return _cors(request, _error(405, "method", _("Method not allowed.")), inbox)
            request.chat_ip = client_ip(request)
            request.chat_visitor = None
            if visitor:
                found = _visitor(request, inbox)
                if found is None:
                    return _cors(request, _error(401, "token", _("Start the chat again.")), inbox)
                request.chat_visitor = found
            if services.is_blocked(inbox=inbox, visitor=request.chat_visitor, ip=request.chat_ip):
                return _cors(request, _error(403, "blocked", _("This chat is not available.")), inbox)
            try:
                response = view(request, inbox, *args, **kwargs)
            except services.Refused as refused:
                response = _error(refused.status, refused.code, refused.message)
            return _cors(request, response, inbox)

        return wrapper

    return decorate


def _visitor(request, inbox) -> Visitor | None:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else request.GET.get("token", "")
    key = tokens.visitor_key_from(token, inbox_id=inbox.pk)
    return Visitor.objects.filter(inbox=inbox, key=key).select_related("inbox").first() if key else None


def _json(request) -> dict:
    if len(request.body) > MAX_JSON_BYTES:
        raise services.Refused("too_large", _("The request is too large."), 413)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise services.Refused("bad_json", _("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise services.Refused("bad_json", _("The request is not valid JSON."))
    return data


def _limited(request, inbox, scope: str, per_minute: int):
    visitor = request.chat_visitor
    wait = limits.allow(scope=scope, visitor_id=visitor.pk if visitor else 0, ip=request.chat_ip,
                        per_minute=per_minute, inbox_id=inbox.pk)
    if wait:
        return _error(429, "rate_limited", _("Too many requests. Please wait a moment."), Retry_After=str(wait))
    return None


def _conversation_json(conversation) -> dict | None:
    if conversation is None:
        return None
    data = {"id": conversation.pk, "last_seq": conversation.last_seq, "status": conversation.status}
    position = selectors.queue_position(conversation)
    if position is not None:
        data["queue_position"] = position
    if conversation.agent_id:
        data["agent"] = {"name": conversation.agent.display_name}
    return data


@chat_api("POST")
def session(request, inbox):
    data = _json(request)
    limited = _limited(request, inbox, "session", 60)
    if limited:
        return limited
    opened = services.session_open(
        inbox=inbox, token=data.get("token") or "", identity=data.get("identity"),
        language=data.get("language") or "", page=data.get("page"), ip=request.chat_ip,
        user_agent=request.headers.get("User-Agent", ""), time_zone=data.get("time_zone") or "")
    config = services.config_of(inbox)
    visitor = opened.visitor
    if visitor.blocked_at is not None:
        return _error(403, "blocked", _("This chat is not available."))
    return JsonResponse({
        "token": opened.token,
        "visitor": {"name": visitor.name, "email": visitor.email},
        "conversation": _conversation_json(services.current_conversation(visitor)),
        "config": {"title": config.title or inbox.name, "greeting": config.greeting, "colour": config.colour,
                   "position": config.position, "prechat_fields": config.prechat_fields,
                   "online": selectors.is_online(inbox), "offline_message": config.offline_message,
                   "max_upload_bytes": config.max_upload_bytes, "accepted_types": list(files.ACCEPTED_TYPES),
                   "rating_enabled": config.rating_enabled, "language": visitor.language or "",
                   "max_message_chars": config.max_message_chars},
    })


@chat_api("GET", visitor=True)
def messages(request, inbox):
    try:
        after = max(int(request.GET.get("after", "0")), 0)
    except ValueError:
        return _error(400, "after", _("“after” must be a number."))
    conversation = services.current_conversation(request.chat_visitor)
    if conversation is None:
        return JsonResponse({"messages": [], "last_seq": 0})
    lines = selectors.lines_after(conversation.pk, after)
    key = inbox.chat.key
    return JsonResponse({"messages": [frames.message(line, inbox_key=key) for line in lines],
                         "last_seq": conversation.last_seq, "conversation": conversation.pk})


@chat_api("POST", visitor=True)
def upload(request, inbox):
    limited = _limited(request, inbox, "upload", 10)
    if limited:
        return limited
    item = request.FILES.get("file")
    if item is None:
        return _error(400, "file", _("Choose a file."))
    config = services.config_of(inbox)
    if item.size > config.max_upload_bytes:
        raise services.Refused("too_large", _("The file is too large (at most %(size)s MB).")
                               % {"size": round(config.max_upload_bytes / 1024 / 1024, 1)}, 413)
    stored = services.upload_store(visitor=request.chat_visitor, name=item.name or "",
                                   content=item.read(config.max_upload_bytes + 1))
    return JsonResponse({"id": stored.pk, "name": stored.name, "size": stored.size, "type": stored.content_type},
                        status=201)


@chat_api("POST")
def offline(request, inbox):
    limited = _limited(request, inbox, "offline", 5)
    if limited:
        return limited
    data = _json(request)
    visitor = _visitor(request, inbox)
    result = services.offline_message(inbox=inbox, name=data.get("name") or "", email=data.get("email") or "",
                                      message=data.get("message") or "", fields=data.get("fields"), visitor=visitor)
    answer_by = result.answer_by.isoformat() if result.answer_by else None
    return JsonResponse({"ticket": result.ticket.number, "answer_by": answer_by}, status=201)


@chat_api("POST", visitor=True)
def rating(request, inbox):
    data = _json(request)
    conversation = services.current_conversation(request.chat_visitor)
    if conversation is None:
        return _error(409, "no_chat", _("There is nothing to rate yet."))
    services.rating_record(conversation=conversation, score=data.get("score"), comment=data.get("comment") or "")
    return JsonResponse({"ok": True})


@chat_api("POST", visitor=True)
def transcript(request, inbox):
    limited = _limited(request, inbox, "transcript", 3)
    if limited:
        return limited
    data = _json(request)
    conversation = services.current_conversation(request.chat_visitor)
    if conversation is None:
        return _error(409, "no_chat", _("There is nothing to send yet."))
    services.transcript_send(conversation=conversation, email=data.get("email") or "")
    return JsonResponse({"ok": True}, status=202)


@chat_api("GET", visitor=True)
def file(request, inbox, public_id: str):
    """A file of the visitor's own conversations, as a download (never rendered by the browser)."""
    attachment = Attachment.objects.filter(
        public_id=public_id, message__chat_line__conversation__visitor=request.chat_visitor).first()
    if attachment is None:
        return _error(404, "not_found", _("This file does not exist."))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.file_name,
                            content_type=attachment.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
