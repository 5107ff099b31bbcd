"""What people read: texts, cards, views, callbacks, menus; the one place that escapes."""
