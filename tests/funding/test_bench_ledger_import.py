"""Smoke test of ``bench/bench_ledger_import.py`` on 200 rows: the generated ledger is
deterministic and valid, both importers store exactly the same ledger from it, and both report a
bad row (ours by line and column) and store nothing. No timing here: the benchmark compares
speeds, in its own run (``uv run python bench/bench_ledger_import.py``)."""

from __future__ import annotations

import pytest
from bench import bench_ledger_import as bench

from carnot.funding.models import InvoicedAmount, LedgerImport, Partner, ResearchContract

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
