"""The contact form (channel kind "web") at /contact/, also embeddable on other sites at
/contact/embed/. One form per web inbox; ``?department=<id>`` chooses the department's form."""

from __future__ import annotations

import importlib
import secrets
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pomoc.channels.models import Inbox
from pomoc.channels.web import services as web
from pomoc.channels.web import spam
from pomoc.channels.web.config import WebFormConfig
from pomoc.core.middleware import AGENT_CSP
from pomoc.portal.access import is_customer
from pomoc.portal.context import portal_context
from pomoc.tickets.attachments import NewAttachment
from pomoc.tickets.models import CustomFieldDefinition, CustomFieldType

MAX_FILES = 5
SUGGESTIONS = 5


def _fields(config: WebFormConfig) -> list[CustomFieldDefinition]:
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(key__in=config.fields, active=True)}
    return [definitions[key] for key in config.fields if key in definitions]


def _value(definition: CustomFieldDefinition, raw: str):
    raw = (raw or "").strip()
    if definition.type == CustomFieldType.BOOLEAN:
        return raw in ("on", "true", "1")
    if not raw:
        return None
    if definition.type == CustomFieldType.NUMBER:
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw  # refused by the validation, with its message
        return int(number) if number.is_integer() else number
    return raw


def _embed_headers(response: HttpResponse, config: WebFormConfig) -> HttpResponse:
    """Only the form's allowed sites may frame it (CSP frame-ancestors; X-Frame-Options is left off
    here by ``xframe_options_exempt``, since it cannot name a site)."""
    ancestors = " ".join(config.embed_origins) or "'none'"
    response["Content-Security-Policy"] = AGENT_CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    return response


def _render(request, inbox, *, embed: bool, values=None, errors=None, status=200, visit="") -> HttpResponse:
    config = WebFormConfig.from_dict(inbox.config)
    values = values or {}
    user = request.user
    signed_in = is_customer(user) and getattr(user, "contact", None) is not None
    fields = []
    for definition in _fields(config):
        fields.append({"definition": definition, "name": f"cf_{definition.key}",
                       "value": values.get(f"cf_{definition.key}", ""),
                       "error": (errors or {}).get(f"cf_{definition.key}", "")})
    context = {
        **portal_context(request), "portal_section": "contact", "inbox": inbox, "embed": embed,
        "token": spam.form_token(), "visit": visit or secrets.token_hex(16), "values": values,
        "errors": errors or {}, "fields": fields, "signed_in": signed_in,
        "email": user.contact.email if signed_in else values.get("email", ""),
        "name": user.get_full_name() if signed_in else values.get("name", ""),
        "honeypot": spam.HONEYPOT, "department": inbox.department_id or "",
        "action": reverse("portal:contact-embed" if embed else "portal:contact"),
    }
    response = render(request, "portal/contact/form.html", context, status=status)
    return _embed_headers(response, config) if embed else response


def _submission(request, inbox, form_id: str) -> web.Submission:
    config = WebFormConfig.from_dict(inbox.config)
    user = request.user
    signed_in = is_customer(user) and getattr(user, "contact", None) is not None
    uploads = request.FILES.getlist("files")[:MAX_FILES]
    return web.Submission(
        email=user.contact.email if signed_in else request.POST.get("email", "").strip(),
        name=user.get_full_name() if signed_in else request.POST.get("name", "").strip(),
        subject=request.POST.get("subject", "").strip(), text=request.POST.get("text", ""), form_id=form_id,
        custom_fields={d.key: _value(d, request.POST.get(f"cf_{d.key}", "")) for d in _fields(config)},
        attachments=[NewAttachment(file_name=u.name, content=u, content_type=u.content_type or "") for u in uploads],
        visit_key=request.POST.get("visit", "")[:64], language=get_language() or "")


def _thanks(embed: bool, inbox, **query) -> str:
    if embed:
        query.update(embed=1, department=inbox.department_id or "")
    return reverse("portal:contact-thanks") + ("?" + urlencode(query) if query else "")


