"""Customer churn, deflection and CSAT by channel in the report, on small fixtures whose figures are
computed by hand (docs/metrics.md)."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from pomoc.accounts.models import Role
from pomoc.api.tests.conftest import Api
from pomoc.automation.sla.tests.helpers import ticket_at
from pomoc.channels.chat import services as chat_services
from pomoc.channels.chat.models import Conversation
from pomoc.channels.chat.tests.conftest import SITE, make_agent, make_chat_inbox
from pomoc.channels.models import Inbox
from pomoc.channels.web import services as web_services
from pomoc.channels.web.models import FormVisit
from pomoc.orders import services as order_services
from pomoc.orders import value
from pomoc.reports import export, rollups
from pomoc.reports.charts import report_charts
from pomoc.reports.metrics import Rate
from pomoc.reports.models import CustomerDay
from pomoc.reports.selectors import report_for
from pomoc.surveys import services as survey_services
from pomoc.surveys.models import SurveyKind
from pomoc.surveys.selectors import ChannelCsat
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services as ticket_services
from pomoc.tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db
UTC = dt.UTC
MONDAY = dt.datetime(2026, 11, 2, tzinfo=UTC)
WEEK = dt.timedelta(days=7)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"


def _order(contact, key: str, placed: dt.datetime, status: str = "paid"):
    source = order_services.source_get_or_create(key="shop")
    return order_services.order_upsert(source=source, data=order_services.OrderIn(
        external_id=key, contact=contact, currency="EUR", placed_at=placed, status=status,
        lines=[order_services.LineIn(product="Kettle", unit_price="20.00", quantity=1)]))[0]


# --- churn ---------------------------------------------------------------------------------------
@pytest.fixture
def customers():
    """The week before MONDAY and the week from it; who was active when."""
    c = {name: ContactFactory(name=name) for name in "ABCDEFGH"}
    before, during = MONDAY - 5 * DAY, MONDAY + 2 * DAY
    ticket_at(before, requester=c["A"])
    ticket_at(during, requester=c["A"])  # A: active in both: stays
    _order(c["B"], "b1", before)  # B: an order before, nothing during: churned
    ticket_at(before + DAY, requester=c["C"])
    _order(c["C"], "c1", during)  # C: a ticket before, an order during: stays
    merged = ticket_at(before, requester=c["D"])  # D: only a ticket merged away: never active
    ticket_services.ticket_merge(source=merged, target=Ticket.objects.filter(requester=c["A"]).first(),
                                 actor=UserFactory())
    _order(c["E"], "e1", before, status="cancelled")  # E: a cancelled order only: never active
    ticket_at(during, requester=c["F"])  # F: only during: not in the base
    ticket_at(before, requester=c["G"])
    _order(c["G"], "g1", during, status="cancelled")  # G: a cancelled order during does not count: churned
    ticket_at(MONDAY - DAY, requester=c["H"])  # H: Sunday before; back the Sunday after (outside): churned
    ticket_at(MONDAY + WEEK, requester=c["H"])
    return c


def test_churn_of_a_period_by_hand_equals_the_customer_profiles_definition(customers):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    rollups.rebuild()
    report = report_for(admin, start=MONDAY, end=MONDAY + WEEK)
    # active before: A, B, C, G, H (4 of them did not return during: B, G, H)
    assert report.churn == Rate(3, 5)
    assert report.churn.value == 0.6
    assert value.churn(end=MONDAY + WEEK, days=7) == (3, 5)
    # the period before (Oct 19–26 against Oct 26–Nov 2): nobody active before it
    assert report.previous.churn == Rate(0, 0)
    # the week after: active during the week were A, C and F (G's order was cancelled); in the week
    # after only H (its Monday ticket): all three churned
    after = report_for(admin, start=MONDAY + WEEK, end=MONDAY + 2 * WEEK, compare=False)
    assert after.churn == Rate(3, 3)
    assert value.churn(end=MONDAY + 2 * WEEK, days=7) == (after.churn.numerator, after.churn.denominator)


def test_churn_follows_new_tickets_and_orders_through_the_rollup_job(customers):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    rollups.rebuild()
    assert report_for(admin, start=MONDAY, end=MONDAY + WEEK).churn == Rate(3, 5)
    _order(customers["B"], "b2", MONDAY + 3 * DAY)  # B comes back with an order (marks its day)
    ticket_at(MONDAY + 4 * DAY, requester=customers["G"])  # G writes again (an event: the job sees it)
    rollups.advance()
    assert report_for(admin, start=MONDAY, end=MONDAY + WEEK).churn == Rate(1, 5)
    assert value.churn(end=MONDAY + WEEK, days=7) == (1, 5)
    # the job and a rebuild agree
    rows = sorted(CustomerDay.objects.values_list("day", "contact_id"))
    rollups.rebuild()
    assert sorted(CustomerDay.objects.values_list("day", "contact_id")) == rows


def test_churn_only_for_a_viewer_who_sees_every_ticket_and_filters_nothing(customers):
    rollups.rebuild()
    support = DepartmentFactory(name="Support")
    agent = UserFactory(role=Role.AGENT)
    agent.departments.add(support)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    assert report_for(agent, start=MONDAY, end=MONDAY + WEEK).churn is None
    assert report_for(admin, start=MONDAY, end=MONDAY + WEEK, department=support).churn is None


# --- deflection ------------------------------------------------------------------------------------
@pytest.fixture
def forms():
    support = Inbox.objects.create(name="Support form", kind="web", department=DepartmentFactory(name="Support"))
    sales = Inbox.objects.create(name="Sales form", kind="web", department=DepartmentFactory(name="Sales"))
    visits = {  # key: (form, day opened)
        "support-monday-1": (support, MONDAY + 9 * dt.timedelta(hours=1)),
        "support-monday-2": (support, MONDAY + 10 * dt.timedelta(hours=1)),
        "support-monday-3": (support, MONDAY + 11 * dt.timedelta(hours=1)),
        "sales-tuesday-01": (sales, MONDAY + DAY + 9 * dt.timedelta(hours=1)),
        "support-before-1": (support, MONDAY - 3 * DAY),
    }
    for key, (inbox, _at) in visits.items():
        web_services.visit_article_opened(inbox=inbox, visit_key=key, article_url="/kb/printer/")
    # one Monday visit still sends the form: no deflection
    web_services.form_submit(inbox=support, submission=web_services.Submission(
        email="eva@example.cz", name="Eva", subject="Still stuck", text="The article did not help.",
        form_id=uuid.uuid4().hex, visit_key="support-monday-1"))
    for key, (_inbox, at) in visits.items():
        FormVisit.objects.filter(key=key).update(opened_at=at)
    return {"support": support.department, "sales": sales.department}


def test_deflection_by_hand_per_period_day_department_and_viewer(forms):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    report = report_for(admin, start=MONDAY, end=MONDAY + WEEK)
    # 4 visits opened an article in the week; 1 sent the form: 3 deflections
    assert (report.deflection.visits, report.deflection.deflections) == (4, 3)
    assert report.deflection.rate.value == 0.75
    assert report.deflection.daily == {MONDAY.date(): (3, 2), (MONDAY + DAY).date(): (1, 1)}
    assert (report.previous.deflection.visits, report.previous.deflection.deflections) == (1, 1)
    only_sales = report_for(admin, start=MONDAY, end=MONDAY + WEEK, department=forms["sales"])
    assert only_sales.deflection.rate == Rate(1, 1)
    assert report_for(admin, start=MONDAY, end=MONDAY + WEEK, channel=Channel.WEB).deflection.rate == Rate(3, 4)
    assert report_for(admin, start=MONDAY, end=MONDAY + WEEK, channel=Channel.EMAIL).deflection is None
    assert report_for(admin, start=MONDAY, end=MONDAY + WEEK, agent=admin).deflection is None
    agent = UserFactory(role=Role.AGENT)
    agent.departments.add(forms["support"])
    assert report_for(agent, start=MONDAY, end=MONDAY + WEEK).deflection.rate == Rate(2, 3)
    chart = next(chart for chart in report_charts(report) if chart.key == "deflection")
    assert chart.rows[0] == (MONDAY.date(), [3.0, 2.0]) and chart.rows[1] == ((MONDAY + DAY).date(), [1.0, 1.0])


def test_churn_and_deflection_in_the_page_the_download_and_the_api(customers, forms, client):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    rollups.rebuild()
    client.force_login(admin)
    query = {"period": "custom", "start": "2026-11-02", "end": "2026-11-08"}
    page = client.get(reverse("reports:overview"), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 of 5 customers active in the period before were not active in this one" in html
    assert "3 of 4 contact-form visits that opened a suggested article sent no form" in html
    csv = client.get(reverse("reports:overview"), {**query, "format": "csv"}).content.decode()
    assert "Customer churn,3,5,0.6" in csv and "Deflection,3,4,0.75" in csv
    assert "2026-11-02,3,2" in csv
    body = Api(admin).get("/reports/summary", {"start": "2026-11-02", "days": 7}).json()
    assert body["churn"] == {"count": 3, "of": 5, "share": 0.6}
    assert body["deflection"] == {"count": 3, "of": 4, "share": 0.75}
    assert body["previous"]["deflection"] == {"count": 1, "of": 1, "share": 1.0}


# --- CSAT: e-mailed surveys and chat ratings alike ------------------------------------------------------
def _chat_rated(inbox, department, score: int):
    visitor = chat_services.session_open(inbox=inbox, page={"url": f"{SITE}/help", "title": "Help"}).visitor
    chat_services.visitor_message(visitor=visitor, client_id=uuid.uuid4().hex, body="Hello")
    chat = Conversation.objects.get(visitor=visitor)
    chat_services.conversation_accept(conversation=chat, agent=make_agent(department))
    return chat_services.rating_record(conversation=chat, score=score)


def test_csat_by_channel_counts_chat_ratings_beside_email_answers():
    survey_services.survey_update(kind=SurveyKind.CSAT, enabled=True, questions={}, min_interval_days=0,
                                  valid_days=14, low_score=None)
    department = DepartmentFactory(name="Sales")
    for score in (5, 3, 4):  # e-mail: 2 of 3 satisfied
        ticket = make_ticket(requester=ContactFactory(email=f"c{score}@example.com"), department=department)
        invitation = survey_services.invite(SurveyKind.CSAT, contact=ticket.requester, ticket=ticket)
        survey_services.answer_record(invitation, score)
    inbox = make_chat_inbox(department=department)
    for score in (5, 2):  # chat: 1 of 2 satisfied
        assert _chat_rated(inbox, department, score).channel == Channel.CHAT
    admin = UserFactory(role=Role.ADMINISTRATOR)
    today = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    report = report_for(admin, start=today, end=today + DAY)
    assert (report.surveys.csat_answers, report.surveys.csat_percent) == (5, 60.0)  # 3 of 5
    assert list(report.csat_by_channel) == [ChannelCsat(Channel.CHAT, 2, 1), ChannelCsat(Channel.EMAIL, 3, 2)]
    assert [row.percent for row in report.csat_by_channel] == [50.0, pytest.approx(200 / 3)]
    chat_only = report_for(admin, start=today, end=today + DAY, channel=Channel.CHAT)
    assert (chat_only.surveys.csat_answers, chat_only.surveys.csat_percent) == (2, 50.0)
    email_only = report_for(admin, start=today, end=today + DAY, channel=Channel.EMAIL)
    assert (email_only.surveys.csat_answers, email_only.surveys.csat_percent) == (3, pytest.approx(200 / 3))
    # an agent of the department sees both kinds; the download lists both channels
    agent = UserFactory(role=Role.AGENT)
    agent.departments.add(department)
    assert report_for(agent, start=today, end=today + DAY).surveys.csat_answers == 5
    table = export.rows(report)
    assert ["Live chat", 2, 1, 50.0] in table and ["E-mail", 3, 2, 66.67] in table
