from django_tasks import task


@task()
def flush_view_counts() -> int:
    from pomoc.kb import view_counts

    return view_counts.flush()
