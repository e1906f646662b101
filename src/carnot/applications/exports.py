"""The national view as files: the table of applications and the cross-checks on units, as CSV
(« ; »), with the page's filters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from carnot.applications.selectors import NationalRow, UnitCrossChecks
from carnot.common.downloads import csv_text
from carnot.registry.models import Call

NATIONAL_HEADER = ["appel", "identifiant", "nom", "type", "statut", "structure coordinatrice",
                   "unités", "échecs", "règles en échec", "avertissements"]
CROSS_CHECKS_HEADER = ["RNSR", "unité", "contrôle", "règle", "candidatures", "message"]


def national_csv(call: Call | None, rows: Iterable[NationalRow]) -> str:
    """One line per application: status, coordinator, units, failed rules and warnings."""
    lines: list[list[Any]] = [NATIONAL_HEADER]
    for row in rows:
        application = row.application
        lines.append([call.year if call else "", application.code, application.name,
                      application.get_kind_display(), application.get_status_display(),
                      application.coordinator.name, row.units, row.failures,
                      " ".join(row.failed_rules), row.warnings])
    return csv_text(lines)


def cross_checks_csv(units: Iterable[UnitCrossChecks]) -> str:
    """One line per failed cross-check on a unit, with the applications it involves."""
    lines: list[list[Any]] = [CROSS_CHECKS_HEADER]
    for unit in units:
        for check in unit.checks:
            lines.append([unit.rnsr, unit.unit_name, check.kind.label, check.rule,
                          " ".join(check.applications), check.message])
    return csv_text(lines)
