"""Contacts of nameless visitors were named "Visitor 3fa2b1" (the start of their hex key): they get
their readable "Visitor 4821" (the word kept in the language they were made in)."""

from django.db import migrations

LABEL_STEP = 7919


def _code(visitor_id: int) -> int:  # a copy of models.visitor_code: migrations do not import models
    digits = 4
    while visitor_id >= 9 * 10 ** (digits - 1):
        digits += 1
    span = 9 * 10 ** (digits - 1)
    return 10 ** (digits - 1) + (visitor_id * LABEL_STEP) % span


def relabel(apps, schema_editor):
    Visitor = apps.get_model("chat", "Visitor")
    Contact = apps.get_model("contacts", "Contact")
    for visitor in Visitor.objects.filter(name="", contact__isnull=False).select_related("contact").iterator():
        contact = visitor.contact
        old = contact.name
        suffix = f" {visitor.key[:6]}"
        if old.endswith(suffix) and " " not in old[: -len(suffix)].strip():
            Contact.objects.filter(pk=contact.pk).update(name=f"{old[: -len(suffix)]} {_code(visitor.pk)}")


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial"), ("contacts", "0003_identity_bounced")]

    operations = [migrations.RunPython(relabel, migrations.RunPython.noop)]
