"""The inbound pipeline stores a batch of keyed messages set-wise (a handful of queries for all,
whatever their number), with the same results the one-by-one path gives; a refused message makes
the call fall back to one by one, so that it alone gets its error."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pomoc.channels import inbound
from pomoc.channels.chat import intake, services
from pomoc.channels.chat.tests.conftest import SITE, make_chat_inbox
from pomoc.channels.inbound import InboundMessage
from pomoc.contacts.models import Contact, Identity, IdentityKind
from pomoc.testing.factories import DepartmentFactory, UserFactory, make_ticket
from pomoc.tickets.models import Message, Status, Ticket
from pomoc.tickets.services import ticket_merge

pytestmark = pytest.mark.django_db

# a batch of chat follow-ups, whatever its size: the intake's own statements and the pipeline's
BATCH_QUERIES = 22


def make_inbox(name="Shop chat"):
    return make_chat_inbox(name=name, department=DepartmentFactory(name=f"{name} team"))


def msg(id_, key, *, visitor=None, text="Hello", name="Jana") -> InboundMessage:
    return InboundMessage(identity_kind=IdentityKind.CHAT, identity_value=visitor or f"visitor-{key}",
                          external_id=id_, name=name, text=text, thread_key=key)


def receive(inbox, *messages, **kwargs):
    return inbound.receive(inbox=inbox, messages=list(messages), **kwargs)


@pytest.fixture
def one_by_one_forbidden(monkeypatch):
    """The call must take the set-wise path."""
    def refused(*args):
        raise AssertionError("the per-message path ran")

    monkeypatch.setattr(inbound, "_receive_one", refused)


@pytest.fixture
def one_by_one_calls(monkeypatch):
    calls = []
    original = inbound._receive_one

    def counted(inbox, message, threading):
        calls.append(message.external_id)
        return original(inbox, message, threading)

    monkeypatch.setattr(inbound, "_receive_one", counted)
    return calls


def _batch():
    """Follow-ups of conversations k-0…k-5, a new conversation twice, a repeat within the call."""
    return ([msg(f"f-{n}", f"k-{n}", text=f"Follow-up {n}") for n in range(6)]
            + [msg("new-1", "k-new", text="First"), msg("new-2", "k-new", text="Second"), msg("f-2", "k-2")])


def _outcome(results, opened):
    """The results, with tickets named by the conversation that opened them."""
    names = {ticket.pk: key for key, ticket in opened.items()}
    return [(r.external_id, r.stored, r.created, r.duplicate, r.error, names.get(r.ticket.pk, "new"),
             r.message.body_text) for r in results]


def test_a_batch_gives_the_results_the_one_by_one_path_gives(one_by_one_calls):
    batch_inbox, single_inbox = make_inbox("Batch"), make_inbox("Single")
    opened = {}
    for inbox in (batch_inbox, single_inbox):
        for n in range(6):
            [first] = receive(inbox, msg(f"o-{n}", f"k-{n}", text=f"Opening {n}"))
            opened[(inbox.pk, f"k-{n}")] = first.ticket
    one_by_one_calls.clear()

    batched = receive(batch_inbox, *_batch())
    assert one_by_one_calls == []  # set-wise
    singles = [receive(single_inbox, m)[0] for m in _batch()]

    by_inbox = {inbox.pk: {key: t for (pk, key), t in opened.items() if pk == inbox.pk}
                for inbox in (batch_inbox, single_inbox)}
    assert _outcome(batched, by_inbox[batch_inbox.pk]) == _outcome(singles, by_inbox[single_inbox.pk])
    assert [r.ticket == opened[(batch_inbox.pk, f"k-{n}")] for n, r in enumerate(batched[:6])] == [True] * 6
    assert [(r.stored, r.created, r.duplicate) for r in batched[6:]] == [
        (True, True, False), (True, False, False), (False, False, True)]
    assert batched[7].ticket == batched[6].ticket and batched[8].message == batched[2].message
    new_ticket = batched[6].ticket
    identity = Identity.objects.get(kind=IdentityKind.CHAT, value="visitor-k-new")
    assert (new_ticket.reply_inbox, new_ticket.reply_identity, new_ticket.requester) == (
        batch_inbox, identity, identity.contact)
    assert new_ticket.department == batch_inbox.department and new_ticket.subject == "First"
    stored = Message.objects.filter(inbox=batch_inbox, external_id__startswith="f-")
    assert stored.count() == 6 and all(m.thread_key == f"k-{m.external_id[2:]}" for m in stored)
    assert Ticket.objects.count() == 2 * 7
    assert Contact.objects.count() == 7  # one contact per visitor, both inboxes


def test_a_new_key_twice_in_one_call_opens_one_ticket(one_by_one_forbidden):
    inbox = make_inbox()
    first, second = receive(inbox, msg("m-1", "k-1", text="Hi"), msg("m-2", "k-1", text="Anyone?"))
    assert first.created and first.stored and second.stored and not second.created
    assert second.ticket == first.ticket and Ticket.objects.count() == 1
    assert list(Message.objects.filter(ticket=first.ticket).order_by("id").values_list("body_text", flat=True)) == [
        "Hi", "Anyone?"]
    assert first.ticket.reply_identity.value == "visitor-k-1"


def test_a_resolved_conversation_opens_a_new_ticket_and_a_merged_one_leads_to_its_target(one_by_one_calls):
    inbox = make_inbox()
    resolved, merged, moved, pending = (receive(inbox, msg(f"o-{k}", k))[0].ticket
                                        for k in ("resolved", "merged", "moved", "pending"))
    Ticket.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)
    Ticket.objects.filter(pk=pending.pk).update(status=Status.PENDING)
    target, other_target = make_ticket(), make_ticket()
    # merged_into set, its messages still on it: the key's newest message leads there through the merge
    Ticket.objects.filter(pk=merged.pk).update(merged_into=other_target, status=Status.CLOSED)
    ticket_merge(source=moved, target=target, actor=UserFactory(role="administrator"))  # the messages moved

    one_by_one_calls.clear()
    results = receive(inbox, msg("f-resolved", "resolved"), msg("f-merged", "merged"), msg("f-moved", "moved"),
                      msg("f-pending", "pending"))
    assert one_by_one_calls == []
    assert results[0].created and results[0].ticket != resolved
    assert results[1].ticket == other_target and not results[1].created
    assert results[2].ticket == target and not results[2].created
    assert results[3].ticket == pending and Ticket.objects.get(pk=pending.pk).status == Status.OPEN
    assert Ticket.objects.get(pk=resolved.pk).status == Status.RESOLVED


def test_duplicates_of_stored_messages_and_within_the_call_are_stored_once(one_by_one_calls):
    inbox = make_inbox()
    [earlier] = receive(inbox, msg("m-1", "k-1"))
    one_by_one_calls.clear()
    results = receive(inbox, msg("m-1", "k-1"), msg("m-2", "k-2"), msg("m-2", "k-2"), msg("m-3", "k-1"),
                      msg("m-1", "k-1"))
    assert one_by_one_calls == []
    assert [(r.stored, r.duplicate, r.created) for r in results] == [
        (False, True, False), (True, False, True), (False, True, False), (True, False, False), (False, True, False)]
    assert results[0].message == earlier.message == results[4].message and results[0].ticket == earlier.ticket
    assert results[2].message == results[1].message and results[2].ticket == results[1].ticket
    assert results[3].ticket == earlier.ticket
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["m-1", "m-2", "m-3"]


def test_one_invalid_message_makes_the_call_go_one_by_one_and_only_it_is_refused(one_by_one_calls):
    inbox = make_inbox()
    results = receive(inbox, msg("ok-1", "k-1"), msg("empty", "k-2", text=""), msg("ok-2", "k-3"),
                      msg("nobody", "k-4", visitor=" "))
    assert one_by_one_calls == ["ok-1", "empty", "ok-2", "nobody"]
    assert [r.stored for r in results] == [True, False, True, False]
    assert "text or an attachment" in results[1].error and results[3].error.startswith("value:")
    assert sorted(Message.objects.values_list("external_id", flat=True)) == ["ok-1", "ok-2"]
    assert Ticket.objects.count() == 2 and Contact.objects.count() == 2  # nothing left of the set-wise try


def test_a_nul_in_an_id_never_blocks_the_others(one_by_one_calls):
    """PostgreSQL refuses the id (DataError): the set-wise try is rolled back and the call goes one by
    one, the id refused alone. SQLite stores it (set-wise)."""
    inbox = make_inbox()
    results = receive(inbox, msg("nul-1", "k-1", text="Hello\x00world"), msg("bad\x00id", "k-2"), msg("nul-2", "k-3"))
    assert results[0].stored and results[2].stored
    assert Message.objects.get(external_id="nul-1").body_text == "Hello\ufffdworld"
    if connection.vendor == "postgresql":
        assert "database" in results[1].error and one_by_one_calls == ["nul-1", "bad\x00id", "nul-2"]
    else:
        assert results[1].stored and one_by_one_calls == []


def test_a_call_goes_one_by_one_when_a_strategy_has_no_set_wise_form_or_a_message_no_key(one_by_one_calls):
    inbox = make_inbox()
    window = (inbound.by_thread_key, inbound.latest_open_ticket(hours=1))
    first, second = receive(inbox, msg("m-1", "k-1"), msg("m-2", "k-1"), threading=window)
    assert second.ticket == first.ticket and one_by_one_calls == ["m-1", "m-2"]
    receive(inbox, msg("m-3", "k-2"), msg("m-4", ""))
    assert one_by_one_calls[2:] == ["m-3", "m-4"]
    receive(inbox, msg("m-5", "k-3"))  # one message: nothing to gain
    assert one_by_one_calls[4:] == ["m-5"]


def _chat_follow_ups(count):
    inbox = make_inbox(f"Chat {count}")
    visitors = [services.session_open(inbox=inbox, page={"url": f"{SITE}/p", "title": "P"}).visitor
                for _n in range(count)]
    for visitor in visitors:
        services.visitor_message(visitor=visitor, client_id="c-1", body="Hello")
    for visitor in visitors:
        assert services.visitor_message(visitor=visitor, client_id="c-2", body="Any news?").line.pending
    return inbox


@pytest.mark.parametrize("count", [5, 40])
def test_a_batch_of_chat_follow_ups_costs_the_same_queries_whatever_its_size(count, queue,
                                                                            django_assert_max_num_queries):
    inbox = _chat_follow_ups(count)
    with django_assert_max_num_queries(BATCH_QUERIES):
        assert intake.run(inbox_id=inbox.pk) == count
    assert Message.objects.filter(body_text="Any news?").count() == count
    assert Ticket.objects.count() == count  # each in its conversation's ticket


def test_the_query_count_is_flat(queue):
    counts = []
    for count in (5, 40):
        inbox = _chat_follow_ups(count)
        with CaptureQueriesContext(connection) as queries:
            intake.run(inbox_id=inbox.pk)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
