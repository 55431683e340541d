"""What a survey says: the question (an administrator's text for the language, else the translated
default), the labels of the scale's ends and the prompt for a comment."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from pomoc.core.models import OrganisationSettings
from pomoc.surveys.models import SCALES, Survey, SurveyKind


def default_question(kind: str) -> str:
    if kind == SurveyKind.CSAT:
        return _("How would you rate the support you received?")
    if kind == SurveyKind.CES:
        return _("How easy was it to get your issue resolved?")
    return _("How likely is it that you would recommend %(organisation)s to a friend or colleague?") % {
        "organisation": OrganisationSettings.get().name}


def question(survey: Survey, language: str) -> str:
    text = (survey.questions or {}).get(language, "").strip()
    if text:
        return text
    with override(language):
        return default_question(survey.kind)


def scale_ends(kind: str) -> tuple[str, str]:
    if kind == SurveyKind.CSAT:
        return _("Very dissatisfied"), _("Very satisfied")
    if kind == SurveyKind.CES:
        return _("Very difficult"), _("Very easy")
    return _("Not at all likely"), _("Extremely likely")


def comment_prompt(kind: str) -> str:
    if kind == SurveyKind.NPS:
        return _("What is the main reason for your score?")
    return _("Anything you would like to add? (optional)")


def scores(kind: str) -> range:
    low, high = SCALES[kind]
    return range(low, high + 1)
