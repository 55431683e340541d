"""Service-level agreements: policies with targets for first response, next response and resolution,
due times kept per ticket (``TicketSla``), warnings and breaches fired once by the periodic sweep.

``clock.py`` is the arithmetic (pure), ``policies.py`` picks a ticket's policy, ``timers.py`` keeps
the due times after every ticket change (the dispatcher's SLA slot), ``sweep.py`` fires what is due.
See docs/automation.md and docs/decisions/0016-sla-timers.md."""
