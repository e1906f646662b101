"""Reads of a consortium's ledger: the ledgers of the units its application declares."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from carnot.applications.models import Application, ApplicationUnit
from carnot.ledgers.selectors import UnitLedger, _unit_ledger, ledger_rows
from carnot.registry.models import Unit
from carnot.rules.money import Cents


@dataclass(frozen=True)
class ConsortiumUnitLedger:
    """One unit of a consortium: its declaration (sharing) and its ledger."""

    declaration: ApplicationUnit
    ledger: UnitLedger


@dataclass(frozen=True)
class ConsortiumLedger:
    """The ledgers of a consortium's units (those the reader may read) under its call, and
    their totals per year, each unit in full (as for the threshold, FAQ-2.22)."""

    application: Application
    units: tuple[ConsortiumUnitLedger, ...]
    declared_units: int
    years: tuple[int, ...]
    invoiced_by_year: dict[int, Cents]
    counted_by_year: dict[int, Cents]

    @property
    def counted_cents(self) -> Cents:
        return sum(self.counted_by_year.values())

    @property
    def invoiced_cents(self) -> Cents:
        return sum(self.invoiced_by_year.values())

    @property
    def contracts(self) -> int:
        return sum(unit.ledger.contracts for unit in self.units)

    @property
    def counted(self) -> int:
        return sum(unit.ledger.counted for unit in self.units)

    @property
    def partial(self) -> bool:
        """Some declared units' ledgers are not shown (a unit lead reads only its units)."""
        return len(self.units) < self.declared_units


def consortium_ledger(*, application: Application, units: Iterable[Unit],
                      only: str = "") -> ConsortiumLedger:
    """The ledgers of ``units`` (declared by ``application``) under the application's call,
    grouped by unit (by RNSR), with per-unit and overall totals. Three queries."""
    readable = {unit.pk for unit in units}
    declarations = [declaration for declaration in
                    ApplicationUnit.objects.filter(application=application)
                    .select_related("unit", "shared_with__call").order_by("unit__rnsr")]
    shown = [declaration for declaration in declarations if declaration.unit_id in readable]
    rows = ledger_rows(call=application.call, units=[d.unit for d in shown])
    ledgers = tuple(ConsortiumUnitLedger(declaration, _unit_ledger(
        declaration.unit, application.call, rows[declaration.unit_id], only))
        for declaration in shown)
    invoiced: dict[int, Cents] = defaultdict(int)
    counted: dict[int, Cents] = defaultdict(int)
    for item in ledgers:
        for year, cents in item.ledger.invoiced_by_year.items():
            invoiced[year] += cents
        for year, cents in item.ledger.counted_by_year.items():
            counted[year] += cents
    return ConsortiumLedger(application=application, units=ledgers,
                            declared_units=len(declarations), years=tuple(sorted(invoiced)),
                            invoiced_by_year=dict(sorted(invoiced.items())),
                            counted_by_year=dict(sorted(counted.items())))


