"""Benchmark: a 100,000-row contract ledger imported by ``ledger_import`` and by
django-import-export, side by side in one run.

Issue 4's target: importing a 100,000-row ledger file (CSV, French formats « 45 000,00 € »,
« 14/03/2025 ») through our ``carnot.ledgers.services.ledger_import`` is at least 10× faster than
importing the same file the usual Django way, with django-import-export, **with row-level
errors**: ours checks every row before writing anything and refuses the file with every error
located by row and column (and the rule); import-export is given the same validations or fewer.

    uv run python bench/bench_ledger_import.py                 # 100,000 rows, SQLite, 3 rounds
    uv run python bench/bench_ledger_import.py --rows 5000 --rounds 1   # a quick run
    DATABASE_URL=postgres://… uv run python bench/bench_ledger_import.py   # on PostgreSQL
    uv run python bench/bench_ledger_import.py --profile 30     # then cProfile ours once

Each import runs on a fresh database holding only the reference data (structures, the units the
file names, one user): SQLite — a copy of a migrated template file in a temporary directory;
PostgreSQL (``DATABASE_URL``; the benchmark flushes that database first) — the funding tables
emptied (``TRUNCATE … RESTART IDENTITY``) and analysed. The two importers are measured
interleaved, round by round (the order alternates), after an untimed warm-up on a small file;
the report gives the median of each, rows per second (data rows of the file), the ratio of the
medians and the range of the per-round ratios, with the machine's load. After the first round's
imports the stored ledger (partners, contracts, invoiced amounts) is read back: the two must be
identical. This is a benchmark, never a timed
unit test (``tests/ledgers/test_bench_ledger_import.py`` only runs these functions on 200 rows).

django-import-export (4.4), configured fairly, the way its documentation recommends for large
files: one ``ModelResource`` per model (Partner, ResearchContract, InvoicedAmount),
``import_data(dataset, dry_run=False, use_transactions=True, collect_failed_rows=True)`` on
``tablib`` datasets read from the same CSV bytes (the contracts' dataset is the file itself; the
partners' one is its distinct partners; the invoiced amounts' one is its « Facturé AAAA » cells,
one per row), ``use_bulk=True`` (batches of 1,000), ``skip_unchanged=True``,
``skip_html_diff=True``, ``import_id_fields`` = the natural keys (partner key; unit + reference;
contract + year), foreign keys through ``ForeignKeyWidget`` (the unit by RNSR, the partner by
key, the contract by unit + reference), French amounts, dates (``DateWidget("%d/%m/%Y")``),
« oui/non » and categories by small widgets, and the three imports in one transaction rolled
back when one reports an error (as ours is atomic). What import-export does not check, and ours
does: SIREN/SIRET Luhn keys, RNSR format, blank required cells, more than two decimals, negative
amounts, invoiced years before the signature, invoiced total above the contract's, a contract
listed twice, one partner with two categories for one year, text lengths (before the database).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stdnum import luhn

if TYPE_CHECKING:
    import tablib
    from django.contrib.auth.models import User

BENCH_DIR = Path(__file__).resolve().parent
TARGET_RATIO = 10.0
DEFAULT_ROWS = 100_000
DEFAULT_SEED = 2026
INVOICED_YEARS = (2022, 2023, 2024, 2025, 2026)
FIRST_SIGNATURE_YEAR = 2021
HEADER = ["RNSR", "Référence contrat", "Partenaire", "SIREN/SIRET", "Identifiant étranger",
          "Catégorie", "Année de la catégorie", "Montant total HT", "Date de signature",
          "CIFRE", "Dans la thématique", *(f"Facturé {year}" for year in INVOICED_YEARS)]
RNSR_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
CATEGORIES = [("TPE", 10), ("PME", 25), ("ETI", 15), ("GE", 35), ("Collectivité", 5),
              ("CRT", 3), ("Autre", 7)]
"""The categories as the file writes them, with their share of partners (in %)."""
TUTELLES = [("unistra", "Université de Strasbourg", "university"),
            ("uca", "Université Clermont Auvergne", "university"),
            ("umontpellier", "Université de Montpellier", "university"),
            ("ulille", "Université de Lille", "university"),
            ("cnrs", "CNRS", "epst"), ("inserm", "Inserm", "epst"), ("inrae", "INRAE", "epst"),
            ("cea", "CEA", "epic"), ("insa-lyon", "INSA Lyon", "school"),
            ("cetim", "Cetim", "cti")]


# --- the ledger file ---------------------------------------------------------------------------

def unit_rnsrs(count: int, seed: int = DEFAULT_SEED) -> list[str]:
    """``count`` distinct well-formed RNSR numbers (a year, five digits, a letter)."""
    rng = random.Random(seed)
    found: set[str] = set()
    while len(found) < count:
        found.add(f"{rng.randint(1995, 2024)}{rng.randint(0, 99_999):05d}"
                  f"{rng.choice(RNSR_LETTERS)}")
    return sorted(found)


def french_euros(cents: int, rng: random.Random) -> str:
    """« 45 000,00 € » (thousands with a space or a narrow no-break space, as spreadsheets
    export them), sometimes « 45000,5 » or « 45 000 »."""
    euros, rest = divmod(cents, 100)
    grouped = f"{euros:,}".replace(",", rng.choice((" ", " ", "\u202f")))
    style = rng.random()
    if style < 0.8:
        return f"{grouped},{rest:02d} €"
    if rest == 0:
        return grouped
    return f"{euros},{rest:02d}"


@dataclass(frozen=True)
class _Partner:
    name: str
    identifier: str
    foreign: str
    category: str


def _siren(rng: random.Random) -> str:
    body = f"{rng.randint(10_000_000, 99_999_999)}"
    return body + luhn.calc_check_digit(body)


def _partners(count: int, rng: random.Random) -> list[_Partner]:
    names = ["Mécanique", "Optique", "Chimie", "Matériaux", "Aéro", "Énergie", "Santé", "Agro",
             "Numérique", "Robotique", "Bio", "Photonique", "Textiles", "Verre", "Acier"]
    suffixes = ["SA", "SAS", "SARL", "Industries", "Technologies", "& Fils", "Groupe"]
    labels = [label for label, share in CATEGORIES for _ in range(share)]
    partners, sirens = [], set()
    for number in range(count):
        name = f"{rng.choice(names)} {rng.choice(suffixes)} {number:05d}"
        category = rng.choice(labels)
        if rng.random() < 0.12 and category not in ("Collectivité", "CRT"):
            partners.append(_Partner(name, "", f"DE{rng.randint(10**8, 10**9 - 1)}", category))
            continue
        siren = _siren(rng)
        while siren in sirens:
            siren = _siren(rng)
        sirens.add(siren)
        identifier = siren
        if rng.random() < 0.3:
            body = siren + f"{rng.randint(1, 99):04d}"
            identifier = body + luhn.calc_check_digit(body)
        partners.append(_Partner(name, identifier, "", category))
    return partners


def ledger_rows(rows: int, *, units: int, seed: int = DEFAULT_SEED) -> Iterator[list[str]]:
    """The ledger's data rows, deterministic for given arguments: ``rows`` contracts spread over
    ``units`` units (references unique per unit), about one partner for five contracts, signed
    2021–2026, amounts log-normal around 50 k€, invoiced from the signature year on over one to
    four years, never more than the total."""
    rng = random.Random(seed)
    rnsrs = unit_rnsrs(units, seed)
    partners = _partners(max(1, rows // 5), rng)
    sequence = dict.fromkeys(rnsrs, 0)
    for _ in range(rows):
        rnsr = rng.choice(rnsrs)
        sequence[rnsr] += 1
        partner = rng.choice(partners)
        signed = date(FIRST_SIGNATURE_YEAR, 1, 1) + timedelta(days=rng.randint(0, 6 * 365 - 60))
        total = max(500_00, int(rng.lognormvariate(10.8, 0.9)) * 100 + rng.choice((0, 0, 50)))
        invoiced: dict[int, int] = {}
        years = [year for year in INVOICED_YEARS if year >= signed.year][:rng.randint(1, 4)]
        left = total
        for year in years:
            amount = rng.randint(0, left // 2) if year != years[-1] else rng.randint(0, left)
            invoiced[year] = amount
            left -= amount
        yield [
            rnsr, f"C-{signed.year}-{sequence[rnsr]:05d}", partner.name, partner.identifier,
            partner.foreign, partner.category, str(signed.year), french_euros(total, rng),
            f"{signed:%d/%m/%Y}", "oui" if rng.random() < 0.05 else "non",
            "non" if rng.random() < 0.04 else "oui",
            *(french_euros(invoiced[year], rng) if year in invoiced else ""
              for year in INVOICED_YEARS)]


def ledger_csv(rows: int, *, units: int, seed: int = DEFAULT_SEED) -> bytes:
    """The ledger as a CSV file (UTF-8, « ; », CRLF), as a French spreadsheet exports it."""
    lines = [";".join(HEADER)]
    lines.extend(";".join(row) for row in ledger_rows(rows, units=units, seed=seed))
    return ("\r\n".join(lines) + "\r\n").encode()


def units_for(rows: int) -> int:
    """About 200 contracts per unit (a large national ledger names ~500 units)."""
    return max(2, rows // 200)


# --- the database ------------------------------------------------------------------------------

def seed_reference(rnsrs: list[str]) -> User:
    """What a fresh platform holds before any ledger: tutelles, the units the file names (in
    the national directory), and the user who imports."""
    from django.contrib.auth.models import User

    from carnot.registry.models import Structure, Unit

    structures = Structure.objects.bulk_create(
        Structure(code=code, name=name, kind=kind) for code, name, kind in TUTELLES)
    units = Unit.objects.bulk_create(
        Unit(rnsr=rnsr, name=f"Unité {rnsr}", managing_tutelle=structures[index % 4])
        for index, rnsr in enumerate(rnsrs))
    through = Unit.tutelles.through
    through.objects.bulk_create(
        [through(unit_id=unit.pk, structure_id=structures[index % 4].pk)
         for index, unit in enumerate(units)]
        + [through(unit_id=unit.pk, structure_id=structures[4 + index % 6].pk)
           for index, unit in enumerate(units)])
    return User.objects.create(username="banc-registres", is_superuser=True)


def funding_tables() -> list[str]:
    from carnot.ledgers.models import InvoicedAmount, LedgerImport, Partner, ResearchContract

    return [model._meta.db_table
            for model in (InvoicedAmount, ResearchContract, Partner, LedgerImport)]


@dataclass
class FreshDatabase:
    """Gives each import a fresh database holding only the reference data."""

    template: Path | None = None

    def prepare(self, rnsrs: list[str]) -> None:
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        if connection.vendor != "sqlite":  # a server's database may hold an earlier run
            call_command("flush", interactive=False, verbosity=0)
        seed_reference(rnsrs)
        if connection.vendor == "sqlite":
            connection.close()
            self.template = Path(connection.settings_dict["NAME"]).with_suffix(".template")
            shutil.copyfile(connection.settings_dict["NAME"], self.template)

    def reset(self) -> None:
        from django.db import connection

        if self.template is not None:
            connection.close()
            target = Path(connection.settings_dict["NAME"])
            for leftover in (target.with_name(target.name + "-wal"),
                             target.with_name(target.name + "-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(self.template, target)
            return
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(funding_tables())} RESTART IDENTITY CASCADE")
            cursor.execute("ANALYZE")

    def user(self) -> User:
        from django.contrib.auth.models import User

        return User.objects.get(username="banc-registres")


def stored_ledger() -> tuple[Any, ...]:
    """Every stored partner, contract and invoiced amount, by natural keys (ids left out)."""
    from carnot.ledgers.models import InvoicedAmount, Partner, ResearchContract

    partners = sorted(Partner.objects.values_list(
        "key", "name", "siren", "siret", "foreign_identifier", "category", "category_year"))
    contracts = sorted(ResearchContract.objects.values_list(
        "unit__rnsr", "reference", "partner__key", "total_cents", "signed_on", "cifre",
        "in_theme", "partner_category", "partner_category_year"))
    invoiced = sorted(InvoicedAmount.objects.values_list(
        "contract__unit__rnsr", "contract__reference", "year", "amount_cents"))
    return tuple(partners), tuple(contracts), tuple(invoiced)


# --- (a) ours ----------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What an import stored, or the errors it reported (each as « ligne N, colonne : … »)."""

    imported: bool
    errors: list[str] = field(default_factory=list)
    detail: str = ""


