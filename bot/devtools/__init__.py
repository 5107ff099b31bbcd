"""Emulator, sandbox, playground, demo, crash points: never imported by the runtime."""
