"""The e-mail channel as a registered kind, and the periodic jobs it owns."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pomoc.channels import registry
from pomoc.channels.email.config import (
    ADDRESS_SCHEMA,
    CONFIG_RULES,
    CONFIG_SCHEMA,
    SECRET_NAMES,
    EmailInboxConfig,
    clean_address,
    clean_config,
)
from pomoc.channels.email.connection_test import check_connection
from pomoc.channels.email.outbound import EmailOutbound
from pomoc.contacts.models import IdentityKind
from pomoc.core import scheduler


def summary(inbox) -> list[tuple[str, str]]:
    """The administration's list of inboxes: how mail gets in and through which server replies leave."""
    config = EmailInboxConfig.from_dict(inbox.config)
    if config.fetch == "imap":
        gets_in = f"IMAP {config.imap_host}"
    elif config.fetch == "pop3":
        gets_in = f"POP3 {config.pop3_host}"
    else:
        gets_in = _("our mail server (pipe)")
    # without a server of its own an inbox answers through the installation's (Django's EMAIL_* settings)
    return [(_("Mail gets in by"), gets_in), (_("Replies through"), config.smtp_host or _("the default mail server"))]


EMAIL = registry.ChannelKind(
    key="email",
    label=_("E-mail"),
    identity_kind=IdentityKind.EMAIL,
    config=EmailInboxConfig,
    outbound=EmailOutbound(),
    clean_config=clean_config,
    clean_address=clean_address,
    secret_names=SECRET_NAMES,
    answers_without_inbox=True,  # Django's EMAIL_* settings: the installation's default outgoing mail
    admin_form="pomoc.channels.email.forms.InboxForm",
    address_label=_("E-mail address"),
    summary=summary,
    connection_test=check_connection,
    config_schema=CONFIG_SCHEMA,
    config_rules=CONFIG_RULES,
    address_schema=ADDRESS_SCHEMA,
)


def _mailboxes_to_fetch() -> bool:
    from pomoc.channels.email.fetch import fetching_inboxes

    return bool(fetching_inboxes())


def _mail_left_pending() -> bool:
    from pomoc.channels.email.tasks import due_pending

    return due_pending(timezone.now()).exists()


def _process_pending() -> scheduler.Periodic:
    return scheduler.Periodic("mail.process_pending", "pomoc.channels.email.tasks.process_pending_mail",
                              dt.timedelta(minutes=1), _mail_left_pending)


def _fetch() -> scheduler.Periodic | None:
    if settings.POMOC_MAIL_FETCH_INTERVAL <= 0:
        return None
    return scheduler.Periodic("mail.fetch", "pomoc.channels.email.tasks.fetch_mailboxes",
                              dt.timedelta(seconds=settings.POMOC_MAIL_FETCH_INTERVAL), _mailboxes_to_fetch)


def register() -> None:
    registry.register(EMAIL)
    scheduler.register("mail.process_pending", _process_pending)
    scheduler.register("mail.fetch", _fetch)
