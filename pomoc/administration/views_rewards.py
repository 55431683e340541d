"""Rewards: points per achievement and the badges agents can earn."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pomoc.accounts.permissions import manage_view
from pomoc.administration.views import _page, _read_only, _write
from pomoc.core.text import validate_line
from pomoc.reports import services
from pomoc.reports.models import Achievement, Badge
from pomoc.reports.performance import point_rules


class PointsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Achievement.choices:
            self.fields[value] = forms.IntegerField(label=label, min_value=0, max_value=1000)


class BadgeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60, validators=[validate_line])
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False,
                                  validators=[validate_line])
    achievement = forms.ChoiceField(label=gettext_lazy("Earned for"), choices=Achievement.choices)
    threshold = forms.IntegerField(label=gettext_lazy("At least (in the period shown)"), min_value=1,
                                   max_value=1_000_000)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


@manage_view(supervisors_may_read=True)
def rewards(request):
    form = PointsForm(request.POST or None, initial=point_rules())
    if not request.can_manage:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        if _write(form, lambda: services.points_set(form.cleaned_data) or True):
            messages.success(request, _("Points saved."))
            return redirect("administration:rewards")
    return _page(request, "administration/rewards.html", "rewards",
                 {"form": form, "badges": Badge.objects.all()})


@manage_view(supervisors_may_read=True)
def badge_edit(request, pk: int | None = None):
    badge = get_object_or_404(Badge, pk=pk) if pk is not None else None
    initial = ({"name": badge.name, "description": badge.description, "achievement": badge.achievement,
                "threshold": badge.threshold, "active": badge.active} if badge else None)
    form = BadgeForm(request.POST or None, initial=initial)
    if not request.can_manage:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        saved = _write(form, lambda: services.badge_save(badge=badge, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Badge %(name)s saved.") % {"name": saved.name})
            return redirect("administration:rewards")
    return _page(request, "administration/badge_form.html", "rewards", {"form": form, "badge": badge})


@manage_view()
@require_POST
def badge_delete(request, pk: int):
    badge = get_object_or_404(Badge, pk=pk)
    badge.delete()
    messages.success(request, _("Badge %(name)s deleted.") % {"name": badge.name})
    return redirect("administration:rewards")
