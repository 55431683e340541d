"""Contacts (people, with identities) and companies. Staff only."""

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import ConfigDict, Field

from pomoc.api.pagination import id_page
from pomoc.api.schemas import (
    ERRORS,
    NOT_BLANK_LINE_PATTERN,
    CompanyRef,
    CustomFieldValues,
    Deleted,
    DomainName,
    Id,
    IdentityKindName,
    In,
    LanguageCode,
    Line,
    Name,
    PageCursor,
    SafeStr,
    company_ref,
    require_manager,
    require_staff,
)
from pomoc.contacts import merging, privacy, proposals, services
from pomoc.contacts.models import (
    Company,
    Contact,
    ContactMerge,
    Identity,
    MergeProposal,
    PortalVisibility,
    ProposalStatus,
)

router = Router(tags=["contacts"])


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    verified: bool
    bounced: bool


IDENTITY_VALUE_RULES = {
    "oneOf": [
        {"properties": {"kind": {"const": "email"}, "value": {"format": "email"}}},
        {"properties": {"kind": {"const": "phone"}, "value": {"pattern": "^\\+?[1-9][0-9]{4,14}$"}}},
        {"properties": {"kind": {"enum": ["chat", "social"]}, "value": {"pattern": NOT_BLANK_LINE_PATTERN}}},
    ],
}


class IdentityIn(In):
    model_config = ConfigDict(json_schema_extra=IDENTITY_VALUE_RULES)

    kind: IdentityKindName
    value: Line = Field(max_length=320, description="email: an address; phone: 5–15 digits, “+” or “00” "
                                                    "first for the country (spaces, dashes, dots and "
                                                    "brackets are dropped); chat, social: not blank.")


class ContactOut(Schema):
    id: int
    name: str
    company: CompanyRef | None
    language: str
    time_zone: str
    notes: str
    bounced: bool
    user: int | None = Field(description="Id of the portal login, if the contact has one.")
    identities: list[IdentityOut]
    tags: list[str]
    custom_fields: dict[str, Any] = Field(description="Values of the custom fields defined for contacts.")
    merged_into: int | None = Field(description="Set while this contact is merged into another.")
    created_at: dt.datetime


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class ContactCreateIn(In):
    name: Line = Field("", max_length=200)
    company: Id | None = None
    language: LanguageCode = ""
    notes: SafeStr = ""
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)


class ContactPatchIn(In):
    name: Line = Field(None, max_length=200)
    company: Id | None = None
    language: LanguageCode = None
    time_zone: Line = Field(None, max_length=64, description="An IANA time zone (Europe/Prague); empty for none.")
    notes: SafeStr = None
    custom_fields: CustomFieldValues = Field(None, description="Merged into the stored values; null clears one.")


class ContactMergeIn(In):
    source: Id = Field(description="Id of the contact merged into this one (kept hidden until the merge is undone).")


class ContactMergeRequest(In):
    source: Id = Field(description="The contact whose identities, tickets, answers… move.")
    target: Id = Field(description="The contact they move to.")


class ContactMergeOut(Schema):
    id: int
    source: int
    target: int
    moved: dict[str, Any] = Field(description="What moved, by source of personal data (ids).")
    merged_at: dt.datetime
    undone_at: dt.datetime | None


class MergeProposalOut(Schema):
    id: int
    first: int
    second: int
    reason: str
    detail: str
    status: str
    created_at: dt.datetime


class MergeProposalPage(Schema):
    items: list[MergeProposalOut]
    next_cursor: str | None


class ContactErasureOut(Schema):
    contact: int
    counts: dict[str, int] = Field(description="Rows touched, by source of personal data.")


PortalVisibilityName = Literal[tuple(PortalVisibility.values)]  # type: ignore[valid-type]


class CompanyOut(Schema):
    id: int
    name: str
    domains: list[str]
    notes: str
    portal_visibility: str = Field(description="Whether the company's contacts see each other's tickets in the "
                                               "portal: inherit (the portal's setting), yes or no.")
    created_at: dt.datetime


class CompanyPage(Schema):
    items: list[CompanyOut]
    next_cursor: str | None


class CompanyIn(In):
    name: Name = Field(max_length=200)
    domains: list[DomainName] = Field(default_factory=list, max_length=50)
    notes: SafeStr = ""


class CompanyPatchIn(In):
    name: Name = Field(None, max_length=200)
    domains: list[DomainName] = Field(None, max_length=50)
    notes: SafeStr = None
    portal_visibility: PortalVisibilityName = Field(None, description="inherit (the portal's setting), yes or no.")


