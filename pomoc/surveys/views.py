"""The customer's side: the page a survey link opens. No login: the signed link is the permission."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from pomoc.core.models import OrganisationSettings
from pomoc.surveys import links, selectors, services, texts
from pomoc.surveys.models import Answer, Invitation


def _scale(invitation: Invitation, chosen: int | None) -> dict:
    low, high = texts.scale_ends(invitation.kind)
    return {"scores": list(texts.scores(invitation.kind)), "low_label": low, "high_label": high, "chosen": chosen}


def _page(request, invitation: Invitation | None, *, status: int = 200, **context):
    context.setdefault("organisation", OrganisationSettings.get().name)
    if invitation is not None:
        survey = services.survey_for(invitation.kind)
        context.update(invitation=invitation, kind=invitation.kind,
                       question=texts.question(survey, translation.get_language()),
                       comment_prompt=texts.comment_prompt(invitation.kind))
    return render(request, "surveys/answer.html", context, status=status)


def _score(value: str | None) -> int | None:
    try:
        return int(value) if value is not None and len(value) <= 3 else None
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    invitation = selectors.invitation_for_token(token)
    language = (invitation.language if invitation else "") or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        response = _answer(request, invitation)
        response.headers.setdefault("Content-Language", language)
        return response


def _answer(request, invitation: Invitation | None):
    if invitation is None:
        return _page(request, None, state="unknown", status=404)
    answer = Answer.objects.filter(invitation=invitation).first()
    if request.method == "POST" and request.POST.get("action") == "comment" and answer is not None:
        try:
            services.comment_add(answer, request.POST.get("comment", ""))
        except ValidationError as error:
            return _page(request, invitation, state="answered", answer=answer, error=error.messages[0],
                         comment=request.POST.get("comment", ""), status=400)
        except services.SurveyClosed:
            pass
        return redirect(links.answer_path(invitation))
    if request.method == "POST" and answer is None:
        score = _score(request.POST.get("score"))
        try:
            services.answer_record(invitation, score)
        except ValidationError as error:
            return _page(request, invitation, state="ask", error=error.messages[0], **_scale(invitation, None),
                         status=400)
        except services.SurveyClosed as closed:
            return _page(request, invitation, state="closed", message=str(closed), status=410)
        return redirect(links.answer_path(invitation))
    if answer is not None:
        following = services.next_invitation(invitation)
        return _page(request, invitation, state="answered", answer=answer,
                     next_link=links.answer_path(following) if following else "")
    if invitation.is_expired:
        return _page(request, invitation, state="closed", status=410,
                     message=services.SurveyClosed.expired_text())
    return _page(request, invitation, state="ask", **_scale(invitation, _score(request.GET.get("score"))))
