"""Canned responses: texts with placeholders that agents insert into replies (docs/automation.md).

Who sees what: every agent sees the shared ones, their own personal ones and those of the departments
they belong to; administrators and supervisors also see every department's; nobody sees another
person's personal ones (404, as for a missing one). A personal one is changed by its owner only;
department and shared ones by administrators and supervisors (403 otherwise)."""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus
from pydantic import BeforeValidator, Field

from pomoc.accounts.models import Department
from pomoc.api.schemas import (
    ERRORS,
    TEXT_PATTERN,
    Deleted,
    DepartmentRef,
    Id,
    In,
    SafeStr,
    UserRef,
    _safe_text,
    _schema,
    department_ref,
    language_codes,
    require_staff,
    user_ref,
)
from pomoc.automation.canned import services
from pomoc.automation.canned.models import CannedResponse, Scope
from pomoc.automation.canned.permissions import access_canned, may_change_canned, visible_canned
from pomoc.core import refusals
from pomoc.tickets.permissions import access_ticket_by_number

router = Router(tags=["canned responses"])

ScopeName = Literal[tuple(Scope.values)]  # type: ignore[valid-type]
CannedName = Annotated[str, BeforeValidator(_safe_text), _schema(pattern=r"^#?[A-Za-z0-9][A-Za-z0-9_-]{0,49}$")]
"""What an agent types after ``#``: stored in lower case, without the ``#``."""
CannedText = Annotated[str, BeforeValidator(_safe_text), Field(max_length=services.MAX_BODY),
                       _schema(pattern=r"^[^\x00]*[^\s\x00][^\x00]*$")]
"""Text that is not blank, with placeholders (``{{ customer.first_name }}``); a template that cannot be
parsed is refused with the type ``invalid_content`` and the line."""
VariantText = Annotated[str, BeforeValidator(_safe_text), Field(max_length=services.MAX_BODY),
                        _schema(pattern=TEXT_PATTERN)]
Variants = Annotated[dict[str, VariantText], _schema(propertyNames={"enum": language_codes()[1:]})]
"""The text per language code (en, cs, pl, et); an empty text means none in that language."""


class CannedAttachmentOut(Schema):
    id: str
    file_name: str
    content_type: str
    size: int
    url: str = Field(description="Download link of the agent interface (session login).")


class CannedOut(Schema):
    id: int
    name: str
    scope: ScopeName
    department: DepartmentRef | None
    owner: UserRef | None
    body: str
    variants: dict[str, str]
    attachments: list[CannedAttachmentOut]
    usage_count: int
    last_used_at: dt.datetime | None
    can_change: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CannedIn(In):
    name: CannedName
    body: CannedText
    scope: ScopeName = Field(Scope.PERSONAL, description="personal (yours), department or shared: the last two "
                                                          "for administrators and supervisors only.")
    department_id: Id | None = Field(None, description="The department that uses it (scope department only: an "
                                                        "unknown or missing one is refused as invalid_reference).")
    variants: Variants = Field(default_factory=dict)


class CannedPatchIn(In):
    name: CannedName = None
    body: CannedText = None
    scope: ScopeName = None
    department_id: Id | None = None
    variants: Variants = Field(None, description="Replaces every variant.")


class RenderIn(In):
    ticket: Id | None = Field(None, description="Number of the ticket the text is for (placeholders, language).")
    count_use: bool = Field(False, description="Count this as one use (the agent inserts it).")


class RenderOut(Schema):
    text: str
    html: str
    language: str = Field(description="The variant chosen by the customer's language; \"\" for the main text.")
    attachments: list[CannedAttachmentOut]


def _attachment_out(attachment) -> dict:
    return {"id": attachment.public_id, "file_name": attachment.file_name, "content_type": attachment.content_type,
            "size": attachment.size, "url": reverse("canned:attachment", args=[attachment.public_id])}


