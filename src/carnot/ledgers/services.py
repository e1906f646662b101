"""Writes on contract ledgers: the import of a unit's or a consortium's ledger (CSV or XLSX).

Import is atomic: every row is read and checked first, and the file is refused whole
(``LedgerRejected``, every error located by row and column as the user sees them, naming the rule
where one applies) when one cell is wrong; otherwise, in one transaction, partners, contracts and
invoiced amounts become the file's. The file is the ledger of the contracts it lists: their
invoiced years become exactly the file's; contracts it does not list are left alone. Contracts
are identified by (unit, reference): re-importing the same file changes nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from carnot.audit.models import EventKind
from carnot.audit.services import audit_record
from carnot.common.sql import chunks, insert_rows, update_rows
from carnot.ledgers.checking import _check_file, _Row
from carnot.ledgers.format import LedgerImportReport, Progress
from carnot.ledgers.models import InvoicedAmount, LedgerImport, Partner, ResearchContract
from carnot.registry.models import Unit
from carnot.rules.money import Cents

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- Writing ---------------------------------------------------------------------------------


PARTNER_FIELDS = ("name", "siren", "siret", "foreign_identifier", "category", "category_year",
                  "headcount", "turnover_cents", "balance_sheet_cents", "category_derived",
                  "category_reason")
CONTRACT_FIELDS = ("partner_id", "total_cents", "signed_on", "cifre", "in_theme",
                   "partner_category", "partner_category_year")
INVOICED_FIELDS = ("contract_id", "year", "amount_cents")

def _partner_values(row: _Row) -> tuple[Any, ...]:
    """The values of ``PARTNER_FIELDS`` that a row gives its partner."""
    return (row.partner_name, row.siren, row.siret, row.foreign, row.category.value,
            row.category_year, row.headcount, row.turnover_cents, row.balance_sheet_cents,
            row.derived is not None and row.derived.category is not None,
            row.derived.message if row.derived is not None else "")


def _write_partners(rows: list[_Row]) -> tuple[dict[str, int], int, int]:
    """Each partner takes the values of its row with the latest category year (the first such
    row); returns the partners' ids by key, and how many were created and updated."""
    latest: dict[str, _Row] = {}
    for row in rows:
        kept = latest.get(row.partner_key)
        if kept is None or row.category_year > kept.category_year:
            latest[row.partner_key] = row
    stored: dict[str, tuple[Any, ...]] = {}
    for keys in chunks(sorted(latest)):
        stored.update((found[0], found[1:]) for found in Partner.objects.filter(
            key__in=keys).values_list("key", "pk", *PARTNER_FIELDS))
    created, changed = [], []
    for key, row in latest.items():
        values = _partner_values(row)
        before = stored.get(key)
        if before is None:
            created.append((key, *values))
        elif before[1:] != values:
            changed.append((*values, before[0]))
    insert_rows(Partner, ("key", *PARTNER_FIELDS), created)
    update_rows(Partner, PARTNER_FIELDS, changed)
    ids = {key: before[0] for key, before in stored.items()}
    for keys in chunks([new[0] for new in created]):
        ids.update(Partner.objects.filter(key__in=keys).values_list("key", "pk"))
    return ids, len(created), len(changed)


def _contract_ids(references: dict[int, list[str]], *fields: str,
                  ) -> dict[tuple[int, str], tuple[Any, ...]]:
    """Stored contracts among ``references`` (by unit id): (unit id, reference) → (id, fields).
    Read unit by unit (a few queries, without a reference list each)."""
    wanted = {(unit_id, reference) for unit_id, listed in references.items()
              for reference in listed}
    found: dict[tuple[int, str], tuple[Any, ...]] = {}
    for units in chunks(sorted(references)):
        for stored in ResearchContract.objects.filter(unit_id__in=units).values_list(
                "unit_id", "reference", "pk", *fields):
            if (key := (stored[0], stored[1])) in wanted:
                found[key] = stored[2:]
    return found


