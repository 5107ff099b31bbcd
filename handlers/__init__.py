"""Telegram adapters: each turns an Update into one turn of the core and shows the result."""