def canned_out(canned: CannedResponse, user) -> dict:
    return {"id": canned.pk, "name": canned.name, "scope": canned.scope,
            "department": department_ref(canned.department), "owner": user_ref(canned.owner), "body": canned.body,
            "variants": {v.language: v.body for v in canned.variants.all()},
            "attachments": [_attachment_out(a) for a in canned.attachments.all()], "usage_count": canned.usage_count,
            "last_used_at": canned.last_used_at, "can_change": may_change_canned(user, canned),
            "created_at": canned.created_at, "updated_at": canned.updated_at}


def _department(department_id):
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise refusals.invalid_reference("department_id", _("No such department."))
    return department


def _loaded(user, canned_id: int) -> CannedResponse:
    canned = access_canned(user, canned_id)
    return (CannedResponse.objects.select_related("owner", "department")
            .prefetch_related("variants", "attachments").get(pk=canned.pk))


@router.get("/canned", response={200: list[CannedOut], **ERRORS}, summary="List the canned responses you see")
def list_canned(request, q: SafeStr = ""):
    """Yours, your departments' (every department's for administrators and supervisors) and the shared
    ones, by name. ``q``: only those whose name or text contains it."""
    require_staff(request.auth)
    qs = visible_canned(request.auth)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip().lstrip("#")) | Q(body__icontains=q.strip()))
    qs = qs.select_related("owner", "department").prefetch_related("variants", "attachments").order_by("name", "id")
    return [canned_out(c, request.auth) for c in qs]


@router.post("/canned", response={201: CannedOut, **ERRORS}, summary="Create a canned response")
def create_canned(request, payload: CannedIn):
    require_staff(request.auth)
    canned = services.canned_create(actor=request.auth, name=payload.name, body=payload.body, scope=payload.scope,
                                    department=_department(payload.department_id), variants=payload.variants)
    return HttpStatus(201, canned_out(_loaded(request.auth, canned.pk), request.auth))


@router.get("/canned/{int:canned_id}", response={200: CannedOut, **ERRORS}, summary="Read a canned response")
def get_canned(request, canned_id: Id):
    require_staff(request.auth)
    return canned_out(_loaded(request.auth, canned_id), request.auth)


@router.patch("/canned/{int:canned_id}", response={200: CannedOut, **ERRORS}, summary="Change a canned response")
def update_canned(request, canned_id: Id, payload: CannedPatchIn):
    require_staff(request.auth)
    canned = access_canned(request.auth, canned_id)
    changes = payload.model_dump(exclude_unset=True)
    if "department_id" in changes:
        changes["department"] = _department(changes.pop("department_id"))
    changes = {key: value for key, value in changes.items() if value is not None or key == "department"}
    services.canned_update(canned=canned, actor=request.auth, changes=changes)
    return canned_out(_loaded(request.auth, canned_id), request.auth)


@router.delete("/canned/{int:canned_id}", response={200: Deleted, **ERRORS}, summary="Delete a canned response")
def delete_canned(request, canned_id: Id):
    require_staff(request.auth)
    services.canned_delete(canned=access_canned(request.auth, canned_id), actor=request.auth)
    return {"deleted": True}


@router.post("/canned/{int:canned_id}/render", response={200: RenderOut, **ERRORS},
             summary="Render a canned response for a ticket")
def render_canned(request, canned_id: Id, payload: RenderIn):
    """The text for the ticket's customer: the variant in their language (else the main text), with the
    placeholders filled from the ticket, its customer and you. With ``count_use`` it counts one use."""
    require_staff(request.auth)
    canned = _loaded(request.auth, canned_id)
    ticket = access_ticket_by_number(request.auth, payload.ticket) if payload.ticket is not None else None
    text, html, _files = services.canned_render(canned, ticket=ticket, agent=request.auth, with_attachments=False)
    if payload.count_use:
        services.canned_used(canned=canned)
    language = services.customer_language(ticket)
    return {"text": text, "html": html,
            "language": language if any(v.language == language for v in canned.variants.all()) else "",
            "attachments": [_attachment_out(a) for a in canned.attachments.all()]}
