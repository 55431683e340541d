"""Background work of surveys. Tasks take ids, are idempotent and call a service."""

from django_tasks import task


@task()
def ask_after_resolution(ticket_id: int) -> bool:
    """Invite the requester of a resolved ticket (once per ticket; see services.ticket_resolved)."""
    from pomoc.surveys.services import ticket_resolved

    return ticket_resolved(ticket_id) is not None


@task()
def send_campaign(campaign_id: int) -> int:
    from pomoc.surveys.services import campaign_send

    return campaign_send(campaign_id).invited


@task()
def retry_invitations() -> int:
    from pomoc.surveys.services import invitations_retry

    return invitations_retry()
