"""The ``pomoc`` console script: Django's manage.py under Pomoc's name.

``pomoc mail ingest`` (an MTA's pipe, one process per mail) first tries to hand the mail to the
running Pomoc without importing Django at all (``pomoc.channels.email.pipe_client``).
"""

import os
import sys


def main() -> None:
    if sys.argv[1:3] == ["mail", "ingest"]:
        from pomoc.channels.email.pipe_client import ingest

        sys.exit(ingest(sys.argv[3:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pomoc.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
