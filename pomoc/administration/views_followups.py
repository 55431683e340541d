"""The administrators' pages of follow-ups: one policy per inbox or department (/manage/follow-ups/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from pomoc.accounts.models import Department
from pomoc.accounts.permissions import manage_view
from pomoc.automation.followups.forms import PolicyForm
from pomoc.automation.followups.models import FollowUpPolicy
from pomoc.automation.followups.services import POLICY_FIELDS, policy_save
from pomoc.automation.followups.texts import DEFAULT_TEXTS
from pomoc.channels.models import Inbox
from pomoc.core.form_errors import add_service_errors


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"section": "followups", "can_manage": request.can_manage, **context},
                  status=status)


@manage_view()
def policies(request):
    by_inbox = {p.inbox_id: p for p in FollowUpPolicy.objects.filter(inbox__isnull=False)}
    by_department = {p.department_id: p for p in FollowUpPolicy.objects.filter(department__isnull=False)}
    inboxes = [(inbox, by_inbox.get(inbox.pk)) for inbox in Inbox.objects.order_by("name")]
    departments = [(d, by_department.get(d.pk)) for d in Department.objects.order_by("name")]
    return _page(request, "followups/policies.html", {"inboxes": inboxes, "departments": departments})


@manage_view()
def policy_edit(request, kind: str, pk: int):
    if kind not in ("inbox", "department"):
        raise Http404
    owner = get_object_or_404(Inbox, pk=pk) if kind == "inbox" else get_object_or_404(Department, pk=pk)
    where = {"inbox": owner} if kind == "inbox" else {"department": owner}
    policy = FollowUpPolicy.objects.filter(**where).first()
    initial = {field: getattr(policy, field) for field in POLICY_FIELDS} if policy else {}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            policy_save(**where, values={field: form.cleaned_data[field] for field in POLICY_FIELDS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Follow-ups of %(name)s saved.") % {"name": owner.name})
            return redirect("followups:policies")
    defaults = {str(key): str(text) for key, text in DEFAULT_TEXTS.items()}
    return _page(request, "followups/policy_form.html",
                 {"form": form, "owner": owner, "kind": kind, "defaults": defaults},
                 status=400 if request.method == "POST" else 200)