def import_ours(content: bytes, by: User, filename: str = "registre.csv") -> Outcome:
    from carnot.ledgers.format import LedgerRejected
    from carnot.ledgers.services import ledger_import

    try:
        report = ledger_import(content=content, filename=filename, by=by)
    except LedgerRejected as rejected:
        return Outcome(False, [str(error) for error in rejected.errors])
    return Outcome(True, detail=report.message())


# --- (b) django-import-export ------------------------------------------------------------------

PARTNER_KEY = "Clé partenaire"
YEAR, AMOUNT = "Année", "Montant"


@cache
def import_export_resources() -> tuple[Any, Any, Any]:
    """The three ``ModelResource``s, defined once Django is set up (they read the models)."""
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from carnot.ledgers.models import InvoicedAmount, Partner, ResearchContract
    from carnot.registry.models import Unit

    class MoneyWidget(widgets.Widget):
        """« 45 000,00 € » → 4 500 000 cents."""

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
            if value is None or not str(value).strip():
                return None
            text = re.sub(r"[\s€]", "", str(value)).replace(",", ".")
            try:
                return int(Decimal(text) * 100)
            except InvalidOperation as exc:
                raise ValueError(f"« {value} » n'est pas un montant.") from exc

    class YesNoWidget(widgets.BooleanWidget):
        TRUE_VALUES = ["oui", "Oui", "OUI", "1", 1, True]
        FALSE_VALUES = ["non", "Non", "NON", "0", 0, False]

    class CategoryWidget(widgets.Widget):
        CODES = {"tpe": "micro", "pme": "sme", "eti": "midcap", "ge": "large",
                 "collectivité": "local_authority", "crt": "crt_member", "autre": "other"}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            try:
                return self.CODES[str(value).strip().casefold()]
            except KeyError as exc:
                raise ValueError(f"« {value} » : catégorie inconnue.") from exc

    class ContractWidget(widgets.ForeignKeyWidget):
        """A contract by its unit's RNSR (another column) and its reference."""

        def get_lookup_kwargs(self, value: Any, row: Any = None, **kwargs: Any) -> dict[str, Any]:
            return {"unit__rnsr": row["RNSR"], "reference": value}

    class PartnerResource(resources.ModelResource):
        key = fields.Field(attribute="key", column_name=PARTNER_KEY)
        name = fields.Field(attribute="name", column_name="Partenaire")
        siren = fields.Field(attribute="siren", column_name="SIREN")
        siret = fields.Field(attribute="siret", column_name="SIRET")
        foreign_identifier = fields.Field(attribute="foreign_identifier",
                                          column_name="Identifiant étranger")
        category = fields.Field(attribute="category", column_name="Catégorie",
                                widget=CategoryWidget())
        category_year = fields.Field(attribute="category_year",
                                     column_name="Année de la catégorie",
                                     widget=widgets.IntegerWidget())

        class Meta:
            model = Partner
            fields = ("key", "name", "siren", "siret", "foreign_identifier", "category",
                      "category_year")
            import_id_fields = ("key",)
            instance_loader_class = CachedInstanceLoader  # one query for the whole file
            use_bulk = True
            skip_unchanged = True
            skip_html_diff = True

    class ContractResource(resources.ModelResource):
        unit = fields.Field(attribute="unit", column_name="RNSR",
                            widget=widgets.ForeignKeyWidget(Unit, "rnsr"))
        reference = fields.Field(attribute="reference", column_name="Référence contrat")
        partner = fields.Field(attribute="partner", column_name=PARTNER_KEY,
                               widget=widgets.ForeignKeyWidget(Partner, "key"))
        total_cents = fields.Field(attribute="total_cents", column_name="Montant total HT",
                                   widget=MoneyWidget())
        signed_on = fields.Field(attribute="signed_on", column_name="Date de signature",
                                 widget=widgets.DateWidget("%d/%m/%Y"))
        cifre = fields.Field(attribute="cifre", column_name="CIFRE", widget=YesNoWidget())
        in_theme = fields.Field(attribute="in_theme", column_name="Dans la thématique",
                                widget=YesNoWidget())
        partner_category = fields.Field(attribute="partner_category", column_name="Catégorie",
                                        widget=CategoryWidget())
        partner_category_year = fields.Field(attribute="partner_category_year",
                                             column_name="Année de la catégorie",
                                             widget=widgets.IntegerWidget())

        class Meta:
            model = ResearchContract
            fields = ("unit", "reference", "partner", "total_cents", "signed_on", "cifre",
                      "in_theme", "partner_category", "partner_category_year")
            import_id_fields = ("unit", "reference")
            use_bulk = True
            skip_unchanged = True
            skip_html_diff = True

    class InvoicedResource(resources.ModelResource):
        contract = fields.Field(attribute="contract", column_name="Référence contrat",
                                widget=ContractWidget(ResearchContract, "reference"))
        year = fields.Field(attribute="year", column_name=YEAR, widget=widgets.IntegerWidget())
        amount_cents = fields.Field(attribute="amount_cents", column_name=AMOUNT,
                                    widget=MoneyWidget())

        class Meta:
            model = InvoicedAmount
            fields = ("contract", "year", "amount_cents")
            import_id_fields = ("contract", "year")
            use_bulk = True
            skip_unchanged = True
            skip_html_diff = True

    return PartnerResource, ContractResource, InvoicedResource