def contact_out(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "company": company_ref(contact.company),
        "language": contact.language,
        "time_zone": contact.time_zone,
        "notes": contact.notes,
        "bounced": contact.bounced,
        "user": contact.user_id,
        "identities": [
            {"id": i.pk, "kind": i.kind, "value": i.value, "verified": i.verified, "bounced": i.bounced}
            for i in contact.identities.all()
        ],
        "tags": [t.name for t in contact.tags.all()],
        "custom_fields": contact.custom_fields,
        "merged_into": contact.merged_into_id,
        "created_at": contact.created_at,
    }


def merge_out(merge: ContactMerge) -> dict:
    return {"id": merge.pk, "source": merge.source_id, "target": merge.target_id, "moved": merge.moved,
            "merged_at": merge.merged_at, "undone_at": merge.undone_at}


def company_out(company: Company) -> dict:
    return {"id": company.pk, "name": company.name, "domains": company.domains, "notes": company.notes,
            "portal_visibility": company.portal_visibility, "created_at": company.created_at}


def _contacts():
    return Contact.objects.select_related("company").prefetch_related("identities", "tags")


def _load_contact(contact_id: int) -> Contact:
    return get_object_or_404(_contacts(), pk=contact_id)


# --- contacts -------------------------------------------------------------------------------
@router.get("/contacts", response={200: ContactPage, **ERRORS}, summary="List contacts")
def list_contacts(request, q: SafeStr | None = Query(None, description="Name or identity contains."),
                  cursor: PageCursor | None = None, limit: int | None = Query(None, ge=1, le=200)):
    require_staff(request.auth)
    qs = _contacts().filter(merged_into__isnull=True)
    text = (q or "").strip()[:200]
    if text:
        matching = Identity.objects.filter(value__icontains=text.lower()).values("contact_id")
        qs = qs.filter(Q(name__icontains=text) | Q(pk__in=matching))
    rows, next_cursor = id_page(qs, cursor=cursor, limit=limit)
    return {"items": [contact_out(c) for c in rows], "next_cursor": next_cursor}


@router.post("/contacts", response={201: ContactOut, **ERRORS}, summary="Create a contact")
def create_contact(request, payload: ContactCreateIn):
    require_staff(request.auth)
    contact = services.contact_create(
        name=payload.name.strip(), identities=[(i.kind, i.value) for i in payload.identities],
        company=services.company_by_id(payload.company), language=payload.language, notes=payload.notes,
    )
    return HttpStatus(201, contact_out(_load_contact(contact.pk)))


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS}, summary="Read a contact")
def get_contact(request, contact_id: int):
    require_staff(request.auth)
    return contact_out(_load_contact(contact_id))


