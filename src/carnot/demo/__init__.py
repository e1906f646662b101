"""The realistic national demo, built on the apps (no app imports it), and ``carnot demo``."""
