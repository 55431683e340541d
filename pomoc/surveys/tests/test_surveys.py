"""Surveys: asked after resolution and in campaigns, answered once through a signed link."""

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.contacts.models import Identity
from pomoc.surveys import links, selectors, services
from pomoc.surveys.models import Answer, Invitation, SurveyKind
from pomoc.testing.factories import CompanyFactory, ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import EventType, MessageKind, Status
from pomoc.tickets.services import ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def csat(db):
    return services.survey_update(kind=SurveyKind.CSAT, enabled=True, questions={}, min_interval_days=30,
                                  valid_days=14, low_score=2)


def _resolve(ticket, django_capture_on_commit_callbacks, agent=None):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=agent or UserFactory(), changes={"status": Status.RESOLVED})


def _inbox(**config):
    from pomoc.channels.models import Inbox

    return Inbox.objects.create(name=f"Support {Inbox.objects.count()}", address="support@pomoc.example",
                                config=config)


def _links(message) -> dict[int, str]:
    return {int(score): url for score, url in re.findall(r"^(\d+)(?: \([^)]*\))?: (\S+)$", message.body, re.M)}


def test_a_resolved_ticket_asks_its_requester_once_with_one_link_per_score(csat, django_capture_on_commit_callbacks):
    ticket = make_ticket(requester=ContactFactory(name="Jana Nová", email="jana@example.cz"), subject="Printer")
    mail.outbox.clear()
    _resolve(ticket, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["jana@example.cz"]
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert f"#{ticket.number}" in sent.subject
    assert sorted(_links(sent)) == [1, 2, 3, 4, 5]
    assert 'href="' + _links(sent)[5].replace("&", "&amp;") + '"' in sent.alternatives[0][0]
    invitation = Invitation.objects.get()
    assert (invitation.ticket, invitation.kind, invitation.sent_at is not None) == (ticket, "csat", True)
    # resolved again (reopened by the customer, then resolved): this ticket is not asked twice
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=None, changes={"status": Status.OPEN})
    _resolve(ticket, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and Invitation.objects.count() == 1


def test_nobody_is_asked_while_the_survey_is_off_or_within_its_interval(csat, django_capture_on_commit_callbacks):
    contact = ContactFactory()
    first, second = make_ticket(requester=contact), make_ticket(requester=contact)
    _resolve(first, django_capture_on_commit_callbacks)
    _resolve(second, django_capture_on_commit_callbacks)  # asked 0 days ago: not again within 30 days
    assert Invitation.objects.filter(contact=contact).count() == 1
    later = timezone.now() + dt.timedelta(days=31)
    assert services.invite(SurveyKind.CSAT, contact=contact, ticket=second, now=later) is not None
    csat.enabled = False
    csat.save()
    _resolve(make_ticket(), django_capture_on_commit_callbacks)
    assert Invitation.objects.count() == 2


def test_no_invitation_without_a_deliverable_address(csat):
    contact = ContactFactory(bounced=True)
    assert services.invite(SurveyKind.CSAT, contact=contact, ticket=make_ticket(requester=contact)) is None


def test_one_click_records_the_score_once_with_an_event_and_a_comment_after(csat, client):
    agent = UserFactory()
    department = DepartmentFactory()
    ticket = make_ticket(assignee=agent, department=department)
    invitation = services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
    page = client.get(links.answer_path(invitation, 4))
    assert page.status_code == 200
    assert b'data-autosubmit="4"' in page.content and Answer.objects.count() == 0  # opening records nothing
    response = client.post(links.answer_path(invitation), {"score": "4"})
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.score, answer.kind, answer.ticket, answer.agent, answer.department, answer.contact) == (
        4, "csat", ticket, agent, department, ticket.requester)
    event = ticket.events.get(type=EventType.SURVEY_ANSWERED)
    assert event.data == {"kind": "csat", "score": 4, "answer": answer.pk, "low": False}
    # another click on another score in the mail changes nothing
    again = client.post(links.answer_path(invitation), {"score": "1"})
    assert again.status_code == 200 and b"Your answer: 4" in again.content and Answer.objects.get().score == 4
    thanks = client.get(links.answer_path(invitation))
    assert b"Thank you" in thanks.content and b'name="comment"' in thanks.content
    client.post(links.answer_path(invitation), {"action": "comment", "comment": "Quick and kind."})
    assert Answer.objects.get().comment == "Quick and kind."
    client.post(links.answer_path(invitation), {"action": "comment", "comment": "Changed my mind"})
    assert Answer.objects.get().comment == "Quick and kind."
    assert b'name="comment"' not in client.get(links.answer_path(invitation)).content