def _form(request, *, embed: bool):
    inbox = web.form_inbox(request.GET.get("department") or request.POST.get("department"))
    if inbox is None:
        mailbox = Inbox.objects.filter(kind="email", active=True).exclude(address="").order_by("id").first()
        response = render(request, "portal/contact/none.html", {
            **portal_context(request), "portal_section": "contact", "embed": embed,
            "address": mailbox.address if mailbox else ""}, status=404)
        return _embed_headers(response, WebFormConfig()) if embed else response
    if request.method != "POST":
        return _render(request, inbox, embed=embed)
    values = {key: request.POST.get(key, "") for key in request.POST if key not in ("csrfmiddlewaretoken", "token")}
    config = WebFormConfig.from_dict(inbox.config)
    if request.POST.get(spam.HONEYPOT):
        # A robot filled the field people never see: it is told all went well, and nothing is stored.
        return redirect(_thanks(embed, inbox))
    if spam.is_blocked(request):
        return _render(request, inbox, embed=embed, values=values, status=429, visit=values.get("visit", ""),
                       errors={"form": _("Too many forms from your network in a short time. Please try again "
                                         "in an hour, or write to us by e-mail.")})
    form_id, problem = spam.read_token(request.POST.get("token", ""), min_seconds=config.min_seconds)
    if problem:
        message = {"fast": _("That was quicker than a person can type. Please check the form and send it again."),
                   "expired": _("The form was open for too long. Please send it again.")}.get(
            problem, _("The form could not be read. Please send it again."))
        return _render(request, inbox, embed=embed, values=values, errors={"form": message}, status=400,
                       visit=values.get("visit", ""))
    spam.count(request)
    try:
        outcome = web.form_submit(inbox=inbox, submission=_submission(request, inbox, form_id),
                                  signed_in_contact=request.user.contact if is_customer(request.user) else None)
    except ValidationError as error:
        errors = {key: " ".join(messages) for key, messages in error.message_dict.items()}
        return _render(request, inbox, embed=embed, values=values, errors=errors, status=400,
                       visit=values.get("visit", ""))
    if outcome.pending:
        return redirect(_thanks(embed, inbox, pending=1))
    if is_customer(request.user) and not embed:
        return redirect("portal:ticket", number=outcome.ticket.number)
    return redirect(_thanks(embed, inbox, number=outcome.ticket.number))


@require_http_methods(["GET", "POST"])
def contact(request):
    return _form(request, embed=False)


@csrf_exempt  # shown in another site's frame, where our cookies are not sent; protected by its signed token
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def contact_embed(request):
    return _form(request, embed=True)


@xframe_options_exempt
@require_safe
def contact_thanks(request):
    embed = request.GET.get("embed") == "1"
    number = request.GET.get("number", "")
    context = {**portal_context(request), "portal_section": "contact", "embed": embed,
               "number": number if number.isdigit() else "", "pending": request.GET.get("pending") == "1"}
    response = render(request, "portal/contact/thanks.html", context)
    if embed:
        inbox = web.form_inbox(request.GET.get("department"))
        _embed_headers(response, WebFormConfig.from_dict(inbox.config if inbox else {}))
    return response


@require_http_methods(["GET", "POST"])
def contact_confirm(request, token):
    """GET shows a button (mail scanners open links); the click opens the ticket."""
    if request.method == "POST":
        ticket = web.pending_confirm(token=token)
        if ticket is None:
            return render(request, "portal/accounts/link_invalid.html", {**portal_context(request)}, status=400)
        return redirect(reverse("portal:contact-thanks") + f"?number={ticket.number}")
    return render(request, "portal/contact/confirm.html", {**portal_context(request), "portal_section": "contact"})


def _search():
    try:
        return importlib.import_module("pomoc.search.selectors")
    except ImportError:  # the knowledge base is not installed: no suggestions
        return None


@require_safe
def contact_suggest(request):
    """Articles matching what the visitor types as the subject (the knowledge base's search)."""
    text = request.GET.get("q", "").strip()[:200]
    search = _search()
    if len(text) < 3 or search is None:
        return JsonResponse({"articles": []})
    hits = search.suggest(text, language=get_language(), kinds=["article"], limit=SUGGESTIONS)
    if not hits:  # nothing in the visitor's language: an article in another one still helps
        hits = search.suggest(text, kinds=["article"], limit=SUGGESTIONS)
    return JsonResponse({"articles": [{"title": hit.title, "url": hit.url} for hit in hits]})


@csrf_exempt  # a counter sent by the (possibly embedded) form page; it changes no one's data
@require_POST
def contact_visit(request):
    inbox = web.form_inbox(request.POST.get("department"))
    if inbox is None:
        return JsonResponse({"error": _("There is no contact form here.")}, status=404)
    try:
        web.visit_article_opened(inbox=inbox, visit_key=request.POST.get("visit", ""),
                                 article_url=request.POST.get("article", ""))
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"ok": True})

