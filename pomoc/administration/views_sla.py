"""SLA policies: which tickets they apply to, their targets, what happens on a breach."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pomoc.accounts.permissions import manage_view
from pomoc.administration.forms_sla import SlaPolicyForm, format_duration
from pomoc.administration.views import _page, _read_only, _write
from pomoc.automation.sla import services
from pomoc.automation.sla.models import SlaPolicy
from pomoc.automation.sla.selectors import policies_list


@manage_view(supervisors_may_read=True)
def sla_policies(request):
    items = list(policies_list())
    for policy in items:
        policy.targets_text = " · ".join(
            f"{label} {format_duration(minutes)}" for label, minutes in (
                (_("first response"), policy.first_response_minutes),
                (_("next response"), policy.next_response_minutes),
                (_("resolution"), policy.resolution_minutes)) if minutes)
    return _page(request, "administration/sla_policies.html", "sla", {"policies": items})


@manage_view(supervisors_may_read=True)
def sla_policy_edit(request, pk: int | None = None):
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk is not None else None
    initial = SlaPolicyForm.initial_for(policy) if policy else {}
    form = SlaPolicyForm(request.POST or None, initial=initial)
    if not request.can_manage:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        saved = _write(form, lambda: services.policy_create(**values) if policy is None
                       else services.policy_update(policy=policy, changes=values))
        if saved is not None:
            messages.success(request, _("SLA policy %(name)s saved.") % {"name": saved.name})
            return redirect("administration:sla_policies")
    return _page(request, "administration/sla_policy_form.html", "sla", {"form": form, "policy": policy})


@manage_view()
@require_POST
def sla_policy_delete(request, pk: int):
    policy = get_object_or_404(SlaPolicy, pk=pk)
    services.policy_delete(policy=policy)
    messages.success(request, _("SLA policy %(name)s deleted.") % {"name": policy.name})
    return redirect("administration:sla_policies")
