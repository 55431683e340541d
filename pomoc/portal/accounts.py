"""Writes of customer accounts. A customer account is a Django user with the customer role linked to
its contact (``Contact.user``): an identity of the person behind the tickets, never a second one.
Signing up with an address that already has a contact attaches the account to that contact, once
the address is confirmed (the link in the confirmation mail)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pomoc.accounts.models import Role
from pomoc.contacts.models import Contact, Identity, IdentityKind
from pomoc.contacts.services import contact_get_or_create, is_valid_email, normalize_identity
from pomoc.portal import tasks

NAME_MAX = 150


def clean_email(value: str) -> str:
    try:
        email = normalize_identity(IdentityKind.EMAIL, value) if value else ""
    except ValidationError:
        email = ""
    if not email or not is_valid_email(email):
        raise ValidationError({"email": _("Enter your e-mail address, such as name@example.com.")})
    return email


def customer_for(email: str):
    """The active customer account signing in with ``email``, if any: the one named by it (accounts
    made through the portal), else one with it as its address (accounts an administrator made)."""
    users = get_user_model().objects.filter(role=Role.CUSTOMER, is_active=True)
    return users.filter(username=email).first() or users.filter(email__iexact=email).order_by("id").first()


def signup_request(*, email: str, name: str, language: str) -> None:
    """Mail a confirmation link to ``email`` (or, when it already has an account, a note saying so
    with a sign-in link). The answer is the same either way: it tells nobody who has an account."""
    email = clean_email(email)
    name = (name or "").strip()[:NAME_MAX]
    language = language if language in dict(settings.LANGUAGES) else ""
    transaction.on_commit(lambda: tasks.send_signup_mail.enqueue(email, name, language))


def signup_complete(*, email: str, name: str, language: str, password: str):
    """Create the account of a confirmed address with the password its owner chose, attached to the
    address's contact (created when there is none). Raises ``ValidationError`` when the address has an
    account already or the password is too weak."""
    user_model = get_user_model()
    email = clean_email(email)
    with transaction.atomic():
        if user_model.objects.filter(username=email).exists():
            raise ValidationError({"email": _("This address has an account already: sign in instead.")})
        contact, _created = contact_get_or_create(kind=IdentityKind.EMAIL, value=email, name=name)
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.user_id:
            raise ValidationError({"email": _("This address has an account already: sign in instead.")})
        user = user_model(username=email, email=email, first_name=name[:NAME_MAX], role=Role.CUSTOMER,
                          language=language if language in dict(settings.LANGUAGES) else "")
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        changes = {"user": user}
        if name and not contact.name:
            changes["name"] = name
        if user.language and not contact.language:
            changes["language"] = user.language
        Contact.objects.filter(pk=contact.pk).update(**changes)
        Identity.objects.filter(contact=contact, kind=IdentityKind.EMAIL, value=email).update(verified=True)
    return user


def login_link_request(*, email: str, language: str) -> None:
    """Mail a one-time sign-in link when ``email`` has an account; nothing otherwise (same answer)."""
    try:
        email = clean_email(email)
    except ValidationError:
        return
    transaction.on_commit(lambda: tasks.send_login_link.enqueue(email, language))


def password_reset_request(*, email: str, language: str) -> None:
    try:
        email = clean_email(email)
    except ValidationError:
        return
    transaction.on_commit(lambda: tasks.send_password_reset.enqueue(email, language))


def profile_update(*, user, name: str, language: str):
    """The customer's name and language (the account's and their contact's)."""
    name = (name or "").strip()[:NAME_MAX]
    if not name:
        raise ValidationError({"name": _("Enter your name.")})
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    with transaction.atomic():
        user.first_name, user.last_name, user.language = name, "", language
        user.save(update_fields=["first_name", "last_name", "language"])
        Contact.objects.filter(user=user).update(name=name, language=language)
    return user
