"""Routing: new tickets of a department go to its available agents (round robin or least loaded)."""
