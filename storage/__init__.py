"""Storage: SQLModel tables, the engine and its transactions, queries by aggregate, migrations."""