@pytest.mark.parametrize("score", ["0", "6", "abc", "", "99999999999999999999"])
def test_a_score_outside_the_scale_is_refused_with_a_message(csat, client, score):
    ticket = make_ticket()
    invitation = services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
    response = client.post(links.answer_path(invitation), {"score": score})
    assert response.status_code == 400
    assert b"Choose a score from 1 to 5" in response.content
    assert Answer.objects.count() == 0


def test_an_altered_or_expired_link_answers_nothing(csat, client):
    ticket = make_ticket()
    invitation = services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
    token = links.token_for(invitation)
    altered = reverse("surveys:answer", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])
    assert client.post(altered, {"score": "5"}).status_code == 404
    for forged in (signing.dumps(invitation.pk, salt="another purpose"), signing.dumps(invitation.pk + 1000,
                                                                                        salt=links.SALT)):
        assert client.get(reverse("surveys:answer", args=[forged])).status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.post(links.answer_path(invitation), {"score": "5"})
    assert expired.status_code == 410 and b"expired" in expired.content
    assert client.get(links.answer_path(invitation, 5)).status_code == 410
    assert Answer.objects.count() == 0


def test_a_low_score_leaves_a_note_for_a_supervisor_with_the_comment(csat, client):
    from pomoc.notifications.models import Notification

    boss = UserFactory(role=Role.SUPERVISOR)
    ticket = make_ticket()
    invitation = services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
    client.post(links.answer_path(invitation), {"score": "2"})
    client.post(links.answer_path(invitation), {"action": "comment", "comment": "Nobody answered for days."})
    notes = list(ticket.messages.filter(kind=MessageKind.SYSTEM).values_list("body_text", flat=True))
    assert any("CSAT 2 of 5" in note for note in notes)
    assert any("Nobody answered for days." in note for note in notes)
    assert ticket.events.get(type=EventType.SURVEY_ANSWERED).data["low"] is True
    told = Notification.objects.get(kind="low_rating")
    assert told.recipient == boss and told.ticket == ticket and "CSAT 2 of 5" in told.text


def test_the_page_speaks_the_customers_language(csat, client):
    contact = ContactFactory(language="cs")
    ticket = make_ticket(requester=contact)
    invitation = services.invite(SurveyKind.CSAT, contact=contact, ticket=ticket)
    page = client.get(links.answer_path(invitation))
    assert page.headers["Content-Language"] == "cs"
    assert "Jak hodnotíte podporu".encode() in page.content and b'<html lang="cs">' in page.content


def test_an_administrators_question_replaces_the_default_in_that_language_only(client):
    services.survey_update(kind=SurveyKind.CSAT, enabled=True, questions={"cs": "Jak jsme to zvládli?", "et": " "},
                           min_interval_days=0, valid_days=14, low_score=None)
    czech, english = ContactFactory(language="cs"), ContactFactory(language="en")
    for contact, expected in ((czech, "Jak jsme to zvládli?"), (english, "How would you rate the support")):
        invitation = services.invite(SurveyKind.CSAT, contact=contact, ticket=make_ticket(requester=contact))
        assert expected in client.get(links.answer_path(invitation)).content.decode()


def test_ces_is_asked_on_the_page_after_csat(csat, client):
    services.survey_update(kind=SurveyKind.CES, enabled=True, questions={}, min_interval_days=30, valid_days=14,
                           low_score=3)
    ticket = make_ticket()
    invitation = services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
    client.post(links.answer_path(invitation), {"score": "5"})
    page = client.get(links.answer_path(invitation)).content.decode()
    ces = Invitation.objects.get(kind=SurveyKind.CES)
    assert links.answer_path(ces) in page
    client.post(links.answer_path(ces), {"score": "6"})
    assert sorted(Answer.objects.values_list("kind", "score")) == [("ces", 6), ("csat", 5)]


