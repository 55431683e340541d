"""The history of a contact or company: one row per change (who, when, what)."""

from __future__ import annotations

from typing import Any

from pomoc.contacts.models import Company, Contact, ContactChange


def record_change(*, field: str, contact: Contact | None = None, company: Company | None = None, actor=None,
                  old: Any = None, new: Any = None) -> ContactChange:
    return ContactChange.objects.create(contact=contact, company=company, field=field[:50], old=old, new=new,
                                        actor=actor if actor is not None and actor.is_authenticated else None)
