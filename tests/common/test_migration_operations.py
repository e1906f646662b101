"""A database migrated before the former ``funding`` app was split keeps its ledgers.

The split moved ten models to ``ledgers``, ``applications``, ``allocation`` and ``spending``,
table names kept; their first migrations adopt a table that exists (``CreateUnlessAdopted``)
instead of creating it. Here a SQLite database is brought to the state of a platform of the
former layout — the apps it had migrated, then the ``funding`` tables exactly as its migrations
0001–0004 wrote them (``fixtures/funding-0001-0004.sqlite.sql``, printed by ``sqlmigrate`` on
the last commit before the split) and a ledger in them — and migrated with today's code: the
rows are still there with the same ids, the schema is the one a new database gets, and the
migration state matches the models.

Each step runs ``manage.py`` code in its own process, on its own data directory, so that the
test database of the suite is never touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEGACY_SCHEMA = Path(__file__).parent / "fixtures" / "funding-0001-0004.sqlite.sql"
MOVED_TABLES = ("funding_partner", "funding_researchcontract", "funding_invoicedamount",
                "funding_ledgerimport", "funding_ledgerimportjob", "funding_allocationrun",
                "funding_allocationline", "funding_grant", "funding_expenditure")

SETUP = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "carnot.web.settings"
django.setup()
from django.core.management import call_command
from django.db import connection
"""

BEFORE_THE_SPLIT = SETUP + """
import sys
from datetime import date
from django.contrib.auth.models import User
from carnot.registry.models import Structure, Unit
for app in ("contenttypes", "auth", "admin", "sessions", "axes", "accounts", "registry"):
    call_command("migrate", app, verbosity=0)
call_command("migrate", "applications", "0001", verbosity=0)
connection.ensure_connection()
connection.connection.executescript(open(sys.argv[1], encoding="utf-8").read())
with connection.cursor() as cursor:
    for name in ("0001_initial", "0002_allocation_runs", "0003_spending",
                 "0004_ledger_import_jobs"):
        cursor.execute("INSERT INTO django_migrations (app, name, applied) "
                       "VALUES ('funding', %s, '2026-11-30 12:00:00')", [name])
# The ledger of one unit, written in the funding tables as the former app did.
from carnot.ledgers.models import InvoicedAmount, LedgerImport, Partner, ResearchContract
user = User.objects.create(username="ancien")
tutelle = Structure.objects.create(code="uca", name="Université Clermont Auvergne",
                                   kind="university")
unit = Unit.objects.create(rnsr="201220357A", name="LIMOS", managing_tutelle=tutelle)
partner = Partner.objects.create(key="siren:552032534", name="Michelin", siren="552032534",
                                 category="large", category_year=2025)
contract = ResearchContract.objects.create(
    unit=unit, partner=partner, reference="C-2025-01", total_cents=4_500_000,
    signed_on=date(2025, 3, 14), cifre=False, in_theme=True, partner_category="large",
    partner_category_year=2025)
InvoicedAmount.objects.create(contract=contract, year=2025, amount_cents=1_500_000)
LedgerImport.objects.create(filename="registre.csv", sha256="0" * 64, by=user, rows=1,
                            summary="Import réussi : 1 ligne.")
print(contract.pk)
"""

AFTER = SETUP + """
import json
from io import StringIO
call_command("migrate", verbosity=0)
call_command("makemigrations", "--check", "--dry-run", verbosity=0, stdout=StringIO())
from carnot.ledgers.models import InvoicedAmount, ResearchContract
contract = ResearchContract.objects.select_related("partner", "unit").get()
print(json.dumps({"contract": contract.pk, "reference": contract.reference,
                  "partner": contract.partner.name, "unit": contract.unit.rnsr,
                  "invoiced": list(InvoicedAmount.objects.values_list("year", "amount_cents"))}))
"""

SCHEMA = SETUP + """
import json, sys
connection.ensure_connection()
with connection.cursor() as cursor:
    schema = {}
    for table in sys.argv[1:]:
        columns = cursor.execute(f'PRAGMA table_info("{table}")').fetchall()
        indexes = cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                 "tbl_name = %s AND name NOT LIKE 'sqlite_autoindex%%'",
                                 [table]).fetchall()
        checks = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                                "name = %s", [table]).fetchone()[0].count("CHECK")
        schema[table] = {"columns": sorted(tuple(column[1:4]) for column in columns),
                         "indexes": sorted(name for (name,) in indexes), "checks": checks}
print(json.dumps(schema))
"""


def _run(script: str, data_dir: Path, *args: str) -> str:
    environment = {**os.environ, "CARNOT_DATA_DIR": str(data_dir), "DATABASE_URL": "",
                   "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_a_database_of_the_former_funding_app_keeps_its_ledgers_and_gets_todays_schema(
        tmp_path: Path) -> None:
    former, fresh = tmp_path / "former", tmp_path / "fresh"
    contract_id = int(_run(BEFORE_THE_SPLIT, former, str(LEGACY_SCHEMA)))

    kept = json.loads(_run(AFTER, former))

    assert kept == {"contract": contract_id, "reference": "C-2025-01", "partner": "Michelin",
                    "unit": "201220357A", "invoiced": [[2025, 1_500_000]]}
    _run(SETUP + 'call_command("migrate", verbosity=0)\nprint("ok")', fresh)
    assert (json.loads(_run(SCHEMA, former, *MOVED_TABLES))
            == json.loads(_run(SCHEMA, fresh, *MOVED_TABLES)))