def import_export_datasets(content: bytes) -> tuple[tablib.Dataset, tablib.Dataset,
                                                   tablib.Dataset]:
    """The file read by tablib, and the partners' and invoiced amounts' datasets derived from it
    (one row per distinct partner, with the latest category year — as ours keeps; one row per
    non-empty « Facturé AAAA » cell)."""
    import tablib

    contracts = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv", delimiter=";")
    headers = contracts.headers
    column = {name: index for index, name in enumerate(headers)}
    identifier, foreign = column["SIREN/SIRET"], column["Identifiant étranger"]

    def key(row: tuple[Any, ...]) -> str:
        digits = re.sub(r"[\s.-]", "", row[identifier])
        return digits[:9] if digits else f"ext:{row[foreign].strip().casefold()}"

    contracts.append_col([key(row) for row in contracts], header=PARTNER_KEY)
    year_column = column["Année de la catégorie"]
    latest: dict[str, tuple[Any, ...]] = {}
    for row in contracts:
        kept = latest.get(row[-1])
        if kept is None or int(row[year_column]) > int(kept[year_column]):
            latest[row[-1]] = row
    partners = tablib.Dataset(headers=["Clé partenaire", "Partenaire", "SIREN", "SIRET",
                                       "Identifiant étranger", "Catégorie",
                                       "Année de la catégorie"])
    for partner_key, row in latest.items():
        digits = re.sub(r"[\s.-]", "", row[identifier])
        partners.append([partner_key, row[column["Partenaire"]], digits[:9],
                         digits if len(digits) == 14 else "", row[foreign],
                         row[column["Catégorie"]], row[year_column]])
    invoiced = tablib.Dataset(headers=["RNSR", "Référence contrat", YEAR, AMOUNT])
    years = [(index, name.rsplit(" ", 1)[1]) for index, name in enumerate(headers)
             if name.startswith("Facturé ")]
    rnsr, reference = column["RNSR"], column["Référence contrat"]
    for row in contracts:
        for index, year in years:
            if row[index].strip():
                invoiced.append([row[rnsr], row[reference], year, row[index]])
    return partners, contracts, invoiced


