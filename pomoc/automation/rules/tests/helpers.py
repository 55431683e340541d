"""Rules built through the services, as an administrator's form would."""

from pomoc.accounts.models import Role
from pomoc.automation.rules import services
from pomoc.testing.factories import UserFactory


def admin():
    return UserFactory(username="admin", role=Role.ADMINISTRATOR)


def make_rule(*, trigger="created", conditions=(), actions=({"type": "add_tag", "value": "seen"},), name=None,
              active=True, author=None, position=None):
    from pomoc.automation.rules.models import Rule

    return services.rule_create(author=author or admin(), name=name or f"Rule {Rule.objects.count() + 1}",
                                trigger=trigger, conditions=list(conditions), actions=list(actions), active=active,
                                position=position)


def tags(ticket) -> set[str]:
    return set(ticket.tags.values_list("name", flat=True))
