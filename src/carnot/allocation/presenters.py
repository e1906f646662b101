"""What the allocation pages and exports show of runs, lines, parameters and comparisons:
amounts in euros, French labels instead of codes, the parameters' tables as rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from carnot.allocation.models import AllocationRun, AllocationStatus
from carnot.allocation.selectors import LINE_FIGURES, LineChange, RunLine
from carnot.applications.models import KIND_CHOICES
from carnot.registry.models import Call
from carnot.rules.money import Cents, format_euros

KIND_LABELS = dict(KIND_CHOICES)
SOURCE_LABELS = {"assumption": "hypothèse", "scenario": "surcharge"}
LINE_FIGURE_LABELS = {
    "admissible": "recevable",
    "threshold_revenue_cents": "assiette du seuil",
    "abondement_revenue_cents": "assiette de l'abondement",
    "guarantee_applies": "abondement garanti",
    "guarantee_cents": "plancher garanti",
    "pro_rata_cents": "part au prorata",
    "bonus_cents": "bonus de performance",
    "allocation_cents": "abondement attribué",
}
"""French names of a line's figures (``selectors.LINE_FIGURES``)."""
STATUS_LABELS = {"passed": "respectée", "failed": "échec", "warning": "avertissement",
                 "not_checkable": "pas encore vérifiable"}
CHANGE_LABELS = {"added": "ajouté", "removed": "retiré", "changed": "modifié",
                 "unchanged": "inchangé"}
FINGERPRINT_SHOWN = 12
AMOUNT_COLUMNS = ("threshold_revenue_cents", "abondement_revenue_cents", "guarantee_cents",
                  "pro_rata_cents", "bonus_cents", "allocation_cents")


def who(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)




def number_text(text: str) -> str:
    """A decimal written by the parameter files (``62000000.00``) as a French reader reads it
    (``62 000 000,00``)."""
    match = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?", text)
    if match is None:
        return text
    sign, whole, decimals = match.groups()
    grouped = f"{int(whole):,}".replace(",", "\u202f")
    return f"{sign}{grouped},{decimals}" if decimals else f"{sign}{grouped}"


def shown_value(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(shown_value(item) for item in value)
    if isinstance(value, int):
        return str(value)
    return number_text(str(value))


def source_label(source: Any) -> str:
    return SOURCE_LABELS.get(str(source), str(source)) if source else "—"


def _day(text: Any) -> date | None:
    return date.fromisoformat(str(text)) if text else None


@dataclass(frozen=True)
class ParameterShown:
    """A parameter as the pages show it: value (a table as its rows), source, validity, and
    whether the call or the run overrides it (with the source it replaces)."""

    name: str
    value: str
    rows: list[tuple[str, str]]
    source: str
    valid_from: date | None
    valid_until: date | None
    note: str
    overridden_from: str
    by_call: bool

    @property
    def overridden(self) -> bool:
        return bool(self.overridden_from)


def parameters_shown(described: list[dict[str, Any]], call: Call) -> list[ParameterShown]:
    shown = []
    for parameter in described:
        value = parameter["value"]
        rows = ([(str(key), ", ".join(f"{column} : {shown_value(item)}"
                                      for column, item in row.items())
                  if isinstance(row, dict) else shown_value(row))
                 for key, row in value.items()] if isinstance(value, dict) else [])
        shown.append(ParameterShown(
            name=parameter["name"], value="table" if rows else shown_value(value), rows=rows,
            source=source_label(parameter["source"]), valid_from=_day(parameter.get("valid_from")),
            valid_until=_day(parameter.get("valid_until")), note=parameter.get("note", ""),
            overridden_from=(source_label(parameter["overridden_from"])
                             if "overridden_from" in parameter else ""),
            by_call=_by_call(parameter, call)))
    return shown


def _by_call(parameter: dict[str, Any], call: Call) -> bool:
    """Whether the value is the call's override (not the file's, nor the run's own)."""
    if "overridden_from" not in parameter or parameter["name"] not in call.parameter_overrides:
        return False
    override = call.parameter_overrides[parameter["name"]]
    if isinstance(override, dict) and "value" in override:
        override = override["value"]
    return str(override) == str(parameter["value"])


@dataclass(frozen=True)
class RunShown:
    """A run's header figures, in French."""

    run: AllocationRun
    envelope: str
    allocated: str
    unallocated: str
    fingerprint: str
    created_by: str
    published_by: str

    @property
    def status_class(self) -> str:
        return {AllocationStatus.DRAFT: "fr-badge--info",
                AllocationStatus.PUBLISHED: "fr-badge--success"}.get(
            AllocationStatus(self.run.status), "")


def run_shown(run: AllocationRun) -> RunShown:
    return RunShown(run=run, envelope=format_euros(run.envelope_cents),
                    allocated=format_euros(run.allocated_cents),
                    unallocated=format_euros(run.envelope_cents - run.allocated_cents),
                    fingerprint=run.inputs_fingerprint[:FINGERPRINT_SHOWN],
                    created_by=who(run.created_by), published_by=who(run.published_by))


@dataclass(frozen=True)
class LineShown:
    """One consortium's line of a run, amounts in French."""

    row: RunLine
    kind: str
    amounts: dict[str, str]

    @property
    def line(self) -> Any:
        return self.row.line


def lines_shown(lines: list[RunLine]) -> list[LineShown]:
    return [LineShown(row=row, kind=KIND_LABELS.get(row.line.kind, row.line.kind),
                      amounts={name: format_euros(getattr(row.line, name))
                               for name in AMOUNT_COLUMNS})
            for row in lines]


def line_totals(lines: list[RunLine]) -> dict[str, Cents]:
    return {name: sum(getattr(row.line, name) for row in lines) for name in AMOUNT_COLUMNS}


@dataclass(frozen=True)
class FigureShown:
    label: str
    before: str
    after: str


def line_figure(value: Any, name: str) -> str:
    """A figure of an allocation line in French: euros, « oui »/« non », « — » for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if name.endswith("_cents") and isinstance(value, int):
        return format_euros(value)
    return str(value)


@dataclass(frozen=True)
class ChangeShown:
    """A line's change between two runs, in French: its figures before and after, and the
    parameters its rules read that changed (name, before, after)."""

    change: LineChange
    label: str
    figures: list[FigureShown]
    parameters: list[tuple[str, str, str]]
    rules: list[tuple[str, str, str]]


def change_shown(change: LineChange) -> ChangeShown:
    return ChangeShown(
        change=change, label=CHANGE_LABELS[change.change],
        figures=[FigureShown(LINE_FIGURE_LABELS.get(figure.name, figure.name),
                             line_figure(figure.before, figure.name),
                             line_figure(figure.after, figure.name))
                 for figure in change.figures if figure.name in LINE_FIGURES],
        parameters=[(parameter.name, shown_value(parameter.before),
                     shown_value(parameter.after)) for parameter in change.parameters],
        rules=[(rule.rule, verdicts_shown(rule.before), verdicts_shown(rule.after))
               for rule in change.rules])


def verdicts_shown(statuses: tuple[str, ...]) -> str:
    """A rule's verdicts on a consortium (« subject : status »), in French."""
    if not statuses:
        return "aucun"
    shown = []
    for entry in statuses:
        subject, _, status = entry.rpartition(" : ")
        label = STATUS_LABELS.get(status, status)
        shown.append(f"{subject} : {label}" if subject else label)
    return ", ".join(shown)
