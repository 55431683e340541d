"""Background work of contacts. Tasks take ids, are idempotent and call a service."""

from django_tasks import task


@task()
def find_merge_proposals() -> int:
    from pomoc.contacts.proposals import find_proposals

    return find_proposals()


@task()
def find_merge_proposals_for(contact_id: int) -> int:
    from pomoc.contacts.proposals import find_proposals

    return find_proposals(contact_ids=[contact_id])


@task()
def find_merge_proposals_for_contacts(contact_ids: list[int]) -> int:
    from pomoc.contacts.proposals import find_proposals_for_contacts

    return find_proposals_for_contacts(contact_ids)


@task()
def apply_retention_policies() -> int:
    from pomoc.contacts.privacy import retention_apply

    return retention_apply()