def import_with_import_export(content: bytes) -> Outcome:
    """The same file through django-import-export: partners, then contracts, then invoiced
    amounts, all or nothing; the errors of each row as import-export reports them."""
    from django.db import transaction

    datasets = import_export_datasets(content)
    errors: list[str] = []
    summary = []
    with transaction.atomic():
        for resource_class, dataset in zip(import_export_resources(), datasets, strict=True):
            result = resource_class().import_data(dataset, dry_run=False, use_transactions=True,
                                                  collect_failed_rows=True)
            name = resource_class._meta.model._meta.verbose_name
            summary.append(f"{name} : {len(dataset)} lignes, {dict(result.totals)}")
            errors += [f"{name}, ligne {line} : {error.error!r}"
                       for line, row_errors in result.row_errors() for error in row_errors]
            errors += [f"{name}, ligne {invalid.number} : {invalid.error_dict}"
                       for invalid in result.invalid_rows]
        if errors:
            transaction.set_rollback(True)
    return Outcome(not errors, errors, " ; ".join(summary))


# --- rounds and report ------------------------------------------------------------------------

IMPORTERS = ("ledger_import", "django-import-export")


def run_once(name: str, content: bytes, database: FreshDatabase) -> tuple[float, Outcome]:
    """One import of ``content`` by ``name`` on a fresh database; seconds and outcome."""
    database.reset()
    by = database.user()
    gc.collect()
    started = time.perf_counter()
    if name == "ledger_import":
        outcome = import_ours(content, by)
    else:
        outcome = import_with_import_export(content)
    return time.perf_counter() - started, outcome


