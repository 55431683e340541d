"""The inbox page: built-in and saved views, filters, paging, partials and query counts."""

import pytest
from django import forms
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pomoc.contacts.models import Contact, Identity
from pomoc.testing.factories import ContactFactory, DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets import services
from pomoc.tickets.forms import QuickSelect
from pomoc.tickets.models import Priority, SavedView, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    user = UserFactory(username="inboxer", first_name="Ina", last_name="Box")
    DepartmentFactory(name="Support").members.add(user)
    return user


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def subjects(response) -> list[str]:
    return [t.subject for t in response.context["tickets"]]


def sidebar_counts(client, view="open") -> dict:
    """The counts of the sidebar fragment the inbox page loads (and refreshes) through htmx."""
    response = client.get("/inbox/", {"view": view, "fragment": "sidebar"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return {v["key"]: v["count"] for v in response.context["views"]}


def test_builtin_views_show_their_tickets_with_counts(agent_client, agent):
    support = agent.departments.get()
    mine = make_ticket(subject="Mine", assignee=agent, department=support)
    unassigned = make_ticket(subject="Nobody's", department=support)
    pending = make_ticket(subject="Waiting", department=support)
    services.ticket_update(ticket=pending, actor=agent, changes={"status": Status.PENDING})
    done = make_ticket(subject="Done", department=support)
    services.ticket_update(ticket=done, actor=agent, changes={"status": Status.RESOLVED})

    assert subjects(agent_client.get("/inbox/?view=mine")) == [mine.subject]
    assert set(subjects(agent_client.get("/inbox/?view=unassigned"))) == {unassigned.subject, pending.subject}
    assert subjects(agent_client.get("/inbox/?view=pending")) == ["Waiting"]
    assert subjects(agent_client.get("/inbox/?view=resolved")) == ["Done"]
    response = agent_client.get(f"/inbox/?view=dept-{support.pk}")
    assert set(subjects(response)) == {"Mine", "Nobody's", "Waiting"}
    counts = sidebar_counts(agent_client, f"dept-{support.pk}")
    assert counts["mine"] == 1 and counts["open"] == 3 and counts["resolved"] == 1 and counts[f"dept-{support.pk}"] == 3
    assert b"Support" in response.content


def test_filters_narrow_the_view_and_are_kept_in_the_filter_bar(agent_client, agent):
    make_ticket(subject="Low one", priority=Priority.LOW)
    make_ticket(subject="Urgent one", priority=Priority.URGENT, tags=["vip"])
    response = agent_client.get("/inbox/", {"view": "open", "priority": "urgent"})
    assert subjects(response) == ["Urgent one"]
    assert response.context["filter_form"].initial["priority"] == "urgent"
    assert subjects(agent_client.get("/inbox/", {"view": "open", "tag": "vip"})) == ["Urgent one"]
    assert subjects(agent_client.get("/inbox/", {"view": "open", "q": "low"})) == ["Low one"]
    # The filter bar sends every filter: an empty status there means any status.
    assert len(subjects(agent_client.get("/inbox/", {"view": "resolved", "filtered": "1", "status": ""}))) == 2


def test_invalid_filters_show_an_error_not_a_crash(agent_client):
    response = agent_client.get("/inbox/", {"status": "sleeping", "sort": "nonsense"})
    assert response.status_code == 400
    assert b"Unknown status: sleeping" in response.content
    assert b"Unknown sort" in response.content
    assert agent_client.get("/inbox/", {"cursor": "garbage!!"}).status_code == 400
    assert b"does not exist" in agent_client.get("/inbox/", {"view": "saved-999999"}).content


def test_keyset_paging_walks_every_ticket_once(agent_client, settings):
    settings.POMOC_PAGE_SIZE = 3
    created = {make_ticket(subject=f"T{i}").subject for i in range(7)}
    seen, url, pages = [], "/inbox/?view=open", 0
    while url:
        response = agent_client.get(url)
        seen += subjects(response)
        pages += 1
        url = f"/inbox/?{response.context['next_query']}" if response.context["next_query"] else None
    assert pages == 3 and len(seen) == 7 and set(seen) == created
    # htmx "Load more" gets only the next rows.
    first = agent_client.get("/inbox/?view=open")
    rows = agent_client.get(f"/inbox/?{first.context['next_rows_query']}", HTTP_HX_REQUEST="true")
    assert b"<html" not in rows.content and b"ticket-row" in rows.content and b"Load more" in rows.content


def test_htmx_request_returns_only_the_table_and_it_refreshes_itself(agent_client):
    make_ticket(subject="Partial")
    response = agent_client.get("/inbox/", {"view": "open", "filtered": "1", "status": "active"},
                                HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content and 'id="inbox-table"' in content and "Partial" in content
    assert 'hx-trigger="pomoc:inbox-changed from:body"' in content
    assert "status=active" in content  # the live refresh keeps the current filters
    sidebar = agent_client.get("/inbox/", {"view": "open", "fragment": "sidebar"}, HTTP_HX_REQUEST="true")
    assert b'id="inbox-views"' in sidebar.content and b"<html" not in sidebar.content


def test_full_page_carries_the_live_hook(agent_client):
    content = agent_client.get("/inbox/").content.decode()
    assert 'data-live-inbox="1"' in content


def test_save_and_delete_a_view(agent_client, agent):
    make_ticket(subject="Hot", priority=Priority.URGENT)
    make_ticket(subject="Cold", priority=Priority.LOW)
    response = agent_client.post(reverse("tickets:save-view"),
                                 {"name": "Urgent stuff", "shared": "on", "status": "active", "priority": "urgent"})
    saved = SavedView.objects.get(name="Urgent stuff")
    assert saved.owner == agent and saved.shared and saved.filters == {"status": "active", "priority": "urgent"}
    assert response["Location"].endswith(f"?view=saved-{saved.pk}")
    page = agent_client.get(response["Location"])
    assert subjects(page) == ["Hot"]
    assert any(v["key"] == f"saved-{saved.pk}" for v in page.context["views"])
    assert sidebar_counts(agent_client, f"saved-{saved.pk}")[f"saved-{saved.pk}"] == 1

    # Another agent sees the shared view but cannot delete it.
    other = UserFactory(username="colleague")
    agent_client.force_login(other)
    assert subjects(agent_client.get(f"/inbox/?view=saved-{saved.pk}")) == ["Hot"]
    assert agent_client.post(reverse("tickets:delete-view", args=[saved.pk])).status_code == 404
    agent_client.force_login(agent)
    agent_client.post(reverse("tickets:delete-view", args=[saved.pk]))
    assert not SavedView.objects.exists()


def test_saving_a_view_with_bad_filters_or_no_name_saves_nothing(agent_client):
    agent_client.post(reverse("tickets:save-view"), {"name": "Bad", "status": "sleeping"})
    agent_client.post(reverse("tickets:save-view"), {"name": "", "status": "open"})
    assert not SavedView.objects.exists()


def test_updated_time_is_shown_in_the_users_time_zone(agent_client, agent):
    agent.time_zone = "Asia/Tokyo"
    agent.save()
    ticket = make_ticket(subject="Clock")
    content = agent_client.get("/inbox/").content.decode()
    assert ticket.updated_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).isoformat()[:19] in content


EVERY_COLUMN = "requester,status,priority,assignee,department,tags,channel,age,updated,created,preview"


def _inbox_queries(client, url="/inbox/?view=open") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_inbox_costs_the_same_number_of_queries_for_5_or_30_tickets(agent_client, agent):
    support = agent.departments.get()
    colleague = UserFactory(username="colleague2")
    every_column = f"/inbox/?view=open&columns={EVERY_COLUMN}"

    def add(n):
        for i in range(n):
            ticket = make_ticket(subject=f"Q{i}", requester=ContactFactory(), department=support,
                                 assignee=colleague if i % 2 else None, tags=[f"t{i % 3}", "x"])
            services.message_add(ticket=ticket, kind="reply", actor=agent, body_text=f"Answer {i}")

    add(5)
    _inbox_queries(agent_client)  # first request creates the session and organisation settings rows
    few, few_everything = _inbox_queries(agent_client), _inbox_queries(agent_client, every_column)
    add(25)
    many, many_everything = _inbox_queries(agent_client), _inbox_queries(agent_client, every_column)
    assert (few, few_everything) == (many, many_everything)
    # session, user, departments, saved views, the page (with each row's last message), agents and
    # departments of the forms, the custom fields the filter bar offers, the bell's unread count and
    # the page's unread rows (notifications)
    assert few <= 10
    # Every column shown costs one query more (the page's tags), whatever the number of rows.
    assert many_everything == many + 1


def test_a_view_shows_the_columns_chosen_for_it_and_keeps_them_when_saved(agent_client, agent):
    ticket = make_ticket(subject="Columns", channel="chat", body="First words of the customer")
    services.message_add(ticket=ticket, kind="reply", actor=agent, body_text="Our  answer,\n  on two lines")
    content = agent_client.get("/inbox/?view=open").content.decode()
    assert 'class="col-age"' in content and 'class="col-channel"' not in content
    assert "Our answer, on two lines" in content  # the newest public message, on one line
    response = agent_client.get("/inbox/?view=open&filtered=1&status=active&columns=channel&columns=created")
    content = response.content.decode()
    assert response.context["columns"] == ["channel", "created"]
    assert 'class="col-channel">Live chat<' in content and 'class="col-assignee"' not in content
    assert "Our answer" not in content  # no preview asked for
    agent_client.post(reverse("tickets:save-view"), {"name": "Chat desk", "status": "active", "sort": "-created_at",
                                                     "columns": ["channel", "created"]})
    saved = SavedView.objects.get(name="Chat desk")
    assert saved.filters == {"status": "active", "sort": "-created_at", "columns": "channel,created"}
    assert agent_client.get(f"/inbox/?view=saved-{saved.pk}").context["columns"] == ["channel", "created"]


def test_long_subjects_and_names_carry_their_full_text_for_hover(agent_client):
    subject = "Word " * 55
    requester = Contact.objects.create(name="Maximiliana " * 8)
    make_ticket(subject=subject.strip(), requester=requester)
    content = agent_client.get("/inbox/?view=open").content.decode()
    assert 'class="ticket-link clip" href' in content and f'title="{subject.strip()}"' in content
    assert f'title="{requester.name}"' in content


def test_unknown_columns_in_a_saved_view_are_refused():
    from django.core.exceptions import ValidationError

    from pomoc.tickets.saved_views import clean_view_filters

    with pytest.raises(ValidationError):
        clean_view_filters({"columns": "subject,colour"})
    assert clean_view_filters({"columns": "age,updated"}) == {"columns": "age,updated"}


def test_the_page_does_not_count_its_views_the_sidebar_does_and_caches_them(agent_client, agent,
                                                                            django_capture_on_commit_callbacks):
    support = agent.departments.get()
    make_ticket(subject="One", department=support)
    content = agent_client.get("/inbox/?view=open").content.decode()
    # Nothing counted yet: the sidebar asks for its counts as soon as it is loaded.
    assert 'hx-trigger="load, pomoc:inbox-changed from:body"' in content
    with CaptureQueriesContext(connection) as queries:
        assert sidebar_counts(agent_client)["open"] == 1
    assert sum("COUNT(" in q["sql"] for q in queries) == 7  # six built-in views and one department
    # Counted once, cached: the sidebar and the page show them without counting again...
    with CaptureQueriesContext(connection) as queries:
        assert sidebar_counts(agent_client)["open"] == 1
        content = agent_client.get("/inbox/?view=open").content.decode()
    assert not any("COUNT(" in q["sql"] for q in queries)
    assert 'hx-trigger="pomoc:inbox-changed from:body"' in content and "load," not in content
    # ...until a change to any ticket is committed: the dispatcher retires every cached count at once.
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(subject="Two", department=support)
    assert sidebar_counts(agent_client)["open"] == 2
    cache.clear()
    assert sidebar_counts(agent_client)["open"] == 2


def test_an_agents_own_change_shows_in_the_counts_at_once(agent_client, agent, django_capture_on_commit_callbacks):
    ticket = make_ticket(subject="Take me", department=agent.departments.get())
    before = sidebar_counts(agent_client)
    assert (before["mine"], before["unassigned"]) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(reverse("tickets:bulk"), {"ticket": [ticket.pk], "assignee": "me", "next": "/"})
    after = sidebar_counts(agent_client)
    assert (after["mine"], after["unassigned"]) == (1, 0)


def test_cached_counts_belong_to_one_user(agent_client, agent):
    make_ticket(subject="Mine", assignee=agent)
    assert sidebar_counts(agent_client)["mine"] == 1
    agent_client.force_login(UserFactory(username="other-agent"))
    assert sidebar_counts(agent_client)["mine"] == 0


def test_rows_show_labels_links_and_the_requesters_first_identity(agent_client, agent):
    nameless = Contact.objects.create(name="")
    Identity.objects.create(contact=nameless, kind="phone", value="+420123456789")
    Identity.objects.create(contact=nameless, kind="email", value="first@example.org")
    ticket = make_ticket(subject="Row", requester=nameless, priority=Priority.URGENT, assignee=agent)
    content = agent_client.get("/inbox/?view=open").content.decode()
    assert f'href="{reverse("tickets:detail", args=[ticket.number])}"' in content
    assert f'aria-label="Select ticket #{ticket.number}"' in content
    assert '<span class="priority priority-urgent">Urgent</span>' in content
    ticket.refresh_from_db()
    assert f'<span class="status status-{ticket.status}">{ticket.get_status_display()}</span>' in content
    assert "first@example.org" in content and "Ina Box" in content


@pytest.mark.parametrize("value", ["", "me", "none", "7", None, "unknown"])
def test_quick_select_writes_the_same_html_as_djangos_select(value):
    choices = [("", "Anyone <x>"), ("me", "Me & you"), ("none", "Nobody"), ("7", "Agent \"7\""), ("7", "Twice")]
    attrs = {"id": "id_assignee", "aria-invalid": "true", "disabled": True, "hidden": False}
    assert (QuickSelect(choices=choices).render("assignee", value, attrs)
            == forms.Select(choices=choices).render("assignee", value, attrs))


@pytest.mark.parametrize(("seconds", "expected"), [
    (5, "0 minutes"), (125, "2 minutes"), (3 * 3600 + 59, "3 hours"), (2 * 86400, "2 days"), (800 * 86400, "2 years"),
])
def test_the_age_column_says_the_largest_whole_unit(seconds, expected):
    import datetime as dt

    from pomoc.tickets.inbox_rows import age

    assert age(dt.timedelta(seconds=seconds)) == expected


def test_the_column_picker_ticks_the_columns_shown(agent_client):
    content = agent_client.get("/inbox/?view=open&filtered=1&columns=age&columns=tags").content.decode()
    assert 'name="columns" value="age" id="id_columns_7" checked>' in content
    assert 'name="columns" value="requester" id="id_columns_0">' in content
    assert '<label for="id_columns_5">' in content
