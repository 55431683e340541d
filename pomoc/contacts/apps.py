from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "pomoc.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        import datetime as dt

        from pomoc.contacts import merging, privacy, registry
        from pomoc.core import scheduler

        # first of the personal-data sources: the contact itself (identities, tags, notes, fields, history)
        registry.register_personal_data(registry.PersonalData(
            name="contact", export=privacy._export_profile, erase=privacy._erase_profile,
            move=merging._move_profile, restore=merging._restore_profile))
        scheduler.register("contacts.merge_proposals", lambda: scheduler.Periodic(
            "contacts.merge_proposals", "pomoc.contacts.tasks.find_merge_proposals", dt.timedelta(hours=1),
            has_work=_two_contacts))
        scheduler.register("contacts.retention", lambda: scheduler.Periodic(
            "contacts.retention", "pomoc.contacts.tasks.apply_retention_policies", dt.timedelta(days=1),
            has_work=privacy.retention_has_work))


def _two_contacts() -> bool:
    """Proposals need at least two people to compare."""
    from pomoc.contacts.models import Contact

    return Contact.objects.filter(merged_into__isnull=True)[1:2].exists()
