"""Every write to canned responses, and their rendering for a ticket.

Callers check visibility first (``permissions.access_canned``); these functions check who may
change what (``require_may_change_canned``) and validate the text as a template."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department
from pomoc.automation.canned.models import CannedAttachment, CannedResponse, CannedVariant, Scope
from pomoc.automation.canned.permissions import manages_team_canned, require_may_change_canned
from pomoc.automation.placeholders import context_for, render, template_error
from pomoc.core import refusals
from pomoc.core.sanitize import text_to_html
from pomoc.core.text import text_problem
from pomoc.core.transactional_files import delete_after_commit, delete_unless_committed
from pomoc.tickets.attachments import NewAttachment, clean_file_name, validate_attachments
from pomoc.tickets.attachments import _sniff_type as sniff_type
from pomoc.tickets.permissions import PermissionDenied, require_staff

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,49}$"
LANGUAGES = tuple(code for code, _label in settings.LANGUAGES)
MAX_ATTACHMENTS = 10
MAX_BODY = 50_000


def clean_name(name: str) -> str:
    name = (name or "").strip().lstrip("#").lower()
    if not re.match(NAME_PATTERN, name):
        raise ValidationError({"name": _("Use 1 to 50 lower-case letters, digits, - or _ (what you type after #).")})
    return name


def clean_body(body: str, field: str = "body") -> str:
    body = (body or "").replace("\r\n", "\n")
    if not body.strip():
        raise ValidationError({field: _("A canned response needs a text.")})
    bad = text_problem(body)
    if bad:
        raise ValidationError({field: bad})
    if len(body) > MAX_BODY:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": MAX_BODY}})
    problem = template_error(body)
    if problem:
        raise ValidationError({field: refusals.refusal(problem, refusals.INVALID_CONTENT)})
    return body


def clean_variants(variants: Mapping[str, str]) -> dict[str, str]:
    cleaned = {}
    for language, body in variants.items():
        if language not in LANGUAGES:
            raise ValidationError({"variants": _("Unknown language: %(code)s.") % {"code": language}})
        if body and body.strip():
            cleaned[language] = clean_body(body, f"variants.{language}")
    return cleaned


def _owner_and_department(*, actor, scope: str, department: Department | None) -> tuple:
    if scope not in Scope.values:
        raise ValidationError({"scope": _("Unknown scope.")})
    if scope == Scope.PERSONAL:
        return actor, None
    if not manages_team_canned(actor):
        raise PermissionDenied(_("Only administrators and supervisors write department and shared canned "
                                 "responses."))
    if scope == Scope.DEPARTMENT:
        if department is None:
            raise refusals.invalid_reference("department", _("Choose the department that uses it."))
        return None, department
    return None, None


def _check_name_free(*, name: str, scope: str, owner, department, exclude: int | None = None) -> None:
    taken = CannedResponse.objects.filter(name=name, scope=scope, owner=owner, department=department)
    if exclude:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise refusals.conflict("name", _("There is already a canned response #%(name)s here.") % {"name": name})


def _set_variants(canned: CannedResponse, variants: dict[str, str]) -> None:
    canned.variants.all().delete()
    CannedVariant.objects.bulk_create(CannedVariant(canned=canned, language=language, body=body)
                                      for language, body in sorted(variants.items()))


def canned_create(*, actor, name: str, body: str, scope: str = Scope.PERSONAL, department: Department | None = None,
                  variants: Mapping[str, str] | None = None, attachments: Iterable[NewAttachment] = ()
                  ) -> CannedResponse:
    """A new canned response: personal (the actor's), for a department or shared (administrators
    and supervisors only). ``variants``: the text per language code, for customers speaking it."""
    require_staff(actor)
    name = clean_name(name)
    body = clean_body(body)
    variants = clean_variants(variants or {})
    owner, department = _owner_and_department(actor=actor, scope=scope, department=department)
    attachments = validate_attachments(attachments)
    with transaction.atomic():
        _check_name_free(name=name, scope=scope, owner=owner, department=department)
        now = timezone.now()
        canned = CannedResponse.objects.create(name=name, body=body, scope=scope, owner=owner, department=department,
                                               created_by=actor, created_at=now, updated_at=now)
        _set_variants(canned, variants)
        _store_attachments(canned, attachments)
    return canned


CHANGE_FIELDS = ("name", "body", "scope", "department", "variants")


def canned_update(*, canned: CannedResponse, actor, changes: Mapping) -> CannedResponse:
    """Change the given fields (any of ``CHANGE_FIELDS``); ``variants`` replaces all variants."""
    require_may_change_canned(actor, canned)
    unknown = set(changes) - set(CHANGE_FIELDS)
    if unknown:
        raise ValidationError({key: _("Unknown field.") for key in sorted(unknown)})
    name = clean_name(changes["name"]) if "name" in changes else canned.name
    body = clean_body(changes["body"]) if "body" in changes else canned.body
    variants = clean_variants(changes["variants"]) if "variants" in changes else None
    scope = changes.get("scope", canned.scope)
    department = changes.get("department", canned.department)
    if scope == Scope.PERSONAL:
        owner = canned.owner if canned.scope == Scope.PERSONAL else actor
        department = None
    else:
        owner, department = _owner_and_department(actor=actor, scope=scope, department=department)
    with transaction.atomic():
        _check_name_free(name=name, scope=scope, owner=owner, department=department, exclude=canned.pk)
        canned.name, canned.body, canned.scope = name, body, scope
        canned.owner, canned.department, canned.updated_at = owner, department, timezone.now()
        canned.save(update_fields=["name", "body", "scope", "owner", "department", "updated_at"])
        if variants is not None:
            _set_variants(canned, variants)
    return canned


def canned_delete(*, canned: CannedResponse, actor) -> None:
    require_may_change_canned(actor, canned)
    with transaction.atomic():
        names = [a.file.name for a in canned.attachments.all()]
        storage = CannedAttachment._meta.get_field("file").storage
        canned.delete()
        delete_after_commit(storage, names)


def _store_attachments(canned: CannedResponse, attachments: list[NewAttachment]) -> list[CannedAttachment]:
    if canned.attachments.count() + len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(n)d attachments per canned response.")
                               % {"n": MAX_ATTACHMENTS}})
    stored = []
    for item in attachments:
        data = item.content if isinstance(item.content, bytes) else item.content.read()
        row = CannedAttachment(canned=canned, file_name=clean_file_name(item.file_name),
                               content_type=sniff_type(data[:16], item.file_name, item.content_type), size=len(data))
        row.file.save(row.public_id, ContentFile(data), save=False)
        row.save()
        storage, name = row.file.storage, row.file.name
        delete_unless_committed(storage, name, still_referenced=CannedAttachment.objects.filter(file=name).exists)
        stored.append(row)
    return stored


def canned_attachments_add(*, canned: CannedResponse, actor, attachments: Iterable[NewAttachment]
                           ) -> list[CannedAttachment]:
    require_may_change_canned(actor, canned)
    attachments = validate_attachments(attachments)
    with transaction.atomic():
        return _store_attachments(canned, attachments)


def canned_attachment_remove(*, attachment: CannedAttachment, actor) -> None:
    require_may_change_canned(actor, attachment.canned)
    with transaction.atomic():
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        delete_after_commit(storage, [name])


def canned_used(*, canned: CannedResponse) -> None:
    """Count one use (an agent inserted it into a reply)."""
    CannedResponse.objects.filter(pk=canned.pk).update(usage_count=F("usage_count") + 1,
                                                         last_used_at=timezone.now())


def customer_language(ticket) -> str:
    """The customer's language as one of ours ("cs-CZ" → "cs"), or ""."""
    if ticket is None:
        return ""
    language = (ticket.requester.language or "").lower().replace("_", "-").split("-")[0]
    return language if language in LANGUAGES else ""


