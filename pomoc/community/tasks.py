"""Background work of the community. Tasks take ids, are idempotent and call the mail helpers."""

from django_tasks import task


@task()
def send_subscription_notices() -> int:
    """Send the batched notices of new replies (one mail per person); returns how many went out."""
    from pomoc.community.notices import subscription_notices_send

    return subscription_notices_send()


@task()
def notify_idea_voters(idea_id: int, status: str) -> int:
    """Tell the voters of an idea its new status (skipped when the status changed again since)."""
    from pomoc.community.notices import idea_voters_notify

    return idea_voters_notify(idea_id, status)
