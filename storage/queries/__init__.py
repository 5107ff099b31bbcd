"""Queries as keyword-only functions, one module per aggregate: `queries.tickets.get_ticket`."""

from storage.queries import jobs, outbox, prompts, reporters, tickets, zone

__all__ = ["jobs", "outbox", "prompts", "reporters", "tickets", "zone"]
