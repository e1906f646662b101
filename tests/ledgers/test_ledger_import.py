"""Ledger import: CSV and XLSX, French formats, every error located and nothing saved, idempotent
re-import, categories derived from figures, and which imported contracts count (FAQ-3.2)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from stdnum import luhn

from carnot.applications.models import ApplicationUnit
from carnot.applications.selectors import national_contracts
from carnot.applications.services import application_create
from carnot.common.french import InvalidInput, parse_date, parse_money
from carnot.ledgers import checking, services
from carnot.ledgers.format import LedgerRejected
from carnot.ledgers.models import InvoicedAmount, LedgerImport, Partner, ResearchContract
from carnot.ledgers.selectors import contract_eligibilities
from carnot.ledgers.services import ledger_import
from carnot.registry.models import Call, Structure, Unit
from carnot.rules.domain import PartnerCategory

pytestmark = pytest.mark.django_db

RNSR_A = "200717524X"
RNSR_B = "201220367A"
HEADER = ("RNSR;Référence contrat;Partenaire;SIREN/SIRET;Identifiant étranger;Catégorie;"
          "Année de la catégorie;Montant total HT;Date de signature;CIFRE;Dans la thématique;"
          "Facturé 2024;Facturé 2025")


def siren(seed: int) -> str:
    """A valid SIREN (Luhn key computed) from a seed."""
    body = f"{seed:08d}"
    return body + luhn.calc_check_digit(body)


SIREN_PME, SIREN_ETI = siren(1234567), siren(7654321)
SIRET_PME = SIREN_PME + "0001" + luhn.calc_check_digit(SIREN_PME + "0001")


@pytest.fixture
def user() -> User:
    return User.objects.create(username="agent", is_superuser=True)


@pytest.fixture
def units() -> tuple[Unit, Unit]:
    tutelle = Structure.objects.create(code="univ", name="Université", kind="university")
    made = []
    for rnsr in (RNSR_A, RNSR_B):
        unit = Unit.objects.create(rnsr=rnsr, name=f"Unité {rnsr}", managing_tutelle=tutelle)
        unit.tutelles.set([tutelle])
        made.append(unit)
    return made[0], made[1]


def csv_bytes(*lines: str, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return "\r\n".join((header, *lines)).encode(encoding)


def counts() -> tuple[int, int, int]:
    return (Partner.objects.count(), ResearchContract.objects.count(),
            InvoicedAmount.objects.count())


GOOD = (
    f"{RNSR_A};C-001;Mécanique SA;{SIREN_PME};;PME;2023;45 000,00 €;15/03/2023;non;oui;"
    "10\u00a0000,50 €;20 000",
    f"{RNSR_A};C-002;Grand Groupe;{SIREN_ETI};;ETI;2024;45000.5;2024-01-31;oui;non;;1 000,00",
    f"{RNSR_B};C-001;Foreign GmbH;;DE123456789;GE;;100 000;01/02/2025;non;oui;;",
)


def test_csv_import_reads_french_numbers_dates_and_invoiced_years(
        user: User, units: tuple[Unit, Unit]) -> None:
    report = ledger_import(content=csv_bytes(*GOOD), filename="registre.csv", by=user)
    assert (report.rows, report.contracts_created, report.partners_created) == (3, 3, 3)
    first = ResearchContract.objects.get(unit=units[0], reference="C-001")
    assert (first.total_cents, first.signed_on, first.cifre, first.in_theme) == (
        4_500_000, date(2023, 3, 15), False, True)
    assert dict(first.invoiced.values_list("year", "amount_cents")) == {
        2024: 1_000_050, 2025: 2_000_000}
    second = ResearchContract.objects.get(reference="C-002")
    assert (second.total_cents, second.signed_on, second.cifre, second.in_theme) == (
        4_500_050, date(2024, 1, 31), True, False)
    foreign = ResearchContract.objects.get(unit=units[1], reference="C-001")
    assert foreign.partner.foreign_identifier == "DE123456789"
    assert foreign.partner.key == "ext:de123456789"
    assert (foreign.partner_category, foreign.partner_category_year) == ("large", 2025), (
        "the category year defaults to the signature's (open question 8)")
    assert LedgerImport.objects.get().by == user


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separator", [";", ","])
def test_csv_encodings_and_separators(user: User, units: tuple[Unit, Unit], encoding: str,
                                      separator: str) -> None:
    header = HEADER.replace(";", separator)
    line = separator.join([RNSR_A, "C-9", "Société Générale d'Études", SIREN_PME, "", "PME",
                           "2024", '"45 000,00 €"', "15/03/2024", "non", "oui", "", ""])
    ledger_import(content=csv_bytes(line, encoding=encoding, header=header),
                  filename="r.csv", by=user)
    contract = ResearchContract.objects.get()
    assert contract.total_cents == 4_500_000
    assert contract.partner.name == "Société Générale d'Études"


def test_xlsx_import_with_date_and_number_cells(user: User, units: tuple[Unit, Unit]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Contrats"
    sheet.append(["rnsr", "REFERENCE CONTRAT", "partenaire", "siren / siret", "categorie",
                  "Montant total HT (€)", "Date de signature", "Facturé 2025"])
    sheet.append([RNSR_A, "X-1", "Mécanique SA", SIRET_PME, "tpe", 20000,
                  datetime(2025, 2, 3), 1234.56])  # noqa: DTZ001 (cells are naive)
    sheet.append([RNSR_A, "X-2", "Mécanique SA", int(SIREN_PME), "TPE", "16 000,00 €",
                  45700, None])  # Excel date 45700: 45658 is 2025-01-01, +42 days
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = ledger_import(content=buffer.getvalue(), filename="registre.xlsx", by=user)
    assert report.contracts_created == 2
    x1 = ResearchContract.objects.get(reference="X-1")
    assert (x1.total_cents, x1.signed_on, x1.partner_category) == (2_000_000, date(2025, 2, 3),
                                                                   "micro")
    assert x1.invoiced.get().amount_cents == 123_456
    assert x1.partner.siret == SIRET_PME and x1.partner.siren == SIREN_PME
    assert ResearchContract.objects.get(reference="X-2").signed_on == date(2025, 2, 12)
    assert Partner.objects.count() == 1


def test_every_error_is_listed_with_row_and_column_and_nothing_is_saved(
        user: User, units: tuple[Unit, Unit]) -> None:
    ledger_import(content=csv_bytes(GOOD[0]), filename="r.csv", by=user)
    before = counts()
    bad_siren = SIREN_PME[:-1] + str((int(SIREN_PME[-1]) + 1) % 10)
    content = csv_bytes(
        GOOD[1],
        f"209912345Z;B-1;P;{SIREN_PME};;PME;;1000;01/01/2024;non;oui;;",         # unknown RNSR
        f"{RNSR_A};B-2;P;{bad_siren};;PME;;1000;01/01/2024;non;oui;;",           # Luhn
        f"{RNSR_A};B-3;P;{SIREN_PME};;PME;;-5 000;01/01/2024;non;oui;;",         # negative
        f"{RNSR_A};B-4;P;{SIREN_PME};;PME;;10,555;01/01/2024;non;oui;;",         # decimals
        f"{RNSR_A};B-5;P;{SIREN_PME};;PME;;1 000;01/01/2024;non;oui;800;300",    # over total
        f"{RNSR_A};B-6;P;{SIREN_PME};;PME;;1 000;01/01/2025;non;oui;100;",       # before signed
        f"{RNSR_A};B-7;P;{SIREN_PME};;start-up;;1 000;01/01/2025;non;oui;;",     # category
        f"{RNSR_A};B-8;P;{SIREN_PME};;PME;;1 000;31/02/2025;peut-être;oui;;",    # date, yes/no
        f"{RNSR_A};C-002;P;{SIREN_ETI};;ETI;;1 000;01/01/2025;non;oui;;",        # duplicate
    )
    with pytest.raises(LedgerRejected) as rejected:
        ledger_import(content=content, filename="r.csv", by=user)
    found = [(e.row, e.column, e.message) for e in rejected.value.errors]
    expected = [
        (3, "RNSR", "RNSR « 209912345Z » inconnu"),
        (4, "SIREN/SIRET", "n'est pas un SIREN valide (9 chiffres, clé de Luhn)"),
        (5, "Montant total HT", "montant négatif"),
        (6, "Montant total HT", "plus de deux décimales"),
        (7, "Montant total HT", "dépasse le montant total du contrat (1\u202f000,00 €)"),
        (8, "Facturé 2024", "avant l'année de signature"),
        (9, "Catégorie", "catégorie inconnue"),
        (10, "Date de signature", "cette date n'existe pas"),
        (10, "CIFRE", "« oui » ou « non » attendu"),
        (11, "Référence contrat", "déjà listé ligne 2"),
    ]
    assert len(found) == len(expected), found
    for (row, column, text), (got_row, got_column, message) in zip(expected, found, strict=True):
        assert (got_row, got_column) == (row, column)
        assert text in message, message
    assert "ligne 4, colonne « SIREN/SIRET »" in str(rejected.value.errors[1])
    assert counts() == before
    assert LedgerImport.objects.count() == 1


def test_missing_columns_and_unknown_headers_are_refused(user: User,
                                                         units: tuple[Unit, Unit]) -> None:
    with pytest.raises(LedgerRejected) as rejected:
        ledger_import(content=b"RNSR;Partenaire;Couleur\n" + RNSR_A.encode() + b";P;bleu\n",
                      filename="r.csv", by=user)
    messages = [str(error) for error in rejected.value.errors]
    assert any("Couleur" in m and "Colonne inconnue" in m for m in messages)
    assert any("« Référence contrat » absente" in m for m in messages)
    assert any("« Montant total HT » absente" in m for m in messages)
    assert counts() == (0, 0, 0)


def test_reimporting_the_same_file_changes_and_duplicates_nothing(
        user: User, units: tuple[Unit, Unit]) -> None:
    content = csv_bytes(*GOOD)
    ledger_import(content=content, filename="r.csv", by=user)
    before = counts()
    again = ledger_import(content=content, filename="r.csv", by=user)
    assert not again.changed
    assert again.contracts_unchanged == 3
    assert counts() == before
    assert "rien n'a changé" in again.message()


def test_reimport_updates_changed_contracts_and_invoiced_years(
        user: User, units: tuple[Unit, Unit]) -> None:
    ledger_import(content=csv_bytes(*GOOD), filename="r.csv", by=user)
    changed = GOOD[0].replace("45 000,00 €", "50 000").replace(";20 000", ";")
    report = ledger_import(content=csv_bytes(changed), filename="r.csv", by=user)
    assert (report.contracts_updated, report.invoiced_written, report.invoiced_deleted) == (
        1, 0, 1)
    contract = ResearchContract.objects.get(unit=units[0], reference="C-001")
    assert contract.total_cents == 5_000_000
    assert list(contract.invoiced.values_list("year", flat=True)) == [2024]
    assert ResearchContract.objects.count() == 3, "contracts not in the file are left alone"


def test_fixed_unit_needs_no_rnsr_column_and_refuses_another_unit(
        user: User, units: tuple[Unit, Unit]) -> None:
    header = "Référence contrat;Partenaire;SIREN;Catégorie;Montant total HT;Date de signature"
    line = f"U-1;P;{SIREN_PME};PME;20 000;01/06/2025"
    ledger_import(content=csv_bytes(line, header=header), filename="r.csv", by=user,
                  unit=units[1])
    assert ResearchContract.objects.get().unit == units[1]
    with pytest.raises(LedgerRejected, match="1 erreur"):
        ledger_import(content=csv_bytes(GOOD[0]), filename="r.csv", by=user, unit=units[1])


def test_category_derived_from_group_figures_with_its_explanation(
        user: User, units: tuple[Unit, Unit]) -> None:
    """FAQ-3.2 with décret 2008-1354: 120 people and 30 M€ turnover is a PME."""
    header = ("RNSR;Référence contrat;Partenaire;SIREN;Catégorie;Effectif;Chiffre d'affaires;"
              "Total de bilan;Montant total HT;Date de signature")
    lines = (f"{RNSR_A};D-1;Moyenne SA;{SIREN_PME};;120;30 000 000;;20 000;01/06/2025",
             f"{RNSR_A};D-2;Grosse SA;{SIREN_ETI};;300;80 000 000;90 000 000;20 000;01/06/2025")
    ledger_import(content=csv_bytes(*lines, header=header), filename="r.csv", by=user)
    pme = Partner.objects.get(siren=SIREN_PME)
    assert (pme.category, pme.category_derived, pme.headcount) == ("sme", True, 120)
    assert pme.category_reason.startswith("PME en 2025 (FAQ-3.2, décret 2008-1354)")
    assert "120 personnes (moins de 250)" in pme.category_reason
    assert Partner.objects.get(siren=SIREN_ETI).category == "midcap"


def test_declared_category_contradicted_by_figures_is_refused(
        user: User, units: tuple[Unit, Unit]) -> None:
    header = ("RNSR;Référence contrat;Partenaire;SIREN;Catégorie;Effectif;Chiffre d'affaires;"
              "Montant total HT;Date de signature")
    line = f"{RNSR_A};D-1;Grosse SA;{SIREN_ETI};PME;300;80 000 000;20 000;01/06/2025"
    with pytest.raises(LedgerRejected) as rejected:
        ledger_import(content=csv_bytes(line, header=header), filename="r.csv", by=user)
    assert "contredite par les chiffres : ETI en 2025" in rejected.value.errors[0].message
    empty = f"{RNSR_A};D-1;Grosse SA;{SIREN_ETI};;;;20 000;01/06/2025"
    with pytest.raises(LedgerRejected, match="1 erreur"):
        ledger_import(content=csv_bytes(empty, header=header), filename="r.csv", by=user)


def test_pme_contract_of_20k_counts_and_eti_one_does_not_faq_3_2(
        user: User, units: tuple[Unit, Unit]) -> None:
    """FAQ-3.2: above 15 k€ with a PME, above 30 k€ with an ETI; 20 k€ counts only with the PME."""
    lines = (f"{RNSR_A};E-PME;Mécanique SA;{SIREN_PME};;PME;2025;20 000;01/03/2025;non;oui;;",
             f"{RNSR_A};E-ETI;Grand Groupe;{SIREN_ETI};;ETI;2025;20 000;01/03/2025;non;oui;;")
    ledger_import(content=csv_bytes(*lines), filename="r.csv", by=user)
    call = Call.objects.create(year=2026, deadline=timezone.now() + timedelta(days=30))
    verdicts = contract_eligibilities(call=call, unit=units[0])
    by_reference = {ResearchContract.objects.get(pk=pk).reference: v
                    for pk, v in verdicts.items()}
    pme, eti = by_reference["E-PME"], by_reference["E-ETI"]
    assert (pme.eligible, pme.rule, pme.threshold_cents) == (True, "FAQ-3.2", 1_500_000)
    assert (eti.eligible, eti.rule, eti.threshold_cents) == (False, "FAQ-3.2", 3_000_000)
    assert "ne dépasse pas le seuil de 30\u202f000,00 €" in eti.message
    assert pme.contract.id == f"{RNSR_A}/E-PME"


def test_eligibilities_and_national_contracts_take_a_fixed_number_of_queries(
        user: User, units: tuple[Unit, Unit],
        django_assert_num_queries: pytest.FixtureDef[object]) -> None:
    ledger_import(content=csv_bytes(*GOOD), filename="r.csv", by=user)
    call = Call.objects.create(year=2026, deadline=timezone.now() + timedelta(days=30))
    owner = User.objects.create(username="coord")
    application = application_create(call=call, by=owner, code="c1", name="Consortium",
                                      kind="territorial",
                                      coordinator=Structure.objects.get())
    ApplicationUnit.objects.create(application=application, unit=units[0],
                                   managing_tutelle=Structure.objects.get())
    with django_assert_num_queries(2):  # type: ignore[operator]
        verdicts = contract_eligibilities(call=call)
    assert len(verdicts) == 3
    with django_assert_num_queries(2):  # type: ignore[operator]
        contracts = national_contracts(call=call)
    assert [c.id for c in contracts] == [f"{RNSR_A}/C-001", f"{RNSR_A}/C-002"]
    first = contracts[0]
    assert (first.partner_category, first.total_cents, dict(first.invoiced_cents)) == (
        PartnerCategory.SME, 4_500_000, {2024: 1_000_050, 2025: 2_000_000})


@pytest.mark.parametrize(("typed", "cents"), [
    ("45 000,00 €", 4_500_000), ("45\u00a0000,00\u00a0€", 4_500_000),
    ("45\u202f000,5", 4_500_050), ("45000.5", 4_500_050), ("45.000,00", 4_500_000),
    ("45,000.00", 4_500_000), ("1.234.567", 123_456_700), ("12 EUR", 1200), (45000, 4_500_000),
    (45000.5, 4_500_050), ("-3", -300),
])
def test_french_money_formats(typed: object, cents: int) -> None:
    assert parse_money(typed) == cents


@pytest.mark.parametrize("typed", ["abc", "1,234", "12,3456", "1 2 3,4,5", True])
def test_money_refusals(typed: object) -> None:
    """« 1,234 » is read the French way: a decimal comma, so three decimals, refused."""
    with pytest.raises(InvalidInput):
        parse_money(typed)


@pytest.mark.parametrize(("typed", "expected"), [
    ("15/03/2024", date(2024, 3, 15)), ("5/3/2024", date(2024, 3, 5)),
    ("15-03-2024", date(2024, 3, 15)), ("2024-03-15", date(2024, 3, 15)),
    ("2024-03-15 00:00:00", date(2024, 3, 15)), (45366, date(2024, 3, 15)),
    (datetime(2024, 3, 15, 10, 0), date(2024, 3, 15)),  # noqa: DTZ001 (cells are naive)
])
def test_date_formats(typed: object, expected: date) -> None:
    assert parse_date(typed) == expected


def test_twenty_thousand_rows_import(user: User, units: tuple[Unit, Unit]) -> None:
    lines = [f"{RNSR_A if n % 2 else RNSR_B};R-{n:05d};Partenaire {n % 500};{siren(n % 500)};;"
             f"{'PME' if n % 500 % 3 else 'ETI'};2024;{10_000 + n} 000,00 €;01/02/2024;non;oui;"
             f"1 000,00;2 000,00" for n in range(20_000)]
    seen: list[tuple[int, int]] = []
    report = ledger_import(content=csv_bytes(*lines), filename="big.csv", by=user,
                           progress=lambda done, total: seen.append((done, total)))
    assert report.contracts_created == 20_000
    assert report.partners_created == 500
    assert InvoicedAmount.objects.count() == 40_000
    assert seen[0] == (0, 20_000) and seen[-1] == (20_000, 20_000) and len(seen) > 10


def test_import_ledger_command(user: User, units: tuple[Unit, Unit], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "registre.csv"
    path.write_bytes(csv_bytes(*GOOD))
    call_command("import_ledger", str(path))
    assert "Import réussi" in capsys.readouterr().out
    assert ResearchContract.objects.count() == 3
    with pytest.raises(CommandError, match="inconnu"):
        call_command("import_ledger", str(path), "--unit", "209912345Z")
    path.write_bytes(csv_bytes(GOOD[0].replace("15/03/2023", "32/13/2023")))
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_ledger", str(path), "--unit", RNSR_A)


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "MAX_BYTES", 1024 * 1024)
    with pytest.raises(LedgerRejected) as refused:
        ledger_import(content=b"x" * (3 * 1024 * 1024 // 2), filename="gros.csv",
                               by=None)  # type: ignore[arg-type]
    assert str(refused.value.errors[0].message) == ("Fichier trop gros (1,5 Mo ; au plus "
                                                    "1 Mo).")


def test_a_large_import_has_the_planner_measure_the_ledgers_again(
        user: User, units: tuple[Unit, Unit], monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL, the table statistics count the rows just written (ANALYZE), so that the
    national read that follows is planned on the real sizes; SQLite has nothing to refresh."""
    monkeypatch.setattr(services, "LARGE_WRITE_ROWS", 3)
    analyzed: list[str] = []

    def execute(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        analyzed.extend([sql] if sql.startswith("ANALYZE") else [])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(execute):
        ledger_import(content=csv_bytes(*GOOD), filename="registre.csv", by=user)
    if connection.vendor == "postgresql":
        assert len(analyzed) == 1 and "funding_researchcontract" in analyzed[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = "
                           "'funding_researchcontract'")
            assert cursor.fetchone()[0] == ResearchContract.objects.count() == 3
    else:
        assert analyzed == []
