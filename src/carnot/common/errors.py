"""The error every service raises when it refuses a write."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A write refused, with a French message naming the field and the rule when there is one."""
