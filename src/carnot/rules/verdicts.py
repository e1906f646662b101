"""Verdicts: what a rule decided, why, and from which figures."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKABLE = "not_checkable"
    WARNING = "warning"
    """Something to correct that does not block the application (informative data)."""


STATUS_MARKS = {
    Status.PASSED: "✔",
    Status.FAILED: "✘",
    Status.NOT_CHECKABLE: "?",
    Status.WARNING: "!",
}
"""How a person sees each status, in the report and the explanations."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """One rule applied to one subject: the rule id, the outcome, a French message, the figures.

    ``parameters`` names the dated parameters the rule read, so the trace can show their value
    and source. ``check`` names the check that produced the verdict — the rule function's name,
    or a stable name where one function makes two checks — so that callers tell apart the
    verdicts of one rule id (FAQ-2.19 has several) by it, never by their figures or messages.
    """

    rule: str
    status: Status
    message: str
    subject: str = ""
    figures: Mapping[str, Any] = field(default_factory=dict)
    parameters: tuple[str, ...] = ()
    check: str = ""

    @property
    def failed(self) -> bool:
        return self.status is Status.FAILED

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status.value,
            "subject": self.subject,
            "message": self.message,
            "figures": {key: _plain(value) for key, value in self.figures.items()},
            "parameters": list(self.parameters),
            "check": self.check,
        }


def passed(rule: str, message: str, **details: Any) -> Verdict:
    """A passed verdict; its ``check`` is, unless given, the name of the rule function calling
    this (likewise for ``failed``, ``not_checkable`` and ``warning``)."""
    details.setdefault("check", _calling_rule())
    return Verdict(rule, Status.PASSED, message, **details)


def failed(rule: str, message: str, **details: Any) -> Verdict:
    details.setdefault("check", _calling_rule())
    return Verdict(rule, Status.FAILED, message, **details)


def not_checkable(rule: str, message: str, **details: Any) -> Verdict:
    details.setdefault("check", _calling_rule())
    return Verdict(rule, Status.NOT_CHECKABLE, message, **details)


def warning(rule: str, message: str, **details: Any) -> Verdict:
    details.setdefault("check", _calling_rule())
    return Verdict(rule, Status.WARNING, message, **details)


def _calling_rule() -> str:
    """The name of the function that called ``passed``, ``failed``… — the rule that decided."""
    return sys._getframe(2).f_code.co_name


def with_exception(base: Verdict, exception: Callable[[], Verdict | None], *,
                   to: Callable[..., object], reads: tuple[str, ...] = ()) -> Verdict:
    """A labelled exception combined with the base rule it derogates from (Catala's
    ``exception``), outside both: the base rule decides alone and knows nothing of the exception.

    Only a refusal by the base check ``to`` is put to the exception; when the exception applies,
    its verdict replaces the refusal; otherwise the refusal stands, naming the parameters the
    exception read (``reads``) to decide that it did not apply.
    """
    if not base.failed or base.check != to.__name__:
        return base
    lifted = exception()
    if lifted is not None:
        return lifted
    return replace(base, parameters=(*base.parameters, *reads))


def count(number: int, noun: str, plural: str | None = None) -> str:
    """« 0 unité », « 1 unité », « 3 unités »: a number with its noun agreed, for messages (in
    French the singular goes up to, not including, 2)."""
    return f"{number} {noun if abs(number) < 2 else plural or noun + 's'}"


def failures(verdicts: Iterable[Verdict]) -> list[Verdict]:
    return [verdict for verdict in verdicts if verdict.failed]


def warning_verdicts(verdicts: Iterable[Verdict]) -> list[Verdict]:
    """The verdicts to correct that do not block the application (informative data)."""
    return [verdict for verdict in verdicts if verdict.status is Status.WARNING]


def _plain(value: Any) -> Any:
    """Figures as JSON-friendly values: decimals and fractions as strings, sets as sorted lists."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, frozenset | set):
        return sorted(_plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)
