"""Getting messages to Telegram at least once: the outbox, its sender, the leases."""
