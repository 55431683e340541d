import pytest
from django.db import connection

from pomoc.channels.models import Inbox
from pomoc.core import crypto

pytestmark = pytest.mark.django_db


def test_secrets_are_stored_encrypted_and_read_back():
    inbox = Inbox.objects.create(name="Support", address="support@example.com")
    inbox.set_secret("imap_password", "hunter2-Ž")
    inbox.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM inboxes_inbox WHERE id = %s", [inbox.pk])
        stored = str(cursor.fetchone()[0])
    assert "hunter2" not in stored
    assert Inbox.objects.get(pk=inbox.pk).get_secret("imap_password") == "hunter2-Ž"
    assert inbox.get_secret("smtp_password") == ""


def test_a_changed_key_is_a_clear_error_and_rotation_keeps_old_secrets(settings):
    old_key = crypto.Fernet.generate_key().decode()
    new_key = crypto.Fernet.generate_key().decode()
    settings.POMOC_ENCRYPTION_KEY = old_key
    token = crypto.encrypt("s3cret")
    settings.POMOC_ENCRYPTION_KEY = new_key
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token)
    settings.POMOC_ENCRYPTION_KEY = f"{new_key},{old_key}"
    assert crypto.decrypt(token) == "s3cret"
