"""Rating, offline messages, blocking, uploads."""

import pytest

from pomoc.channels.chat import services
from pomoc.channels.chat.files import sniff
from pomoc.channels.chat.models import Conversation
from pomoc.channels.chat.tests.conftest import make_agent
from pomoc.surveys.models import Answer
from pomoc.tickets.models import Ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 50


def test_the_rating_is_a_csat_answer_about_ticket_agent_department_and_channel(visitor, department):
    services.visitor_message(visitor=visitor, client_id="c", body="Hello")
    chat = Conversation.objects.get(visitor=visitor)
    agent = make_agent(department)
    services.conversation_accept(conversation=chat, agent=agent)
    services.rating_record(conversation=chat, score=5, comment="Quick, thanks")
    answer = Answer.objects.get()
    assert (answer.kind, answer.score, answer.comment) == ("csat", 5, "Quick, thanks")
    assert (answer.ticket, answer.agent, answer.department, answer.channel) == (chat.ticket, agent, department, "chat")
    with pytest.raises(services.Refused):
        services.rating_record(conversation=chat, score=4)
    assert Answer.objects.count() == 1


@pytest.mark.parametrize("score", [0, 6, "5", True, None])
def test_a_score_outside_one_to_five_is_refused(visitor, score):
    services.visitor_message(visitor=visitor, client_id="c", body="Hello")
    with pytest.raises(services.Refused):
        services.rating_record(conversation=Conversation.objects.get(visitor=visitor), score=score)


def test_an_offline_message_opens_a_ticket_answered_by_email(inbox, department):
    result = services.offline_message(inbox=inbox, name="Jana", email="Jana@example.com", message="Call me back")
    ticket = Ticket.objects.get(pk=result.ticket.pk)
    assert ticket.channel == "chat" and ticket.department == department
    assert ticket.reply_identity.kind == "email" and ticket.reply_identity.value == "jana@example.com"
    with pytest.raises(services.Refused):
        services.offline_message(inbox=inbox, name="", email="not-an-address", message="x")


def test_a_blocked_visitor_stays_blocked_by_token_and_address(inbox, department):
    opened = services.session_open(inbox=inbox, ip="203.0.113.9")
    services.visitor_message(visitor=opened.visitor, client_id="c", body="spam")
    services.visitor_block(visitor=opened.visitor, actor=make_agent(department))
    with pytest.raises(services.Refused):
        services.visitor_message(visitor=opened.visitor, client_id="d", body="more spam")
    assert services.is_blocked(inbox=inbox, visitor=None, ip="203.0.113.9")
    fresh = services.session_open(inbox=inbox, ip="198.51.100.1").visitor
    assert not services.is_blocked(inbox=inbox, visitor=fresh, ip="198.51.100.1")


def test_uploads_are_checked_by_content_not_name(visitor):
    stored = services.upload_store(visitor=visitor, name="photo.exe", content=PNG)
    assert stored.content_type == "image/png"
    for content in (b"MZ\x90\x00binary", b"<svg onload=alert(1)>", b"<html><script>", b"\x7fELF\x00\x00"):
        with pytest.raises(services.Refused):
            services.upload_store(visitor=visitor, name="notes.txt", content=content)
    assert sniff("plain words, ěščř".encode()) == "text/plain"


def test_an_upload_over_the_size_is_refused(visitor):
    with pytest.raises(services.Refused) as refused:
        services.upload_store(visitor=visitor, name="big.png", content=PNG + b"\x00" * (10 * 1024 * 1024))
    assert refused.value.status == 413


def test_an_upload_is_sent_with_a_message_once(visitor):
    stored = services.upload_store(visitor=visitor, name="a.png", content=PNG)
    line = services.visitor_message(visitor=visitor, client_id="c", body="", upload_ids=[stored.pk]).line
    assert [a.file_name for a in line.message.attachments.all()] == ["a.png"]
    with pytest.raises(services.Refused):  # used: a second message cannot carry it again
        services.visitor_message(visitor=visitor, client_id="d", body="", upload_ids=[stored.pk])


def test_an_offline_message_says_when_someone_answers_in_business_hours(inbox):
    from pomoc.calendars.services import calendar_create

    assert services.offline_message(inbox=inbox, name="J", email="j@example.com", message="hi").answer_by is None
    calendar = calendar_create(name="Office", time_zone="Europe/Prague",
                               hours={str(day): ["09:00-17:00"] for day in range(5)})
    inbox.config = {**inbox.config, "calendar": calendar.pk, "answer_within_hours": 4}
    inbox.save()
    answer_by = services.offline_message(inbox=inbox, name="J", email="j@example.com", message="hi").answer_by
    from zoneinfo import ZoneInfo

    local = answer_by.astimezone(ZoneInfo("Europe/Prague"))
    assert local.weekday() < 5 and 9 <= local.hour <= 17


@pytest.fixture
def chat_with_supervisor(visitor, department):
    """A chat answered by an agent of a department with its own supervisor, and a CSAT survey whose
    follow-up score is 2."""
    from pomoc.accounts.models import Role
    from pomoc.surveys.models import Survey, SurveyKind

    Survey.objects.update_or_create(kind=SurveyKind.CSAT, defaults={"low_score": 2})
    boss = make_agent(department, role=Role.SUPERVISOR, online=False)
    services.visitor_message(visitor=visitor, client_id="c", body="Where is my parcel?")
    chat = Conversation.objects.get(visitor=visitor)
    services.conversation_accept(conversation=chat, agent=make_agent(department))
    return chat, boss


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_chat_rating_opens_the_surveys_follow_up_for_a_supervisor(chat_with_supervisor, score):
    from pomoc.notifications.models import Notification
    from pomoc.tickets.models import EventType, MessageKind

    chat, boss = chat_with_supervisor
    services.rating_record(conversation=chat, score=score, comment="Too slow")
    ticket = chat.ticket
    notes = list(ticket.messages.filter(kind=MessageKind.SYSTEM).values_list("body_text", flat=True))
    assert any(f"CSAT {score} of 5" in note and "follow up" in note for note in notes)
    assert ticket.events.get(type=EventType.SURVEY_ANSWERED).data["low"] is True
    told = Notification.objects.get(kind="low_rating")
    assert told.recipient == boss and told.ticket == ticket
    assert Answer.objects.get().comment == "Too slow"


def test_a_good_chat_rating_opens_no_follow_up(chat_with_supervisor):
    from pomoc.notifications.models import Notification
    from pomoc.tickets.models import EventType

    chat, _boss = chat_with_supervisor
    services.rating_record(conversation=chat, score=3)
    assert chat.ticket.events.get(type=EventType.SURVEY_ANSWERED).data["low"] is False
    assert not Notification.objects.filter(kind="low_rating").exists()
