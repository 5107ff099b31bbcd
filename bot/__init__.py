"""Dianxiaoer desk: the assembly, and its core, render, delivery, reports, ops and devtools."""
