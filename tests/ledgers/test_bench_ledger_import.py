"""Smoke test of ``bench/bench_ledger_import.py`` on 200 rows: the generated ledger is
deterministic and valid, both importers store exactly the same ledger from it, and both report a
bad row (ours by line and column) and store nothing; and re-importing a changed ledger over the
stored one (partners, contracts and invoiced amounts updated or removed by ``ledger_import``'s
SQL writes) stores what a fresh import of it stores. No timing here: the benchmark compares
speeds, in its own run (``uv run python bench/bench_ledger_import.py``)."""

from __future__ import annotations

import pytest
from bench import bench_ledger_import as bench

from carnot.ledgers.models import InvoicedAmount, LedgerImport, Partner, ResearchContract
from carnot.ledgers.services import ledger_import

ROWS, UNITS = 200, 4


def test_the_generated_ledger_is_deterministic_with_french_formats() -> None:
    content = bench.ledger_csv(ROWS, units=UNITS)

    assert content == bench.ledger_csv(ROWS, units=UNITS)
    assert content != bench.ledger_csv(ROWS, units=UNITS, seed=1)
    lines = content.decode().split("\r\n")
    assert lines[0].split(";") == bench.HEADER
    assert len([line for line in lines[1:] if line]) == ROWS
    assert {line.split(";")[0] for line in lines[1:] if line} <= set(bench.unit_rnsrs(UNITS))
    first = lines[1].split(";")
    assert first[8].count("/") == 2, "dates as JJ/MM/AAAA"
    assert any("," in cell and cell.endswith(" €") for line in lines[1:]
               for cell in line.split(";")[7:8]), "amounts as « 45 000,00 € »"


def _forget_ledgers() -> None:
    for model in (InvoicedAmount, ResearchContract, Partner, LedgerImport):
        model.objects.all().delete()


@pytest.mark.django_db
def test_both_importers_store_the_same_ledger() -> None:
    content = bench.ledger_csv(ROWS, units=UNITS)
    by = bench.seed_reference(bench.unit_rnsrs(UNITS))

    ours = bench.import_ours(content, by)
    assert ours.imported, ours.errors
    stored = bench.stored_ledger()
    _forget_ledgers()
    theirs = bench.import_with_import_export(content)

    assert theirs.imported, theirs.errors
    assert bench.stored_ledger() == stored
    partners, contracts, invoiced = stored
    assert len(contracts) == ROWS and partners and len(invoiced) >= ROWS


@pytest.mark.django_db
def test_both_importers_report_a_bad_row_and_store_nothing() -> None:
    lines = bench.ledger_csv(ROWS, units=UNITS).decode().split("\r\n")
    cells = lines[3].split(";")
    cells[7] = "douze mille"  # « Montant total HT » of the file's line 4
    lines[3] = ";".join(cells)
    content = "\r\n".join(lines).encode()
    by = bench.seed_reference(bench.unit_rnsrs(UNITS))

    ours = bench.import_ours(content, by)
    theirs = bench.import_with_import_export(content)

    assert not ours.imported and not theirs.imported
    assert ours.errors == ["ligne 4, colonne « Montant total HT » : « douze mille » n'est pas "
                           "un montant (ex. 45 000,00 €)."]
    assert any("ligne 3" in error and "douze mille" in error for error in theirs.errors), (
        theirs.errors)
    assert not ResearchContract.objects.exists() and not Partner.objects.exists()


def _changed(content: bytes) -> bytes:
    """The ledger with one partner renamed (on every row of it), the signature date of the
    first contract moved within its year, and, on the first contract invoicing two years or
    more (another one), its first amount changed and its last removed."""
    rows = [line.split(";") for line in content.decode().split("\r\n") if line]
    invoiced = range(len(bench.HEADER) - len(bench.INVOICED_YEARS), len(bench.HEADER))
    renamed = rows[1][2]
    for row in rows[1:]:
        if row[2] == renamed:
            row[2] = f"{renamed} Renommée"
    day = "27/12/" if rows[1][8].startswith("28/12/") else "28/12/"
    rows[1][8] = day + rows[1][8][-4:]
    row = next(row for row in rows[2:] if sum(bool(row[index]) for index in invoiced) >= 2)
    filled = [index for index in invoiced if row[index]]
    row[filled[0]] = "0,01 €" if row[filled[0]] != "0,01 €" else "0,02 €"
    row[filled[-1]] = ""
    return "\r\n".join(";".join(row) for row in rows).encode()


@pytest.mark.django_db
def test_reimporting_a_changed_ledger_stores_what_a_fresh_import_stores() -> None:
    original = bench.ledger_csv(ROWS, units=UNITS)
    changed = _changed(original)
    by = bench.seed_reference(bench.unit_rnsrs(UNITS))
    assert bench.import_ours(original, by).imported
    first = bench.stored_ledger()

    report = ledger_import(content=changed, filename="registre.csv", by=by)

    assert (report.partners_created, report.partners_updated) == (0, 1)
    assert (report.contracts_created, report.contracts_updated,
            report.contracts_unchanged) == (0, 1, ROWS - 1)
    assert (report.invoiced_written, report.invoiced_deleted) == (1, 1)
    reimported = bench.stored_ledger()
    assert reimported != first
    _forget_ledgers()
    assert bench.import_ours(changed, by).imported
    assert bench.stored_ledger() == reimported