@router.patch("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS}, summary="Change a contact")
def update_contact(request, contact_id: int, payload: ContactPatchIn):
    require_staff(request.auth)
    contact = _load_contact(contact_id)
    services.contact_update(contact=contact, changes=payload.model_dump(exclude_unset=True), actor=request.auth)
    return contact_out(_load_contact(contact_id))


@router.post("/contacts/{int:contact_id}/identities", response={201: IdentityOut, **ERRORS},
             summary="Add an identity (e-mail, phone…) to a contact")
def add_identity(request, contact_id: int, payload: IdentityIn):
    require_staff(request.auth)
    contact = _load_contact(contact_id)
    identity = services.identity_add(contact=contact, kind=payload.kind, value=payload.value, actor=request.auth)
    return HttpStatus(201, {"id": identity.pk, "kind": identity.kind, "value": identity.value,
                            "verified": identity.verified, "bounced": identity.bounced})


@router.post("/contacts/{int:contact_id}/merge", response={200: ContactOut, **ERRORS},
             summary="Merge another contact into this one")
def merge_contacts(request, contact_id: int, payload: ContactMergeIn):
    require_staff(request.auth)
    target = _load_contact(contact_id)
    source = _load_contact(payload.source)
    merging.contact_merge(source=source, target=target, actor=request.auth)
    return contact_out(_load_contact(contact_id))


@router.post("/contact-merges", response={201: ContactMergeOut, **ERRORS}, summary="Merge two contacts",
             description="Everything of `source` moves to `target` in one transaction; the answer records "
                         "what moved, and `POST /contact-merges/{id}/undo` puts it back.")
def create_merge(request, payload: ContactMergeRequest):
    require_staff(request.auth)
    merge = merging.contact_merge(source=_load_contact(payload.source), target=_load_contact(payload.target),
                                  actor=request.auth)
    return HttpStatus(201, merge_out(merge))


@router.post("/contact-merges/{int:merge_id}/undo", response={200: ContactMergeOut, **ERRORS}, summary="Undo a merge")
def undo_merge(request, merge_id: int):
    require_staff(request.auth)
    merge = get_object_or_404(ContactMerge, pk=merge_id)
    merging.contact_unmerge(merge=merge, actor=request.auth)
    merge.refresh_from_db()
    return merge_out(merge)


@router.get("/merge-proposals", response={200: MergeProposalPage, **ERRORS}, summary="List open merge proposals")
def list_proposals(request, cursor: PageCursor | None = None, limit: int | None = Query(None, ge=1, le=200)):
    require_staff(request.auth)
    qs = MergeProposal.objects.filter(status=ProposalStatus.OPEN)
    rows, next_cursor = id_page(qs, cursor=cursor, limit=limit)
    return {"items": [proposal_out(p) for p in rows], "next_cursor": next_cursor}


def proposal_out(proposal: MergeProposal) -> dict:
    return {"id": proposal.pk, "first": proposal.first_id, "second": proposal.second_id, "reason": proposal.reason,
            "detail": proposal.detail, "status": proposal.status, "created_at": proposal.created_at}


@router.post("/merge-proposals/{int:proposal_id}/accept", response={201: ContactMergeOut, **ERRORS},
             summary="Accept a merge proposal (the newer contact merges into the older)")
def accept_proposal(request, proposal_id: int):
    require_staff(request.auth)
    proposal = get_object_or_404(MergeProposal.objects.select_related("first", "second"), pk=proposal_id)
    return HttpStatus(201, merge_out(proposals.proposal_accept(proposal=proposal, actor=request.auth)))


@router.post("/merge-proposals/{int:proposal_id}/dismiss", response={200: MergeProposalOut, **ERRORS},
             summary="Dismiss a merge proposal (the pair is not proposed again)")
def dismiss_proposal(request, proposal_id: int):
    require_staff(request.auth)
    proposal = get_object_or_404(MergeProposal, pk=proposal_id)
    return proposal_out(proposals.proposal_dismiss(proposal=proposal, actor=request.auth))


@router.post("/contacts/{int:contact_id}/export", response={200: bytes, **ERRORS},
             summary="Export a person's data (GDPR): a zip of data.json and their attachments",
             openapi_extra={"responses": {"200": {"description": "A zip file.",
                                                  "content": {"application/zip": {"schema": {
                                                      "type": "string", "format": "binary"}}}}}})
def export_contact(request, contact_id: int):
    require_manager(request.auth)
    data = privacy.contact_export(contact=_load_contact(contact_id), actor=request.auth)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact_id}.zip"'
    return response


@router.post("/contacts/{int:contact_id}/erase", response={200: ContactErasureOut, **ERRORS},
             summary="Erase a person's data (GDPR): anonymise them and their messages, keep ticket statistics")
def erase_contact(request, contact_id: int):
    require_manager(request.auth)
    audit = privacy.contact_erase(contact=_load_contact(contact_id), actor=request.auth)
    return {"contact": contact_id, "counts": audit.counts}


# --- companies ------------------------------------------------------------------------------
@router.get("/companies", response={200: CompanyPage, **ERRORS}, summary="List companies", tags=["companies"])
def list_companies(request, q: SafeStr | None = None, cursor: PageCursor | None = None,
                   limit: int | None = Query(None, ge=1, le=200)):
    require_staff(request.auth)
    qs = Company.objects.all()
    if q and q.strip():
        qs = qs.filter(name__icontains=q.strip()[:200])
    rows, next_cursor = id_page(qs, cursor=cursor, limit=limit)
    return {"items": [company_out(c) for c in rows], "next_cursor": next_cursor}


@router.post("/companies", response={201: CompanyOut, **ERRORS}, summary="Create a company", tags=["companies"])
def create_company(request, payload: CompanyIn):
    require_staff(request.auth)
    return HttpStatus(201, company_out(services.company_create(**payload.model_dump())))


@router.get("/companies/{int:company_id}", response={200: CompanyOut, **ERRORS}, summary="Read a company",
            tags=["companies"])
def get_company(request, company_id: int):
    require_staff(request.auth)
    return company_out(get_object_or_404(Company, pk=company_id))


@router.patch("/companies/{int:company_id}", response={200: CompanyOut, **ERRORS}, summary="Change a company",
              tags=["companies"])
def update_company(request, company_id: int, payload: CompanyPatchIn):
    require_staff(request.auth)
    company = get_object_or_404(Company, pk=company_id)
    return company_out(services.company_update(company=company, changes=payload.model_dump(exclude_unset=True),
                                               actor=request.auth))


@router.delete("/companies/{int:company_id}", response={200: Deleted, **ERRORS}, summary="Delete a company",
               tags=["companies"])
def delete_company(request, company_id: int):
    require_manager(request.auth)
    company = get_object_or_404(Company, pk=company_id)
    with transaction.atomic():
        company.delete()
    return {"deleted": True}