def machine_load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on every platform
        return "load unknown"
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} CPUs"


def source_revision() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR.parent,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"],
                               cwd=BENCH_DIR.parent, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"
    return f"commit {commit}{' + uncommitted changes in src/' if dirty else ''}"


def setup_django(data_dir: Path) -> str:
    """Django on ``DATABASE_URL`` (PostgreSQL) when set, else SQLite under ``data_dir``."""
    os.environ["CARNOT_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DATABASE_URL", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "carnot.web.settings"
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def profile_ours(content: bytes, database: FreshDatabase, top: int) -> None:
    database.reset()
    by = database.user()
    profiler = cProfile.Profile()
    profiler.enable()
    import_ours(content, by)
    profiler.disable()
    for sort in ("tottime", "cumulative"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(sort).print_stats(top)
        print(f"\ncProfile of ledger_import, top {top} by {sort}\n{stream.getvalue()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--profile", type=int, metavar="TOP", default=0,
                        help="after timing, profile one import of ours and print TOP lines")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when the ratio misses the target")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="carnot-bench-ledger-") as temporary:
        vendor = setup_django(Path(temporary))
        units = units_for(args.rows)
        started = time.perf_counter()
        content = ledger_csv(args.rows, units=units, seed=args.seed)
        small = ledger_csv(min(args.rows, 500), units=units, seed=args.seed)
        print(f"ledger: {args.rows:,} rows, {units} units, {len(content) / 1e6:.1f} MB, "
              f"generated in {time.perf_counter() - started:.1f} s (seed {args.seed})")
        print(f"{source_revision()}; Python {platform.python_version()}, {vendor}; "
              f"{machine_load()} at start")
        database = FreshDatabase()
        database.prepare(unit_rnsrs(units, args.seed))

        stored: dict[str, tuple[Any, ...]] = {}
        for name in IMPORTERS:  # warm-up: imports, caches, a small file; untimed
            _, outcome = run_once(name, small, database)
            if not outcome.imported:
                sys.exit(f"{name} refused the warm-up file: {outcome.errors[:5]}")
        times: dict[str, list[float]] = {name: [] for name in IMPORTERS}
        for number in range(args.rounds):
            order = IMPORTERS if number % 2 == 0 else IMPORTERS[::-1]
            for name in order:
                seconds, outcome = run_once(name, content, database)
                if not outcome.imported:
                    sys.exit(f"{name} refused the file: {outcome.errors[:5]}")
                times[name].append(seconds)
                if number == 0:
                    stored[name] = stored_ledger()
                print(f"round {number + 1}, {name}: {seconds:.2f} s "
                      f"({args.rows / seconds:,.0f} rows/s)", flush=True)
        same = stored["ledger_import"] == stored["django-import-export"]
        partners, contracts, invoiced = (len(part) for part in stored["ledger_import"])
        print(f"stored by each: {partners:,} partners, {contracts:,} contracts, {invoiced:,} "
              f"invoiced amounts — {'identical' if same else 'DIFFERENT'} ledgers")
        ours = statistics.median(times["ledger_import"])
        theirs = statistics.median(times["django-import-export"])
        ratio = theirs / ours
        print(f"\nmedians of {args.rounds} interleaved round(s), {args.rows:,} rows, {vendor}:")
        print(f"  ledger_import        {ours:8.2f} s  {args.rows / ours:10,.0f} rows/s  "
              f"(every row validated; errors located by row and column, with the rule)")
        print(f"  django-import-export {theirs:8.2f} s  {args.rows / theirs:10,.0f} rows/s  "
              f"(the same validations or fewer; see the module's docstring)")
        per_round = [slow / fast for fast, slow in
                     zip(times["ledger_import"], times["django-import-export"], strict=True)]
        verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
        print(f"ratio of the medians: ours is {ratio:.1f}× faster — {verdict} the ≥ "
              f"{TARGET_RATIO:g}× target (per-round ratios {min(per_round):.1f}–"
              f"{max(per_round):.1f}×); {machine_load()} at the end")
        if args.profile:
            profile_ours(content, database, args.profile)
    if not same:
        return 2
    return 1 if args.strict and ratio < TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())

