"""Expectations of the route matrix (tests/web/test_permissions.py); the format is in core.py."""