def test_a_campaign_asks_each_chosen_contact_once_and_skips_who_was_asked_lately(db):
    services.survey_update(kind=SurveyKind.NPS, enabled=True, questions={}, min_interval_days=90, valid_days=30,
                           low_score=6)
    company = CompanyFactory()
    members = [ContactFactory(company=company) for _ in range(3)]
    ContactFactory(company=company, bounced=True)
    ContactFactory()  # another company's
    services.invite(SurveyKind.NPS, contact=members[0])  # asked last week
    Invitation.objects.update(created_at=timezone.now() - dt.timedelta(days=7))
    mail.outbox.clear()
    campaign = services.campaign_create(name="Autumn NPS", inbox=_inbox(), company=company,
                                        actor=UserFactory(role=Role.SUPERVISOR))
    campaign = services.campaign_send(campaign.pk, batch=1)
    assert (campaign.invited, campaign.skipped, campaign.finished_at is not None) == (2, 1, True)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Identity.objects.get(contact=c).value for c in members[1:])
    assert "recommend" in mail.outbox[0].subject
    assert sorted(_links(mail.outbox[0])) == list(range(11))


def test_figures_by_hand():
    answers = []
    for kind, score in [("csat", 5), ("csat", 4), ("csat", 3), ("csat", 1), ("ces", 7), ("ces", 4),
                        ("nps", 10), ("nps", 9), ("nps", 8), ("nps", 3), ("nps", 0)]:
        answers.append(Answer.objects.create(kind=kind, score=score))
    figures = selectors.figures(Answer.objects.all())
    assert (figures.csat_answers, figures.csat_percent) == (4, 50.0)
    assert (figures.ces_answers, figures.ces_average) == (2, 5.5)
    assert (figures.nps_answers, figures.promoters, figures.passives, figures.detractors) == (5, 2, 1, 2)
    assert figures.nps == 0.0
    empty = selectors.figures(Answer.objects.none())
    assert (empty.csat_percent, empty.ces_average, empty.nps) == (None, None, None)


def test_an_agent_sees_the_answers_about_tickets_they_may_see(csat):
    sales, support = DepartmentFactory(), DepartmentFactory()
    agent = UserFactory()
    agent.departments.add(support)
    mine, theirs = make_ticket(department=support), make_ticket(department=sales)
    for ticket in (mine, theirs):
        services.answer_record(services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket), 5)
    Answer.objects.create(kind="nps", score=9)  # a campaign's: about no ticket
    assert list(selectors.visible_answers(agent).values_list("ticket", flat=True)) == [mine.pk]
    admin = UserFactory(role=Role.ADMINISTRATOR)
    assert selectors.visible_answers(admin).count() == 3


def test_a_failed_mail_is_sent_again_by_the_periodic_job(csat, settings):
    inbox = _inbox(smtp_host="127.0.0.1", smtp_port=1)  # nothing listens: refused, temporary
    ticket = make_ticket(reply_inbox=inbox)
    invitation = services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
    services.invitation_send(invitation)
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.attempts == 1 and invitation.send_error
    inbox.config = {**inbox.config, "smtp_host": ""}
    inbox.save()
    mail.outbox.clear()
    assert services.invitations_retry() == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None and len(mail.outbox) == 1


def test_without_an_outgoing_mail_server_the_invitation_waits_unsent_with_the_reason(csat, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    ticket = make_ticket()
    invitation = services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
    assert services.invitation_send(invitation) == "failed"
    invitation.refresh_from_db()
    assert invitation.sent_at is None and "No outgoing mail server" in invitation.send_error


def test_a_follow_up_rating_request_carries_this_tickets_signed_link_and_the_survey_mail_stays_away(
        csat, client, django_capture_on_commit_callbacks):
    from pomoc.automation.followups.services import policy_save
    from pomoc.automation.followups.texts import rating_link

    department = DepartmentFactory()
    policy_save(department=department, values={"request_rating": True})
    ticket = make_ticket(department=department)
    mail.outbox.clear()
    _resolve(ticket, django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not Invitation.objects.exists()  # the follow-up asks, not the survey mail
    link = rating_link(ticket)
    assert link == rating_link(ticket)  # one invitation per ticket
    invitation = Invitation.objects.get(ticket=ticket)
    assert invitation.sent_at is not None and link.endswith(links.answer_path(invitation))
    client.post(links.answer_path(invitation), {"score": "5"})
    assert Answer.objects.get().ticket == ticket
