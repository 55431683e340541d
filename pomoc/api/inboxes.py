"""Inboxes of every channel kind, and the kinds themselves. Only administrators (as on /manage/).

The endpoints know no kind: ``pomoc.channels.services`` checks what every inbox has and lets the
registered kind check its config and secrets. Secrets are write-only: a response says which are set.
"""

import datetime as dt
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import ConfigDict, Field

from pomoc.api.schemas import (
    ERRORS,
    DepartmentRef,
    Id,
    In,
    Line,
    SafeStr,
    department_ref,
    require_admin,
)
from pomoc.channels import registry, services
from pomoc.channels import schemas as channel_schemas
from pomoc.channels.models import Inbox

router = Router()
MAX_ID = 2**63 - 1

SECRETS_DESCRIPTION = ("Write-only. Names are the kind's `secret_names`; a value sets the secret (stored "
                       "encrypted), \"\" or null removes it, a name not given keeps it.")


class InboxOut(Schema):
    id: int
    kind: str = Field(description="A key of GET /channel-kinds.")
    name: str
    address: str = Field(description="What it means depends on the kind (e-mail: the address customers write to).")
    department: DepartmentRef | None = Field(description="New tickets from this inbox go there.")
    active: bool
    signature: str = Field(description="Plain text added under every reply and forward sent through this inbox.")
    config: dict[str, Any] = Field(description="The kind's typed settings, every key with its value.")
    secrets_set: list[str] = Field(description="Names of the secrets that are set; their values are never shown.")
    created_at: dt.datetime


def _kinds_schema(*, new: bool):
    """The body's schema, one variant per registered kind (its address, config keys and secrets)."""

    def replace(schema: dict, _model) -> None:
        variants = [channel_schemas.inbox_schema(kind, new=new) for kind in registry.kinds()]
        description = schema.get("description", "")
        schema.clear()
        schema.update({"oneOf" if new else "anyOf": variants, "description": description})

    return replace


class InboxIn(In):
    """A new inbox: `kind` says which (GET /channel-kinds); `address`, `config` and `secrets` are that kind's."""

    model_config = ConfigDict(json_schema_extra=_kinds_schema(new=True))

    kind: Line = Field(description="A key of GET /channel-kinds, e.g. `email`.")
    name: Line
    address: Line = ""
    department: Id | None = Field(None, description="A department id.")
    active: bool = True
    signature: SafeStr = Field("", max_length=2000)
    config: dict[str, Any] = Field(default_factory=dict,
                                   description="Keys of the kind's config; the ones not given get their defaults.")
    secrets: dict[str, str | None] = Field(default_factory=dict, description=SECRETS_DESCRIPTION)


class InboxPatchIn(In):
    """Changes to an inbox: `config` keys are the inbox's kind's (they are merged into its stored config)."""

    model_config = ConfigDict(json_schema_extra=_kinds_schema(new=False))

    name: Line = None
    address: Line = None
    department: Id | None = Field(None, description="A department id; null removes the department.")
    active: bool = None
    signature: SafeStr = Field(None, max_length=2000)
    config: dict[str, Any] = Field(None, description="Keys to change; the others stay as they are.")
    secrets: dict[str, str | None] = Field(None, description=SECRETS_DESCRIPTION)


class ChannelKindOut(Schema):
    key: str
    label: str
    address_label: str = Field(description="What an inbox's `address` means for this kind; \"\" when unused.")
    config: dict[str, Any] = Field(description="The default config: every key the kind knows, with its default.")
    secret_names: list[str]


def inbox_out(inbox: Inbox) -> dict:
    kind = registry.get(inbox.kind)
    config = kind.config.from_dict(inbox.config).to_dict() if kind is not None else dict(inbox.config or {})
    return {"id": inbox.pk, "kind": inbox.kind, "name": inbox.name, "address": inbox.address,
            "department": department_ref(inbox.department), "active": inbox.active,
            "signature": inbox.signature, "config": config,
            "secrets_set": sorted(inbox.secrets or {}), "created_at": inbox.created_at}


def kind_out(kind: registry.ChannelKind) -> dict:
    return {"key": kind.key, "label": str(kind.label), "address_label": str(kind.address_label or ""),
            "config": kind.config.from_dict(None).to_dict(), "secret_names": list(kind.secret_names)}


def _inbox(inbox_id: int) -> Inbox:
    if inbox_id > MAX_ID:  # no database takes it as an id
        raise Http404
    return get_object_or_404(Inbox.objects.select_related("department"), pk=inbox_id)


@router.get("/channel-kinds", response={200: list[ChannelKindOut], **ERRORS}, tags=["inboxes"],
            summary="The kinds of inbox this installation has")
def list_channel_kinds(request):
    require_admin(request.auth)
    return [kind_out(kind) for kind in registry.kinds()]


@router.get("/inboxes", response={200: list[InboxOut], **ERRORS}, tags=["inboxes"], summary="List inboxes")
def list_inboxes(request, kind: SafeStr | None = Query(None, description="A key of GET /channel-kinds."),
                 active: bool | None = None):
    require_admin(request.auth)
    qs = Inbox.objects.select_related("department").order_by("name", "id")
    if kind is not None:
        qs = qs.filter(kind=kind[:20])  # longer is no kind (Inbox.kind holds 20 characters)
    if active is not None:
        qs = qs.filter(active=active)
    return [inbox_out(inbox) for inbox in qs]


@router.post("/inboxes", response={201: InboxOut, **ERRORS}, tags=["inboxes"], summary="Create an inbox")
def create_inbox(request, payload: InboxIn):
    require_admin(request.auth)
    inbox = services.inbox_create(**payload.model_dump())
    return HttpStatus(201, inbox_out(_inbox(inbox.pk)))


@router.get("/inboxes/{int:inbox_id}", response={200: InboxOut, **ERRORS}, tags=["inboxes"], summary="Read an inbox")
def get_inbox(request, inbox_id: int):
    require_admin(request.auth)
    return inbox_out(_inbox(inbox_id))


@router.patch("/inboxes/{int:inbox_id}", response={200: InboxOut, **ERRORS}, tags=["inboxes"],
              summary="Change an inbox")
def update_inbox(request, inbox_id: int, payload: InboxPatchIn):
    """Only the fields given change; `config` keys are merged into the stored config."""
    require_admin(request.auth)
    inbox = _inbox(inbox_id)
    changes = payload.model_dump(exclude_unset=True)
    secrets = changes.pop("secrets", None)
    services.inbox_update(inbox=inbox, changes=changes, secrets=secrets)
    return inbox_out(_inbox(inbox_id))


@router.post("/inboxes/{int:inbox_id}/deactivate", response={200: InboxOut, **ERRORS}, tags=["inboxes"],
             summary="Deactivate an inbox (nothing more is received through it; its tickets stay)")
def deactivate_inbox(request, inbox_id: int):
    require_admin(request.auth)
    inbox = _inbox(inbox_id)
    services.inbox_deactivate(inbox=inbox)
    return inbox_out(_inbox(inbox_id))
