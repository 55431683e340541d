from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """The customer side: profiles and company pages, merge proposals, privacy; and the personal-data
    and timeline sources of tickets and surveys (pomoc.contacts.registry, decision 0026)."""

    name = "pomoc.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from pomoc.contacts import registry
        from pomoc.customers import sources
        from pomoc.tickets import custom_fields

        registry.install_fields(
            validator=lambda target, values: custom_fields.validate_custom_fields(
                values, definitions=custom_fields.active_definitions_by_key(target)),
            definitions=custom_fields.active_definitions)
        for source in sources.PERSONAL_DATA:
            registry.register_personal_data(source)
        for timeline in sources.TIMELINE:
            registry.register_timeline(timeline)