def _write(rows: list[_Row]) -> tuple[int, int, int, int, int, int, int]:
    partner_ids, partners_created, partners_updated = _write_partners(rows)
    by_unit: dict[int, list[str]] = {}
    for row in rows:
        by_unit.setdefault(row.unit.pk, []).append(row.reference)
    stored = _contract_ids(by_unit, *CONTRACT_FIELDS)
    adapt_date = connection.ops.adapt_datefield_value
    created, changed, unchanged = [], [], 0
    new_by_unit: dict[int, list[str]] = {}
    for row in rows:
        values = (partner_ids[row.partner_key], row.total_cents, row.signed_on, row.cifre,
                  row.in_theme, row.category.value, row.category_year)
        before = stored.get((row.unit.pk, row.reference))
        if before is None:
            created.append((row.unit.pk, row.reference, values[0], values[1],
                            adapt_date(row.signed_on), *values[3:]))
            new_by_unit.setdefault(row.unit.pk, []).append(row.reference)
        elif before[1:] != values:
            changed.append((*values[:2], adapt_date(row.signed_on), *values[3:], before[0]))
        else:
            unchanged += 1
    insert_rows(ResearchContract, ("unit_id", "reference", *CONTRACT_FIELDS), created)
    update_rows(ResearchContract, CONTRACT_FIELDS, changed)
    ids = {key: before[0] for key, before in stored.items()}
    ids.update((key, found[0]) for key, found in _contract_ids(new_by_unit).items())
    written, deleted = _write_invoiced(rows, ids, {before[0] for before in stored.values()})
    return (len(created), len(changed), unchanged, partners_created, partners_updated, written,
            deleted)


def _write_invoiced(rows: list[_Row], contract_ids: dict[tuple[int, str], int],
                    existing_ids: set[int]) -> tuple[int, int]:
    """The invoiced amounts of the listed contracts become exactly the file's."""
    stored: dict[tuple[int, int], tuple[int, Cents]] = {}
    for chunk in chunks(sorted(existing_ids)):
        stored.update(((contract_id, year), (pk, cents)) for contract_id, year, pk, cents in
                      InvoicedAmount.objects.filter(contract_id__in=chunk)
                      .values_list("contract_id", "year", "pk", "amount_cents"))
    wanted: set[tuple[int, int]] = set()
    created, changed = [], []
    for row in rows:
        contract_id = contract_ids[(row.unit.pk, row.reference)]
        for year, cents in row.invoiced.items():
            key = (contract_id, year)
            wanted.add(key)
            before = stored.get(key)
            if before is None:
                created.append((contract_id, year, cents))
            elif before[1] != cents:
                changed.append((cents, before[0]))
    removed = [pk for key, (pk, _) in stored.items() if key not in wanted]
    insert_rows(InvoicedAmount, INVOICED_FIELDS, created)
    update_rows(InvoicedAmount, ("amount_cents",), changed)
    for chunk in chunks(removed):
        InvoicedAmount.objects.filter(pk__in=chunk).delete()
    return len(created) + len(changed), len(removed)


def ledger_import(*, content: bytes, filename: str, by: User, unit: Unit | None = None,
                  progress: Progress | None = None,
                  units: Iterable[Unit] | None = None,
                  commit_with: Callable[[LedgerImportReport], None] | None = None,
                  ) -> LedgerImportReport:
    """Import a ledger (CSV or XLSX): every row checked first, then all written, or nothing.

    ``unit`` fixes the unit of every row (a unit's own ledger; the RNSR column may then be left
    out). ``units`` restricts the rows to those units (a consortium's ledger: the units its
    application declares); a row of any other unit is an error. ``progress(done, total)`` is
    called while the rows are checked. ``commit_with(report)`` runs last inside the import's
    transaction: what the caller records of the import (a page's job marked done) is committed
    with it or not at all. Raises ``LedgerRejected`` with every error, and changes nothing, when
    one row is wrong.
    """
    rows = _check_file(content, filename, unit, progress, units)
    with transaction.atomic():
        (created, updated, unchanged, partners_created, partners_updated, written,
         deleted) = _write(rows)
        report = LedgerImportReport(
            rows=len(rows), contracts_created=created, contracts_updated=updated,
            contracts_unchanged=unchanged, partners_created=partners_created,
            partners_updated=partners_updated, invoiced_written=written,
            invoiced_deleted=deleted)
        sha256 = hashlib.sha256(content).hexdigest()
        imported = LedgerImport.objects.create(filename=filename[:255], sha256=sha256, by=by,
                                               rows=len(rows), summary=report.message())
        audit_record(acting_user=by, kind=EventKind.LEDGER_IMPORTED, target=imported,
                     label=filename, after={**dataclasses.asdict(report), "sha256": sha256,
                                            "unit": unit.rnsr if unit is not None else None})
        if commit_with is not None:
            commit_with(report)
        if len(rows) >= LARGE_WRITE_ROWS:
            refresh_ledger_statistics()
    return report


LARGE_WRITE_ROWS = 10_000
"""From how many rows a write refreshes the planner's statistics of the ledgers."""


def refresh_ledger_statistics() -> None:
    """After a bulk write of ledgers, have PostgreSQL measure the ledger tables again (ANALYZE):
    it plans the national reads (``national_contracts``) from its statistics, and with the sizes
    of before the write it can choose nested loops that take minutes instead of a second.
    Autovacuum would only do it later, and never within the writing transaction. SQLite plans
    without statistics: nothing to do."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table)
                       for model in (Partner, ResearchContract, InvoicedAmount))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


