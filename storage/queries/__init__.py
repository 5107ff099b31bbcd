"""Queries as keyword-only functions, one module per aggregate: `queries.tickets.get_ticket`."""

from storage.queries import common_groups, jobs, outbox, prompts, reporters, tickets, zone

__all__ = ["common_groups", "jobs", "outbox", "prompts", "reporters", "tickets", "zone"]
