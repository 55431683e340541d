"""The notifications an agent chose by e-mail arrive together, in their language, unread ones only."""

import pytest
from django.core import mail

from pomoc.notifications import services, tasks
from pomoc.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def test_several_notifications_make_one_mail(team, committed):
    alice, bob, _olga, ticket = team
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
        services.notify([bob], kind=NotificationKind.MENTIONED, ticket=ticket, actor=alice, text="@bob look")
        services.notify([bob], kind=NotificationKind.CUSTOMER_REPLIED, ticket=ticket)  # not chosen by default
    assert tasks.send_notification_emails.call() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["bob@example.com"] and "2 new notifications" in sent.subject
    assert "Alice Archer assigned ticket" in sent.body and "mentioned you" in sent.body
    assert "customer replied" not in sent.body
    assert f"/notifications/{Notification.objects.order_by('pk').first().pk}/" in sent.body
    # Idempotent: nothing is sent twice.
    assert tasks.send_notification_emails.call() == 0 and len(mail.outbox) == 1
    assert not services.has_pending_email()


def test_what_was_read_in_pomoc_is_not_mailed(team, committed):
    alice, bob, _olga, ticket = team
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
    services.notifications_read(user=bob)
    assert services.send_email_digests() == 0 and mail.outbox == []


def test_the_mail_is_in_the_agents_language(team, committed):
    alice, bob, _olga, ticket = team
    bob.language = "pl"
    bob.save()
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
    services.send_email_digests()
    assert "new notification" not in mail.outbox[0].subject
    assert "Alice Archer" in mail.outbox[0].body


def test_a_mail_that_cannot_go_stays_pending_for_the_next_run(team, committed, settings):
    from pomoc.testing.services import free_port

    alice, bob, _olga, ticket = team
    with committed():
        services.notify([bob], kind=NotificationKind.ASSIGNED, ticket=ticket, actor=alice)
    # A mail server that is not there (nothing listens on the port).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    assert services.send_email_digests() == 0
    assert services.has_pending_email()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_email_digests() == 1 and len(mail.outbox) == 1
