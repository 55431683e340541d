"""Tags and saved views (personal inbox filters, or shared with every agent)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from pomoc.api.schemas import (
    ERRORS,
    Color,
    Deleted,
    In,
    Name,
    TicketFiltersIn,
    UserRef,
    require_manager,
    require_staff,
    user_ref,
)
from pomoc.core.text import text_problem
from pomoc.tickets.models import SavedView, Tag
from pomoc.tickets.permissions import PermissionDenied
from pomoc.tickets.saved_views import saved_view_create, saved_view_update
from pomoc.tickets.selectors import saved_views_for
from pomoc.tickets.tags import tag_create
from pomoc.tickets.view_counts import COUNT_CAP, all_views, with_counts

router = Router()


class TagOut(Schema):
    id: int
    name: str
    color: str


class TagIn(In):
    name: Name = Field(max_length=50)
    color: Color = Field("", description="#rrggbb, or \"\" for none.")


class SavedViewOut(Schema):
    id: int
    name: str
    filters: dict[str, Any] = Field(description="Query parameters of GET /tickets.")
    shared: bool
    owner: UserRef
    mine: bool
    created_at: dt.datetime


class ViewCountOut(Schema):
    key: str = Field(description="mine, unassigned, open, pending, resolved, dept-<id> or saved-<id>")
    name: str
    filters: dict[str, Any] = Field(description="Query parameters of GET /tickets.")
    count: int | None = Field(description="Tickets in the view, at most `capped_at`; null when its filters "
                                          "are no longer valid.")
    capped: bool = Field(description="True when the view holds more than `capped_at` tickets.")
    capped_at: int
    saved_view_id: int | None


class SavedViewIn(In):
    name: Name = Field(max_length=100)
    filters: TicketFiltersIn = Field(default_factory=TicketFiltersIn, description="Query parameters of GET /tickets.")
    shared: bool = False


class SavedViewPatchIn(In):
    name: Name = Field(None, max_length=100)
    filters: TicketFiltersIn = None
    shared: bool = None


def tag_out(tag: Tag) -> dict:
    return {"id": tag.pk, "name": tag.name, "color": tag.color}


def view_out(view: SavedView, user) -> dict:
    return {"id": view.pk, "name": view.name, "filters": view.filters, "shared": view.shared,
            "owner": user_ref(view.owner), "mine": view.owner_id == user.pk, "created_at": view.created_at}


# --- tags -----------------------------------------------------------------------------------
@router.get("/tags", response={200: list[TagOut], **ERRORS}, tags=["tags"], summary="List tags")
def list_tags(request):
    require_staff(request.auth)
    return [tag_out(t) for t in Tag.objects.order_by("name")]


@router.post("/tags", response={201: TagOut, **ERRORS}, tags=["tags"], summary="Create a tag")
def create_tag(request, payload: TagIn):
    require_staff(request.auth)
    return HttpStatus(201, tag_out(tag_create(name=payload.name, color=payload.color)))


@router.delete("/tags/{name}", response={200: Deleted, **ERRORS}, tags=["tags"],
               summary="Delete a tag (it disappears from every ticket)")
def delete_tag(request, name: str):
    require_manager(request.auth)
    if text_problem(name):  # no tag is named so, and PostgreSQL cannot compare a NUL
        raise Http404
    tag = get_object_or_404(Tag, name=name.lower())
    with transaction.atomic():
        tag.delete()
    return {"deleted": True}


# --- saved views ----------------------------------------------------------------------------
def _own_view(user, view_id: int) -> SavedView:
    view = get_object_or_404(saved_views_for(user), pk=view_id)
    if view.owner_id != user.pk:
        raise PermissionDenied(_("Only the owner can change a saved view."))
    return view


@router.get("/views", response={200: list[SavedViewOut], **ERRORS}, tags=["saved views"],
            summary="Your saved views and the shared ones")
def list_views(request):
    require_staff(request.auth)
    return [view_out(v, request.auth) for v in saved_views_for(request.auth).order_by("name", "id")]


@router.get("/views/counts", response={200: list[ViewCountOut], **ERRORS}, tags=["saved views"],
            summary="Every inbox view with its ticket count")
def view_counts(request):
    """The built-in views (mine, unassigned, open, pending, resolved, one per department of yours) and
    the saved ones, each with how many tickets it holds. Counts stop at `capped_at` and may be up to
    20 seconds old (they are cached per user and view); the ticket lists themselves are always fresh."""
    require_staff(request.auth)
    views = all_views(request.auth)
    with_counts(request.auth, views)
    return [{"key": v["key"], "name": v["name"], "filters": v["filters"], "count": v["count"],
             "capped": v["capped"], "capped_at": COUNT_CAP, "saved_view_id": v["saved"].pk if v["saved"] else None}
            for v in views]


@router.post("/views", response={201: SavedViewOut, **ERRORS}, tags=["saved views"], summary="Save a view")
def create_view(request, payload: SavedViewIn):
    require_staff(request.auth)
    view = saved_view_create(owner=request.auth, **payload.model_dump(exclude_none=True))
    return HttpStatus(201, view_out(view, request.auth))


@router.get("/views/{int:view_id}", response={200: SavedViewOut, **ERRORS}, tags=["saved views"],
            summary="Read a saved view")
def get_view(request, view_id: int):
    require_staff(request.auth)
    return view_out(get_object_or_404(saved_views_for(request.auth), pk=view_id), request.auth)


@router.patch("/views/{int:view_id}", response={200: SavedViewOut, **ERRORS}, tags=["saved views"],
              summary="Change one of your saved views")
def update_view(request, view_id: int, payload: SavedViewPatchIn):
    require_staff(request.auth)
    view = _own_view(request.auth, view_id)
    view = saved_view_update(view=view, changes=payload.model_dump(exclude_unset=True))
    return view_out(view, request.auth)


@router.delete("/views/{int:view_id}", response={200: Deleted, **ERRORS}, tags=["saved views"],
               summary="Delete one of your saved views")
def delete_view(request, view_id: int):
    require_staff(request.auth)
    _own_view(request.auth, view_id).delete()
    return {"deleted": True}
