"""Queries as keyword-only functions, one module per aggregate: with storage.seed and
storage.reports the only code that writes SQL. Call them as ``queries.tickets.get_ticket(…)``."""

from storage.queries import jobs, outbox, prompts, reporters, tickets, zone

__all__ = ["jobs", "outbox", "prompts", "reporters", "tickets", "zone"]
