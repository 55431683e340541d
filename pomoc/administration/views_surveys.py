"""Surveys: each kind's settings and questions, and NPS campaigns."""

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from pomoc.accounts.permissions import manage_view
from pomoc.administration.forms_surveys import CampaignForm, SurveyForm
from pomoc.administration.views import _page, _read_only, _write
from pomoc.surveys import services, tasks
from pomoc.surveys.models import Answer, Campaign, SurveyKind


@manage_view(supervisors_may_read=True)
def surveys(request):
    since = timezone.now() - dt.timedelta(days=30)
    counts = dict(Answer.objects.filter(answered_at__gte=since).values_list("kind").annotate(n=Count("pk")))
    kinds = [(services.survey_for(kind), counts.get(kind, 0)) for kind in SurveyKind.values]
    campaigns = Campaign.objects.select_related("inbox", "company").annotate(
        answers=Count("invitations__answer", filter=Q(invitations__answer__isnull=False)))[:50]
    return _page(request, "administration/surveys.html", "surveys", {"kinds": kinds, "campaigns": campaigns})


@manage_view(supervisors_may_read=True)
def survey_edit(request, kind: str):
    if kind not in SurveyKind.values:
        raise Http404
    survey = services.survey_for(kind)
    form = SurveyForm(request.POST or None, kind=kind, initial=SurveyForm.initial_for(survey))
    if not request.can_manage:
        _read_only(form)
    if request.method == "POST" and form.is_valid():
        if _write(form, lambda: services.survey_update(**form.service_values())) is not None:
            messages.success(request, _("%(survey)s saved.") % {"survey": survey.get_kind_display()})
            return redirect("administration:surveys")
    return _page(request, "administration/survey_form.html", "surveys", {"form": form, "survey": survey})


@manage_view()
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = services.campaign_create(name=data["name"], inbox=data["inbox"], company=data["company"],
                                            segment=data["segment"], actor=request.user)
        tasks.send_campaign.enqueue(campaign.pk)
        messages.success(request, _("Campaign %(name)s is being sent.") % {"name": campaign.name})
        return redirect("administration:surveys")
    return _page(request, "administration/campaign_form.html", "surveys", {"form": form})
