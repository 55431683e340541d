"""Users and departments. Staff read; administrators create and change."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from pomoc.accounts import services
from pomoc.accounts.models import Department, Role
from pomoc.api.pagination import id_page
from pomoc.api.schemas import (
    ERRORS,
    Deleted,
    Error,
    Id,
    In,
    LanguageCode,
    Line,
    Name,
    OptionalEmail,
    PageCursor,
    Password,
    RoleName,
    SafeStr,
    TimeZoneName,
    Username,
    require_admin,
    require_staff,
)

router = Router()
User = get_user_model()


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    name: str
    role: RoleName
    language: str
    time_zone: str
    signature: str = Field(description="Added under the user's replies and forwards that ask for it (plain text).")
    is_active: bool
    departments: list[int]
    contact: int | None = Field(description="For customers: their contact id.")
    last_login: dt.datetime | None
    date_joined: dt.datetime


class UserPage(Schema):
    items: list[UserOut]
    next_cursor: str | None


class UserCreateIn(In):
    username: Username = Field(max_length=150)
    email: OptionalEmail = Field("", max_length=254)
    first_name: Line = Field("", max_length=150)
    last_name: Line = Field("", max_length=150)
    role: RoleName = Role.AGENT
    departments: list[Id] = Field(default_factory=list)
    language: LanguageCode = ""
    time_zone: TimeZoneName = ""
    is_active: bool = True
    password: Password | None = Field(None, description="Write-only; without one the user cannot log in yet.")


class UserPatchIn(In):
    email: OptionalEmail = Field(None, max_length=254)
    first_name: Line = Field(None, max_length=150)
    last_name: Line = Field(None, max_length=150)
    role: RoleName = None
    departments: list[Id] = None
    language: LanguageCode = None
    time_zone: TimeZoneName = None
    is_active: bool = None
    password: Password = Field(None, description="Write-only.")
    signature: SafeStr = Field(None, max_length=2000, description="Plain text added under the user's replies.")


class DepartmentOut(Schema):
    id: int
    name: str
    description: str
    members: list[int]
    created_at: dt.datetime


class DepartmentIn(In):
    name: Name = Field(max_length=100)
    description: SafeStr = ""
    members: list[Id] = Field(default_factory=list, description="User ids.")


class DepartmentPatchIn(In):
    name: Name = Field(None, max_length=100)
    description: SafeStr = None
    members: list[Id] = Field(None, description="User ids; replaces the members.")


def user_out(user) -> dict:
    contact = getattr(user, "contact", None) if user.role == Role.CUSTOMER else None
    return {
        "id": user.pk, "username": user.username, "email": user.email, "first_name": user.first_name,
        "last_name": user.last_name, "name": user.display_name, "role": user.role, "language": user.language,
        "time_zone": user.time_zone, "signature": user.signature, "is_active": user.is_active,
        "departments": sorted(d.pk for d in user.departments.all()),
        "contact": contact.pk if contact else None,
        "last_login": user.last_login, "date_joined": user.date_joined,
    }


def _users():
    return User.objects.select_related("contact").prefetch_related("departments")


def department_out(department: Department) -> dict:
    return {"id": department.pk, "name": department.name, "description": department.description,
            "members": sorted(u.pk for u in department.members.all()), "created_at": department.created_at}


def _department(department_id: int) -> Department:
    return get_object_or_404(Department.objects.prefetch_related("members"), pk=department_id)


# --- me and users ---------------------------------------------------------------------------
@router.get("/me", response={200: UserOut, 401: Error}, tags=["users"], summary="Who am I")
def me(request):
    return user_out(_users().get(pk=request.auth.pk))


@router.get("/users", response={200: UserPage, **ERRORS}, tags=["users"], summary="List users")
def list_users(request, q: SafeStr | None = Query(None, description="Username, name or e-mail contains."),
               role: RoleName | None = None, is_active: bool | None = None,
               cursor: PageCursor | None = None, limit: int | None = Query(None, ge=1, le=200)):
    require_staff(request.auth)
    qs = _users()
    if q and q.strip():
        text = q.strip()[:150]
        qs = qs.filter(Q(username__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
                       | Q(email__icontains=text))
    if role:
        qs = qs.filter(role=role)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    rows, next_cursor = id_page(qs, cursor=cursor, limit=limit)
    return {"items": [user_out(u) for u in rows], "next_cursor": next_cursor}


@router.post("/users", response={201: UserOut, **ERRORS}, tags=["users"], summary="Create a user")
def create_user(request, payload: UserCreateIn):
    require_admin(request.auth)
    user = services.user_create(**payload.model_dump())
    return HttpStatus(201, user_out(_users().get(pk=user.pk)))


@router.get("/users/{int:user_id}", response={200: UserOut, **ERRORS}, tags=["users"], summary="Read a user")
def get_user(request, user_id: int):
    require_staff(request.auth)
    return user_out(get_object_or_404(_users(), pk=user_id))


@router.patch("/users/{int:user_id}", response={200: UserOut, **ERRORS}, tags=["users"], summary="Change a user")
def update_user(request, user_id: int, payload: UserPatchIn):
    require_admin(request.auth)
    user = get_object_or_404(User, pk=user_id)
    services.user_update(user=user, actor=request.auth, changes=payload.model_dump(exclude_unset=True))
    return user_out(_users().get(pk=user_id))


# --- departments ----------------------------------------------------------------------------
@router.get("/departments", response={200: list[DepartmentOut], **ERRORS}, tags=["departments"],
            summary="List departments")
def list_departments(request):
    require_staff(request.auth)
    return [department_out(d) for d in Department.objects.prefetch_related("members").order_by("name")]


@router.post("/departments", response={201: DepartmentOut, **ERRORS}, tags=["departments"],
             summary="Create a department")
def create_department(request, payload: DepartmentIn):
    require_admin(request.auth)
    department = services.department_create(**payload.model_dump())
    return HttpStatus(201, department_out(_department(department.pk)))


@router.get("/departments/{int:department_id}", response={200: DepartmentOut, **ERRORS}, tags=["departments"],
            summary="Read a department")
def get_department(request, department_id: int):
    require_staff(request.auth)
    return department_out(_department(department_id))


@router.patch("/departments/{int:department_id}", response={200: DepartmentOut, **ERRORS}, tags=["departments"],
              summary="Change a department")
def update_department(request, department_id: int, payload: DepartmentPatchIn):
    require_admin(request.auth)
    department = _department(department_id)
    services.department_update(department=department, changes=payload.model_dump(exclude_unset=True))
    return department_out(_department(department_id))


@router.delete("/departments/{int:department_id}", response={200: Deleted, **ERRORS}, tags=["departments"],
               summary="Delete a department (its tickets keep going, without a department)")
def delete_department(request, department_id: int):
    require_admin(request.auth)
    department = _department(department_id)
    with transaction.atomic():
        department.delete()
    return {"deleted": True}


@router.get("/departments/{int:department_id}/members", response={200: list[UserOut], **ERRORS},
            tags=["departments"], summary="Members of a department")
def department_members(request, department_id: int):
    require_staff(request.auth)
    department = _department(department_id)
    return [user_out(u) for u in _users().filter(departments=department).order_by("username")]
