"""``manage.py rebuild_report_rollups``: the report rollups made again from every ticket."""

import time

from django.core.management.base import BaseCommand

from pomoc.reports.rollups import rebuild


class Command(BaseCommand):
    help = "Rebuild the report rollups from the tickets and their event log (safe while Pomoc runs)."

    def handle(self, *args, **options):
        started = time.monotonic()
        count = rebuild()
        self.stdout.write(f"Report rollups rebuilt from {count} tickets in {time.monotonic() - started:.1f} s.")
