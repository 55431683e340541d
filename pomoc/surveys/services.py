"""Writes: asking (an invitation and its mail) and answering (once, through the signed link)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pomoc.accounts.selectors import supervisors_of
from pomoc.channels.email.outbound import FAILED, RETRY, SENT, inbox_for, send_automatic, sending_problem
from pomoc.channels.email.rate_limit import AutoResponseLimiter
from pomoc.contacts import segments
from pomoc.contacts.models import Contact, IdentityKind
from pomoc.core.text import clean_text
from pomoc.surveys import links, texts
from pomoc.surveys.models import DEFAULT_LOW_SCORES, SCALES, Answer, Campaign, Invitation, Survey, SurveyKind
from pomoc.tickets import events
from pomoc.tickets.models import Channel, Status, Ticket
from pomoc.tickets.services import system_note_add

logger = logging.getLogger(__name__)

MAX_COMMENT = 5000
MAX_SEND_ATTEMPTS = 5
# Asked after a ticket is resolved, in this order (the mail carries the first; the answer page the next).
AFTER_RESOLUTION = (SurveyKind.CSAT, SurveyKind.CES)


class SurveyClosed(Exception):
    """The link has expired or was answered already (``answer`` is the earlier one, if any)."""

    def __init__(self, message: str, answer: Answer | None = None):
        super().__init__(message)
        self.answer = answer

    @staticmethod
    def expired_text() -> str:
        return _("This survey link has expired.")


class _SurveyMailLimiter(AutoResponseLimiter):
    key_prefix = "pomoc:mail:survey"


def survey_for(kind: str) -> Survey:
    survey, _created = Survey.objects.get_or_create(kind=kind, defaults={"low_score": DEFAULT_LOW_SCORES[kind]})
    return survey


def survey_update(*, kind: str, enabled: bool, questions: dict, min_interval_days: int, valid_days: int,
                  low_score: int | None) -> Survey:
    low, high = SCALES[kind]
    if low_score is not None and not low <= low_score <= high:
        raise ValidationError({"low_score": _("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high}})
    if valid_days < 1:
        raise ValidationError({"valid_days": _("A link must be valid for at least one day.")})
    survey = survey_for(kind)
    survey.enabled = enabled
    survey.questions = {lang: text.strip() for lang, text in questions.items() if text and text.strip()}
    survey.min_interval_days = min_interval_days
    survey.valid_days = valid_days
    survey.low_score = low_score
    survey.save()
    return survey


def _email_of(contact: Contact) -> str:
    identity = (contact.identities.filter(kind=IdentityKind.EMAIL, bounced=False).order_by("id").first())
    return identity.value if identity else ""


def _asked_recently(contact_id: int, kind: str, days: int, now: dt.datetime) -> bool:
    if days <= 0:
        return False
    return Invitation.objects.filter(contact_id=contact_id, kind=kind,
                                     created_at__gt=now - dt.timedelta(days=days)).exists()


def invite(kind: str, *, contact: Contact, ticket: Ticket | None = None, campaign: Campaign | None = None,
           now: dt.datetime | None = None) -> Invitation | None:
    """An invitation to answer ``kind`` about ``ticket`` (or in ``campaign``), or None when this person
    must not be asked: no usable e-mail address, asked within the survey's interval, or already asked
    about this ticket."""
    now = now or timezone.now()
    survey = survey_for(kind)
    if not _email_of(contact) or _asked_recently(contact.pk, kind, survey.min_interval_days, now):
        return None
    try:
        with transaction.atomic():
            return Invitation.objects.create(
                kind=kind, contact=contact, ticket=ticket, campaign=campaign, created_at=now,
                expires_at=now + dt.timedelta(days=survey.valid_days), language=contact.language or "",
            )
    except IntegrityError:  # this ticket was asked already (by a concurrent worker too)
        return None


def _mail(invitation: Invitation) -> tuple[str, str, str]:
    survey = survey_for(invitation.kind)
    language = invitation.language or _default_language()
    with override(language):
        low, high = texts.scale_ends(invitation.kind)
        context = {
            "question": texts.question(survey, language),
            "scores": [(score, links.answer_url(invitation, score)) for score in texts.scores(invitation.kind)],
            "low_label": low, "high_label": high, "ticket": invitation.ticket,
            "name": invitation.contact.name, "expires_at": invitation.expires_at,
        }
        if invitation.ticket is not None:
            subject = _("How did we do? (ticket %(number)s)") % {"number": invitation.ticket.number}
        else:
            subject = texts.question(survey, language)
        return (subject, render_to_string("surveys/mail.txt", context).strip() + "\n",
                render_to_string("surveys/mail.html", context))


def _default_language() -> str:
    from django.conf import settings

    return settings.LANGUAGE_CODE


def invitation_send(invitation: Invitation) -> str:
    """Send the invitation's mail; returns the outcome (``SENT``, ``SKIPPED``, ``RETRY``, ``FAILED``)
    and keeps it on the invitation (a temporary failure is tried again by the periodic job)."""
    address = _email_of(invitation.contact)
    inbox = invitation.campaign.inbox if invitation.campaign_id else inbox_for(invitation.ticket)
    problem = sending_problem(inbox)
    if problem:  # no outgoing mail server: kept unsent (and tried again once one is configured)
        outcome, reason = FAILED, problem
    else:
        subject, text, html = _mail(invitation)
        result = send_automatic(to=address, subject=subject, body_text=text, body_html=html,
                                ticket=invitation.ticket, inbox=inbox, auto_submitted="auto-generated",
                                limiter=_SurveyMailLimiter())
        outcome, reason = result.outcome, result.reason
    invitation.attempts += 1
    if outcome == SENT:
        invitation.sent_at, invitation.send_error = timezone.now(), ""
    else:
        invitation.send_error = reason or outcome
    invitation.save(update_fields=["attempts", "sent_at", "send_error"])
    return outcome


def invitations_retry(now: dt.datetime | None = None) -> int:
    """Send again the invitations whose mail failed for a while (a temporary failure); returns how many went."""
    now = now or timezone.now()
    sent = 0
    for invitation in Invitation.objects.filter(sent_at__isnull=True, expires_at__gt=now, attempts__gt=0,
                                                attempts__lt=MAX_SEND_ATTEMPTS).select_related("contact"):
        try:
            sent += invitation_send(invitation) == SENT
        except Exception:  # one bad invitation never blocks the others
            logger.exception("survey invitation %s could not be sent", invitation.pk)
    return sent


_asked_elsewhere: list[Callable[[Ticket], bool]] = []


def rating_asked_elsewhere(check: Callable[[Ticket], bool]) -> None:
    """A port for whoever asks for ratings in their own words (the follow-ups' rating request, a reply
    carrying ``rating_link_for``): ``check(ticket)`` True keeps the survey's own mail away, so that
    nobody is asked twice."""
    _asked_elsewhere.append(check)


def _follow_up_asks(ticket: Ticket) -> bool:
    return any(check(ticket) for check in _asked_elsewhere)


def rating_link_for(ticket: Ticket) -> str:
    """The link a follow-up's rating request carries: this ticket's CSAT invitation, made now if there
    is none (the follow-up reply is its mail)."""
    invitation = Invitation.objects.filter(ticket=ticket, kind=SurveyKind.CSAT).first()
    if invitation is None:
        now = timezone.now()
        survey = survey_for(SurveyKind.CSAT)
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    kind=SurveyKind.CSAT, contact=ticket.requester, ticket=ticket, created_at=now, sent_at=now,
                    expires_at=now + dt.timedelta(days=survey.valid_days), language=ticket.requester.language or "")
        except IntegrityError:  # made at the same moment by another worker
            invitation = Invitation.objects.get(ticket=ticket, kind=SurveyKind.CSAT)
    return links.answer_url(invitation)


def ticket_resolved(ticket_id: int) -> Invitation | None:
    """After a ticket is resolved: invite its requester to the first enabled survey of
    ``AFTER_RESOLUTION`` (the answer page asks the next one) and send the mail, unless a follow-up
    policy asks for the rating itself."""
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != Status.RESOLVED or ticket.merged_into_id or _follow_up_asks(ticket):
        return None
    for kind in AFTER_RESOLUTION:
        if survey_for(kind).enabled:
            invitation = invite(kind, contact=ticket.requester, ticket=ticket)
            if invitation is not None:
                outcome = invitation_send(invitation)
                if outcome != SENT and outcome != RETRY:
                    logger.info("survey mail for ticket %s not sent: %s", ticket.number, invitation.send_error)
            return invitation
    return None


def next_invitation(invitation: Invitation) -> Invitation | None:
    """The survey to ask next on the same page, after ``invitation`` is answered (CES after CSAT)."""
    if invitation.ticket_id is None or invitation.kind not in AFTER_RESOLUTION:
        return None
    for kind in AFTER_RESOLUTION[AFTER_RESOLUTION.index(invitation.kind) + 1:]:
        if survey_for(kind).enabled:
            existing = Invitation.objects.filter(ticket_id=invitation.ticket_id, kind=kind).first()
            if existing is not None:
                return None if hasattr(existing, "answer") else existing
            return invite(kind, contact=invitation.contact, ticket=invitation.ticket)
    return None


def answer_record(invitation: Invitation, score: int, *, now: dt.datetime | None = None) -> Answer:
    """Record the one answer ``invitation`` allows. Raises ``ValidationError`` for a score outside the
    scale and ``SurveyClosed`` when the link expired or was answered already."""
    now = now or timezone.now()
    low, high = SCALES[invitation.kind]
    if not isinstance(score, int) or not low <= score <= high:
        raise ValidationError(_("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high})
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        earlier = Answer.objects.filter(invitation=invitation).first()
        if earlier is not None:
            raise SurveyClosed(_("You have answered this survey already. Thank you!"), earlier)
        if invitation.expires_at <= now:
            raise SurveyClosed(SurveyClosed.expired_text())
        ticket = invitation.ticket
        answer = Answer.objects.create(
            invitation=invitation, kind=invitation.kind, score=score, contact_id=invitation.contact_id,
            ticket=ticket, agent_id=ticket.assignee_id if ticket else None,
            department_id=ticket.department_id if ticket else None,
            channel=ticket.channel if ticket else Channel.EMAIL, answered_at=now,
        )
        survey = survey_for(invitation.kind)
        low_score = survey.low_score is not None and score <= survey.low_score
        if ticket is not None:
            events.survey_answered(ticket, kind=answer.kind, score=score, answer_id=answer.pk, low=low_score)
            if low_score:
                _follow_up(answer, ticket)
    return answer


def answer_in_place(*, kind: str, score: int, ticket: Ticket, contact_id: int | None, agent_id: int | None,
                    department_id: int | None, channel: str, comment: str = "",
                    now: dt.datetime | None = None) -> Answer:
    """An answer given where the customer was, without a link (live chat's rating at its end): stored
    like an answer to a link, and a score at or below the survey's follow-up score opens the same
    follow-up (the ticket's note and its supervisors' notification)."""
    now = now or timezone.now()
    low, high = SCALES[kind]
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise ValidationError(_("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high})
    comment = clean_text(comment or "").strip()[:MAX_COMMENT]
    with transaction.atomic():
        answer = Answer.objects.create(
            kind=kind, score=score, comment=comment, contact_id=contact_id, ticket=ticket, agent_id=agent_id,
            department_id=department_id, channel=channel, answered_at=now, commented_at=now if comment else None)
        survey = survey_for(kind)
        low_score = survey.low_score is not None and score <= survey.low_score
        events.survey_answered(ticket, kind=kind, score=score, answer_id=answer.pk, low=low_score)
        if low_score:
            _follow_up(answer, ticket)
    return answer


def _follow_up(answer: Answer, ticket: Ticket) -> None:
    """A low score: a note on the ticket and a notification for its supervisors (the comment follows
    as another note when it comes)."""
    from pomoc.notifications.models import NotificationKind
    from pomoc.notifications.services import notify

    best = SCALES[answer.kind][1]
    text = _("Low rating from the customer: %(kind)s %(score)s of %(best)s. A supervisor should follow up.") % {
        "kind": answer.kind.upper(), "score": answer.score, "best": best}
    system_note_add(ticket=ticket, text=text, channel=ticket.channel, external_id=f"survey-low-{answer.pk}")
    notify(supervisors_of(ticket.department_id), kind=NotificationKind.LOW_RATING, ticket=ticket, text=text)


def comment_add(answer: Answer, comment: str, *, now: dt.datetime | None = None) -> Answer:
    """The optional comment after a score, once."""
    comment = clean_text(comment or "").strip()
    if not comment:
        raise ValidationError(_("Write a comment, or simply close this page."))
    if len(comment) > MAX_COMMENT:
        raise ValidationError(_("Keep the comment under %(limit)s characters.") % {"limit": MAX_COMMENT})
    with transaction.atomic():
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        if answer.comment:
            raise SurveyClosed(_("You have answered this survey already. Thank you!"), answer)
        answer.comment, answer.commented_at = comment, now or timezone.now()
        answer.save(update_fields=["comment", "commented_at"])
        survey = survey_for(answer.kind)
        if answer.ticket_id and survey.low_score is not None and answer.score <= survey.low_score:
            system_note_add(ticket=answer.ticket, channel=answer.ticket.channel,
                            text=_("The customer's comment on the low rating: %(comment)s") % {"comment": comment},
                            external_id=f"survey-comment-{answer.pk}")
    return answer


def campaign_create(*, name: str, inbox, company=None, segment=None, actor) -> Campaign:
    return Campaign.objects.create(name=name.strip(), inbox=inbox, company=company, segment=segment, created_by=actor)


def campaign_send(campaign_id: int, *, batch: int = 200) -> Campaign:
    """Invite every contact of the campaign's audience with a usable e-mail address who was not asked
    within the interval; resumable (a contact invited by this campaign already is skipped)."""
    campaign = Campaign.objects.select_related("inbox", "segment").get(pk=campaign_id)
    contacts = Contact.objects.filter(
        identities__kind=IdentityKind.EMAIL, identities__bounced=False, merged_into__isnull=True,
    ).exclude(survey_invitations__campaign=campaign).distinct().order_by("pk")
    if campaign.company_id:
        contacts = contacts.filter(company_id=campaign.company_id)
    if campaign.segment_id:
        contacts = contacts.filter(pk__in=segments.contact_ids(campaign.segment))
    last = 0
    while True:
        chunk = list(contacts.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        for contact in chunk:
            last = contact.pk
            try:
                invitation = invite(campaign.kind, contact=contact, campaign=campaign)
                if invitation is None:
                    campaign.skipped += 1
                else:
                    invitation_send(invitation)
                    campaign.invited += 1
            except Exception:  # one contact's failure never stops the campaign
                logger.exception("survey campaign %s: contact %s", campaign.pk, contact.pk)
                campaign.skipped += 1
        campaign.save(update_fields=["invited", "skipped"])
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["finished_at"])
    return campaign

