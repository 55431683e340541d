"""The administrators' area: plain server-rendered forms. Access is decided by ``manage_view``."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pomoc.accounts import services
from pomoc.accounts.models import ApiToken, Department
from pomoc.accounts.permissions import manage_view
from pomoc.administration import forms
from pomoc.channels import registry
from pomoc.channels import services as inbox_services
from pomoc.channels.email import services as email_services
from pomoc.channels.email.downloads import raw_mail_response
from pomoc.channels.email.models import RawMail, RawMailStatus
from pomoc.channels.email.parsing import parse_mail
from pomoc.channels.models import Inbox
from pomoc.core.form_errors import add_service_errors
from pomoc.core.models import OrganisationSettings
from pomoc.tickets.models import CustomFieldDefinition, Tag
from pomoc.tickets.tags import tag_create, tag_update

User = get_user_model()
USERS_PER_PAGE = 50
T = TypeVar("T")
# Where a service's field name differs from the form's.
FORM_FIELDS = {"password": "password1"}


def _write(form, write: Callable[[], T], aliases: dict[str, str] | None = None) -> T | None:
    """Run a service call; on a ValidationError show its errors on ``form`` and return None."""
    try:
        return write()
    except ValidationError as error:
        add_service_errors(form, error, aliases={**FORM_FIELDS, **(aliases or {})})
        return None


def _read_only(form):
    for field in form.fields.values():
        field.disabled = True
    return form


def _page(request, template: str, section: str, context: dict, status: int = 200):
    return render(request, template, {"section": section, "can_manage": request.can_manage, **context},
                  status=status)


@manage_view(supervisors_may_read=True)
def home(request):
    return _page(request, "administration/home.html", "home", {})


# --- Users ------------------------------------------------------------------------------------


@manage_view(supervisors_may_read=True)
def users(request):
    search = forms.UserSearchForm(request.GET or None)
    qs = User.objects.order_by("username").prefetch_related("departments")
    if search.is_valid():
        q = search.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(
                Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
                | Q(email__icontains=q)
            )
        if search.cleaned_data["role"]:
            qs = qs.filter(role=search.cleaned_data["role"])
        if search.cleaned_data["active"]:
            qs = qs.filter(is_active=search.cleaned_data["active"] == "1")
    page = Paginator(qs, USERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(request, "administration/users.html", "users",
                 {"search": search, "page": page, "query": query.urlencode()})


@manage_view()
def user_create(request):
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                username=data["username"], email=data["email"], first_name=data["first_name"],
                last_name=data["last_name"], role=data["role"], departments=[d.pk for d in data["departments"]],
                language=data["language"], time_zone=data["time_zone"],
                password=data["password1"] or None, invite=data["invite"],
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases=FORM_FIELDS)
        else:
            if data["invite"]:
                messages.success(request, _("User %(name)s created; an invitation is on its way.")
                                 % {"name": user.username})
            else:
                messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("administration:user", pk=user.pk)
    return _page(request, "administration/user_form.html", "users", {"form": form, "target": None})


@manage_view(supervisors_may_read=True)
def user_detail(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    form = forms.UserEditForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {field: data[field] for field in forms.UserEditForm.base_fields
                   if field != "departments" and field not in forms.UserEditForm.ROUTING_FIELDS}
        changes["departments"] = [d.pk for d in data["departments"]]

        def save():
            user = services.user_update(user=target, actor=request.user, changes=changes)
            services.agent_routing_set(user=user, ticket_capacity=data["ticket_capacity"] or 0,
                                       languages=data["routing_languages"], skills=data["skills"].split(","))
            return user

        if _write(form, save):
            messages.success(request, _("Changes saved."))
            return redirect("administration:user", pk=target.pk)
    if not request.can_manage:
        _read_only(form)
    return _page(request, "administration/user_form.html", "users", {"form": form, "target": target})


@manage_view()
@require_POST
def user_deactivate(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    try:
        services.user_deactivate(user=target, actor=request.user)
    except ValidationError as error:
        for message in error.messages[:1]:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s can no longer log in.") % {"name": target.username})
    return redirect("administration:user", pk=target.pk)


@manage_view()
@require_POST
def user_invite(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    try:
        services.invitation_send(user=target)
    except ValidationError as error:
        for message in error.messages[:1]:
            messages.error(request, message)
    else:
        messages.success(request, _("An e-mail with a link to choose a password is on its way to %(email)s.")
                         % {"email": target.email})
    return redirect("administration:user", pk=target.pk)


# --- API tokens -------------------------------------------------------------------------------


@never_cache
@manage_view()
def user_tokens(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    form = forms.ApiTokenForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw_token = services.api_token_create(user=target, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error, aliases=FORM_FIELDS)
        else:
            form = forms.ApiTokenForm()
    tokens = ApiToken.objects.filter(user=target).order_by("-created_at", "-id")
    # The raw token is shown in this one response only; never_cache keeps it out of caches.
    return _page(request, "administration/tokens.html", "users",
                 {"target": target, "form": form, "tokens": tokens, "raw_token": raw_token})


@manage_view()
@require_POST
def token_revoke(request, pk: int, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user_id=pk)
    services.api_token_revoke(token=token)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.key_prefix})
    return redirect("administration:user_tokens", pk=pk)


# --- Departments ------------------------------------------------------------------------------


@manage_view(supervisors_may_read=True)
def departments(request):
    items = Department.objects.annotate(member_count=Count("members", distinct=True)).order_by("name")
    return _page(request, "administration/departments.html", "departments", {"departments": items})


@manage_view()
def department_create(request):
    return _department_form(request, None)


@manage_view(supervisors_may_read=True)
def department_edit(request, pk: int):
    return _department_form(request, get_object_or_404(Department, pk=pk))


def _department_form(request, department: Department | None):
    form = forms.DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"name": data["name"], "description": data["description"], "members": [u.pk for u in data["members"]],
                  **{key: data[key] for key in services.ROUTING_FIELDS}}
        saved = _write(form, lambda: services.department_create(**fields) if department is None
                       else services.department_update(department=department, changes=fields))
        if saved is not None:
            messages.success(request, _("Department %(name)s saved.") % {"name": saved.name})
            return redirect("administration:departments")
    if not request.can_manage:
        _read_only(form)
    return _page(request, "administration/department_form.html", "departments",
                 {"form": form, "department": department})


# --- Tags -------------------------------------------------------------------------------------


@manage_view()
def tags(request):
    items = Tag.objects.annotate(ticket_count=Count("tickets")).order_by("name")
    return _page(request, "administration/tags.html", "tags", {"tags": items})


@manage_view()
def tag_edit(request, pk: int | None = None):
    tag = get_object_or_404(Tag, pk=pk) if pk is not None else None
    form = forms.TagForm(request.POST or None, instance=tag)
    if request.method == "POST" and form.is_valid():
        fields = {"name": form.cleaned_data["name"], "color": form.cleaned_data["color"]}
        saved = _write(form, lambda: tag_create(**fields) if tag is None
                       else tag_update(tag=tag, changes=fields))
        if saved is not None:
            messages.success(request, _("Tag %(name)s saved.") % {"name": saved.name})
            return redirect("administration:tags")
    return _page(request, "administration/tag_form.html", "tags", {"form": form, "tag": tag})


@manage_view()
@require_POST
def tag_delete(request, pk: int):
    tag = get_object_or_404(Tag, pk=pk)
    name = tag.name
    tag.delete()
    messages.success(request, _("Tag %(name)s deleted; tickets that had it keep everything else.") % {"name": name})
    return redirect("administration:tags")


# --- Custom fields ----------------------------------------------------------------------------


@manage_view()
def custom_fields(request):
    items = CustomFieldDefinition.objects.order_by("-active", "label")
    return _page(request, "administration/custom_fields.html", "fields", {"fields": items})


@manage_view()
def custom_field_edit(request, pk: int | None = None):
    definition = get_object_or_404(CustomFieldDefinition, pk=pk) if pk is not None else None
    form = forms.CustomFieldForm(request.POST or None, instance=definition)
    if request.method == "POST" and form.is_valid():
        definition = form.save()
        messages.success(request, _("Field %(label)s saved.") % {"label": definition.label})
        return redirect("administration:custom_fields")
    return _page(request, "administration/custom_field_form.html", "fields",
                 {"form": form, "definition": definition})


# --- Organisation -----------------------------------------------------------------------------


@manage_view()
def organisation(request):
    form = forms.OrganisationSettingsForm(request.POST or None, instance=OrganisationSettings.get())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Organisation settings saved."))
        return redirect("administration:organisation")
    return _page(request, "administration/organisation.html", "organisation", {"form": form})


# --- Inboxes (of every registered kind) -------------------------------------------------------


def _admin_kind(key: str) -> registry.ChannelKind:
    """The registered kind ``key`` if the administration can set up its inboxes; else 404."""
    kind = registry.get(key)
    if kind is None or not kind.admin_form:
        raise Http404
    return kind


@manage_view()
def inboxes(request):
    items = Inbox.objects.select_related("department").order_by("-active", "name")
    rows = []
    for inbox in items:
        kind = registry.get(inbox.kind)  # None: its app is no longer installed
        rows.append({
            "inbox": inbox, "kind_label": kind.label if kind else inbox.kind,
            "summary": kind.summary(inbox) if kind and kind.summary else [],
            "editable": bool(kind and kind.admin_form), "testable": bool(kind and kind.connection_test),
            # replies through it cannot leave at all (no outgoing mail server); failing sends are on the inbox
            "sending_problem": kind.sending_problem(inbox) if kind and kind.sending_problem and inbox.active else "",
        })
    return _page(request, "administration/inboxes.html", "inboxes", {"rows": rows})


@never_cache
@manage_view()
def inbox_create(request):
    """``?kind=<key>``: that kind's form. Without it: the only kind's form, or a choice of kinds."""
    key = request.GET.get("kind")
    if not key:
        kinds = [kind for kind in registry.kinds() if kind.admin_form]
        if len(kinds) != 1:
            return _page(request, "administration/inbox_kinds.html", "inboxes", {"kinds": kinds})
        key = kinds[0].key
    return _inbox_form(request, _admin_kind(key), None)


@never_cache
@manage_view()
def inbox_edit(request, pk: int):
    inbox = get_object_or_404(Inbox, pk=pk)
    return _inbox_form(request, _admin_kind(inbox.kind), inbox)


def _inbox_form(request, kind: registry.ChannelKind, inbox: Inbox | None):
    form = import_string(kind.admin_form)(request.POST or None, inbox=inbox)
    if request.method == "POST" and form.is_valid():
        changes, secrets = form.changes(), form.secrets()
        # The services name config keys and secrets "config.<key>" and "secrets.<name>"; a kind's
        # form has them as fields of their own.
        aliases = {f"{group}.{field}": field for field in form.fields for group in ("config", "secrets")}
        saved = _write(form, lambda: inbox_services.inbox_create(
            kind=kind.key, **changes, secrets=secrets,
        ) if inbox is None else inbox_services.inbox_update(inbox=inbox, changes=changes, secrets=secrets), aliases)
        if saved is not None:
            messages.success(request, _("Inbox %(name)s saved.") % {"name": saved.name})
            return redirect("administration:inbox", pk=saved.pk)
    return _page(request, "administration/inbox_form.html", "inboxes", {
        "form": form, "inbox": inbox, "kind": kind, "testable": kind.connection_test is not None,
        "several_kinds": sum(1 for k in registry.kinds() if k.admin_form) > 1,
    })


@manage_view()
@require_POST
def inbox_deactivate(request, pk: int):
    inbox = get_object_or_404(Inbox, pk=pk)
    try:
        inbox_services.inbox_deactivate(inbox=inbox)
    except ValidationError:
        messages.error(request, _("Fix the inbox's settings first; then deactivate it."))
    else:
        messages.success(request, _("Inbox %(name)s is deactivated: nothing more is received through it.")
                         % {"name": inbox.name})
    return redirect("administration:inbox", pk=inbox.pk)


@never_cache
@manage_view()
@require_POST
def inbox_test(request, pk: int):
    inbox = get_object_or_404(Inbox, pk=pk)
    kind = registry.get(inbox.kind)
    if kind is None or kind.connection_test is None:
        raise Http404
    results = kind.connection_test(inbox)
    return _page(request, "administration/inbox_test.html", "inboxes", {"inbox": inbox, "results": results})


# --- Unprocessable mail -----------------------------------------------------------------------

RAW_MAILS_PER_PAGE = 25
HEADER_BYTES = 64 * 1024  # enough for the headers; the list never holds whole (possibly huge) mails


def _mail_summary(raw_mail: RawMail) -> dict:
    raw = RawMail.objects.filter(pk=raw_mail.pk).values_list("raw", flat=True).first() or b""
    parsed = parse_mail(bytes(raw[:HEADER_BYTES]))
    return {"raw": raw_mail, "subject": parsed.subject, "sender": parsed.from_email or parsed.from_name}


@never_cache
@manage_view()
def raw_mails(request):
    search = forms.RawMailFilterForm(request.GET or None)
    status = search.cleaned_data["status"] if search.is_valid() and search.cleaned_data["status"] else \
        RawMailStatus.UNPROCESSABLE
    qs = RawMail.objects.filter(status=status).defer("raw").select_related("inbox").order_by("-received_at", "-id")
    page = Paginator(qs, RAW_MAILS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [_mail_summary(raw_mail) for raw_mail in page.object_list]
    return _page(request, "administration/raw_mails.html", "raw_mails", {
        "search": search, "page": page, "rows": rows, "status": status,
        "unprocessable_count": RawMail.objects.filter(status=RawMailStatus.UNPROCESSABLE).count(),
    })


@manage_view()
def raw_mail_download(request, pk: int):
    return raw_mail_response(get_object_or_404(RawMail, pk=pk))


def _outcome_message(request, raw_mail_id: int, result) -> None:
    if result.status == RawMailStatus.STORED:
        messages.success(request, _("Mail %(id)d is now stored in ticket %(ticket)s.")
                         % {"id": raw_mail_id, "ticket": result.ticket_number})
    elif result.status == RawMailStatus.UNPROCESSABLE:
        error = RawMail.objects.filter(pk=raw_mail_id).values_list("error", flat=True).first() or ""
        messages.error(request, _("Mail %(id)d still cannot be processed: %(error)s")
                       % {"id": raw_mail_id, "error": error[:300]})
    else:
        messages.info(request, _("Mail %(id)d: %(status)s.")
                      % {"id": raw_mail_id, "status": RawMailStatus(result.status).label})


@manage_view()
@require_POST
def raw_mail_reprocess(request, pk: int):
    raw_mail = get_object_or_404(RawMail, pk=pk)
    try:
        result = email_services.raw_mail_reprocess(raw_mail=raw_mail)
    except DatabaseError:
        messages.error(request, _("The database is not available; the mail is kept. Try again later."))
    else:
        _outcome_message(request, raw_mail.pk, result)
    return redirect(f"{reverse('administration:raw_mails')}?status={raw_mail.status}")


@manage_view()
@require_POST
def raw_mail_reprocess_all(request):
    try:
        counts = email_services.raw_mail_reprocess_all()
    except DatabaseError:
        messages.error(request, _("The database is not available; the mails are kept. Try again later."))
    else:
        messages.info(request, _("Processed again: %(stored)d stored, %(failed)d still unprocessable, "
                                 "%(other)d duplicate or ignored.") % {
            "stored": counts.get(RawMailStatus.STORED, 0), "failed": counts.get(RawMailStatus.UNPROCESSABLE, 0),
            "other": sum(v for k, v in counts.items() if k not in (RawMailStatus.STORED,
                                                                    RawMailStatus.UNPROCESSABLE)),
        })
    return redirect("administration:raw_mails")