def canned_text_for(canned: CannedResponse, language: str) -> str:
    """The variant in ``language`` if there is one, else the main text."""
    for variant in canned.variants.all():
        if variant.language == language:
            return variant.body
    return canned.body


def attachment_contents(canned: CannedResponse) -> list[NewAttachment]:
    out = []
    for attachment in canned.attachments.all():
        with attachment.file.open("rb") as handle:
            out.append(NewAttachment(file_name=attachment.file_name, content=handle.read(),
                                     content_type=attachment.content_type))
    return out


def canned_render(canned: CannedResponse, *, ticket, agent, body: str | None = None, language: str | None = None,
                  with_attachments: bool = True) -> tuple[str, str, list[NewAttachment]]:
    """The canned response for ``ticket`` written by ``agent``: (text, html, attachments), in the
    customer's language when it has a variant in it, placeholders filled (labels in that language).
    ``body`` renders an unsaved text instead and ``language`` replaces the customer's (the editor's
    preview). Counts no use."""
    language = language if language in LANGUAGES else customer_language(ticket)
    text = body if body is not None else canned_text_for(canned, language)
    rendered = render(text, context_for(ticket=ticket, agent=agent, language=language or None))
    return rendered, text_to_html(rendered), attachment_contents(canned) if with_attachments else []
