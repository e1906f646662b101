"""Ledger imports as tasks (``carnot.applications.ledgers.tasks``): a task run twice leaves its
job alone, a job whose worker died is enqueued again or failed, and — with a real worker process
killed in the middle of an import — nothing is half-written and the job still ends.

The fault test (last) runs the platform in subprocesses on its own SQLite file (migrated there),
a ``db_worker`` among them, and reads the file with ``sqlite3``: it uses no Django test database,
so it runs in the SQLite pass only (the PostgreSQL pass keeps the database tests)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from stdnum import luhn

from carnot.applications.ledgers import jobs, tasks
from carnot.applications.models import LedgerImportJob, LedgerImportStatus
from carnot.audit.models import AuditEvent
from carnot.ledgers.models import LedgerImport, ResearchContract
from carnot.registry.models import Structure, Unit

RNSR = "200717524X"
HEADER = ("RNSR;Référence contrat;Partenaire;SIREN/SIRET;Catégorie;Année de la catégorie;"
          "Montant total HT;Date de signature;CIFRE;Dans la thématique;Facturé 2025")
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ROOT = Path(__file__).resolve().parents[2]


def ledger(rows: int) -> bytes:
    """A unit's ledger of ``rows`` new contracts with one PME (16 000 € each)."""
    body = "12345678"
    siren = body + luhn.calc_check_digit(body)
    lines = [f"{RNSR};BIG-{n:06d};Optique Rhénane;{siren};PME;2025;16 000,00;01/03/2025;non;"
             f"oui;1 000,00" for n in range(rows)]
    return "\r\n".join((HEADER, *lines)).encode()


def lead_and_unit() -> tuple[User, Unit]:
    tutelle = Structure.objects.create(code="unistra", name="Université de Strasbourg",
                                       kind="university", region="Grand Est")
    unit = Unit.objects.create(rnsr=RNSR, name="Laboratoire témoin", managing_tutelle=tutelle)
    return User.objects.create_user("lead", password="x"), unit


@pytest.fixture
def world(db: None) -> tuple[User, Unit]:
    return lead_and_unit()


def stale_job(by: User, unit: Unit, *, tries: int, status: LedgerImportStatus,
              content: bytes = b"") -> LedgerImportJob:
    """A job whose task has been silent for an hour (its worker died)."""
    job = LedgerImportJob(by=by, unit=unit, filename="registre.csv", status=status, tries=tries,
                          heartbeat_at=timezone.now() - timedelta(hours=1))
    job.file.save("registre.csv", ContentFile(content or ledger(3)), save=False)
    job.save()
    return job


# --- Idempotent tasks ------------------------------------------------------------------------

def test_a_task_run_again_leaves_its_finished_job_alone(world: tuple[User, Unit]) -> None:
    lead, unit = world
    job = tasks.start_ledger_import(file=ContentFile(ledger(3)), filename="registre.csv",
                                    by=lead, unit=unit)
    assert job.status == LedgerImportStatus.DONE and job.report["contracts_created"] == 3
    assert not job.file, "deleted once the task has ended"
    tasks.ledger_import_job_run.call(str(job.pk), 1)
    again = LedgerImportJob.objects.get(pk=job.pk)
    assert (again.status, again.report, again.finished_at) == (
        job.status, job.report, job.finished_at)
    assert ResearchContract.objects.count() == 3


def test_a_run_of_a_superseded_try_does_nothing(world: tuple[User, Unit]) -> None:
    lead, unit = world
    job = stale_job(lead, unit, tries=2, status=LedgerImportStatus.PENDING)
    jobs.ledger_import_job_run(job.pk, 1)
    job.refresh_from_db()
    assert job.status == LedgerImportStatus.PENDING and job.file
    assert not ResearchContract.objects.exists()


def test_a_run_superseded_while_checking_stops_before_writing(
        world: tuple[User, Unit], monkeypatch: pytest.MonkeyPatch) -> None:
    lead, unit = world
    job = stale_job(lead, unit, tries=1, status=LedgerImportStatus.PENDING)

    def taken_back_meanwhile(*, progress: Callable[[int, int], None], **kwargs: Any) -> None:
        LedgerImportJob.objects.filter(pk=job.pk).update(tries=2,
                                                         status=LedgerImportStatus.PENDING)
        progress(1, 3)
        raise AssertionError("a superseded run goes no further")

    monkeypatch.setattr(jobs, "ledger_import", taken_back_meanwhile)
    jobs.ledger_import_job_run(job.pk, 1)
    job.refresh_from_db()
    assert (job.status, job.tries, job.errors) == (LedgerImportStatus.PENDING, 2, [])
    assert job.file, "kept for the try that superseded this one"


def test_a_run_superseded_while_writing_rolls_its_write_back(
        world: tuple[User, Unit], monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's end is committed with the import: a try that another worker took over while
    this one was writing leaves no contract, no import record and no audit event."""
    lead, unit = world
    job = stale_job(lead, unit, tries=1, status=LedgerImportStatus.PENDING)
    real_import = jobs.ledger_import

    def taken_back_while_writing(**kwargs: Any) -> Any:
        finish = kwargs.pop("commit_with")

        def taken_back_then_finish(report: Any) -> None:
            LedgerImportJob.objects.filter(pk=job.pk).update(tries=2,
                                                             status=LedgerImportStatus.PENDING)
            finish(report)
        return real_import(**kwargs, commit_with=taken_back_then_finish)

    monkeypatch.setattr(jobs, "ledger_import", taken_back_while_writing)
    events = AuditEvent.objects.count()
    jobs.ledger_import_job_run(job.pk, 1)
    job.refresh_from_db()
    # One connection here: the takeover, made inside the import's transaction, is rolled back
    # with it (another worker's would be its own); this try did not mark the job done.
    assert job.status != LedgerImportStatus.DONE and job.report is None
    assert job.file, "kept for the try that superseded this one"
    assert not ResearchContract.objects.exists() and not LedgerImport.objects.exists()
    assert AuditEvent.objects.count() == events


# --- A job whose worker died -----------------------------------------------------------------

def test_a_silent_job_with_retries_left_is_enqueued_again_and_imported(
        world: tuple[User, Unit], settings: Any) -> None:
    settings.LEDGER_IMPORT_RETRIES = 2
    lead, unit = world
    running = stale_job(lead, unit, tries=1, status=LedgerImportStatus.RUNNING)
    alive = LedgerImportJob.objects.create(by=lead, unit=unit, filename="vivant.csv",
                                           status=LedgerImportStatus.RUNNING, tries=1)
    assert tasks.recover_stale_ledger_imports() == {running.pk: "relancé"}
    running.refresh_from_db()
    assert (running.status, running.tries) == (LedgerImportStatus.DONE, 2), running.errors
    assert ResearchContract.objects.count() == 3
    alive.refresh_from_db()
    assert alive.status == LedgerImportStatus.RUNNING, "a job giving news is left running"


def test_a_silent_job_out_of_retries_fails_with_a_message_and_writes_nothing(
        world: tuple[User, Unit], settings: Any) -> None:
    settings.LEDGER_IMPORT_RETRIES = 2
    lead, unit = world
    job = stale_job(lead, unit, tries=3, status=LedgerImportStatus.RUNNING)
    stored = Path(job.file.path)
    assert tasks.recover_stale_ledger_imports() == {job.pk: "échoué"}
    job.refresh_from_db()
    assert job.status == LedgerImportStatus.FAILED and job.finished_at is not None
    assert [error["message"] for error in job.errors] == [
        "L'import a été interrompu : rien n'a été enregistré ; relancez-le."]
    assert not job.file and not stored.exists()
    assert not ResearchContract.objects.exists()
    assert tasks.recover_stale_ledger_imports() == {}, "once is enough"


def test_a_pending_job_whose_task_waits_in_the_queue_is_only_waiting(
        world: tuple[User, Unit], settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    lead, unit = world
    job = tasks.start_ledger_import(file=ContentFile(ledger(3)), filename="registre.csv",
                                    by=lead, unit=unit)
    later = timezone.now() + timedelta(hours=1)
    assert tasks.recover_stale_ledger_imports(now=later) == {}, "no worker took it yet"
    job.refresh_from_db()
    assert (job.status, job.tries) == (LedgerImportStatus.PENDING, 1)


def test_polling_the_page_of_a_silent_job_takes_it_back(
        world: tuple[User, Unit], settings: Any) -> None:
    settings.LEDGER_IMPORT_RETRIES = 0
    lead, unit = world
    job = stale_job(lead, unit, tries=1, status=LedgerImportStatus.RUNNING)
    client = Client()
    client.force_login(lead)
    html = client.get(reverse("funding:ledger-import-status",
                              kwargs={"job": job.pk})).content.decode()
    assert 'data-status="failed"' in html and "hx-get" not in html
    assert "L&#x27;import a été interrompu : rien n&#x27;a été enregistré ; relancez-le." in html


def test_recover_stale_jobs_command_says_what_it_did(
        world: tuple[User, Unit], settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.LEDGER_IMPORT_RETRIES = 0
    lead, unit = world
    job = stale_job(lead, unit, tries=1, status=LedgerImportStatus.PENDING)
    call_command("recover_stale_jobs")
    out = capsys.readouterr().out
    assert f"Import de registre {job.pk} : échoué" in out and "1 import(s) repris." in out


# --- A real worker, killed in the middle of an import ----------------------------------------

FAULT_ROWS = 5_000
WAIT = 180.0
"""Seconds any single wait of the fault test may last (never hang CI)."""


def enqueue_big_import() -> None:
    """Run in a subprocess (``manage.py shell -c``) on the fault test's database: enqueue the
    import of a large ledger, as the page does."""
    lead, unit = lead_and_unit()
    job = tasks.start_ledger_import(file=ContentFile(ledger(FAULT_ROWS)),
                                    filename="registre.csv", by=lead, unit=unit)
    print(job.pk)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start ``manage.py`` commands on a migrated SQLite file of their own (and the database
    task backend, a stale timeout of one second); every process still running is killed at
    the end."""
    env = {**os.environ, "CARNOT_DATA_DIR": str(tmp_path), "DATABASE_URL": "",
           "CARNOT_DEBUG": "0", "CARNOT_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "CARNOT_LEDGER_IMPORT_STALE_AFTER": "1", "CARNOT_LEDGER_IMPORT_RETRIES": "2",
           "DJANGO_SETTINGS_MODULE": "carnot.web.settings"}
    started: list[subprocess.Popen[str]] = []

    def start(*command: str) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(process)
        return process

    migrate = start("migrate", "--verbosity", "0")
    assert migrate.wait(timeout=WAIT) == 0, migrate.communicate()[0]
    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=WAIT)


def until(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_import_writes_nothing_and_a_new_worker_imports_it_once(
        platform: Callable[..., subprocess.Popen[str]], tmp_path: Path) -> None:
    enqueue = platform("shell", "-c", "from tests.applications.test_ledger_import_tasks "
                       "import enqueue_big_import; enqueue_big_import()")
    output = enqueue.communicate(timeout=WAIT)[0]
    assert enqueue.returncode == 0, output
    job_id = output.strip().splitlines()[-1].replace("-", "")
    database = sqlite3.connect(tmp_path / "carnot.sqlite3", timeout=WAIT)

    def job() -> tuple[str, int, int, int]:
        return database.execute("SELECT status, rows_done, rows_total, tries FROM "
                                "funding_ledgerimportjob WHERE id = ?", (job_id,)).fetchone()

    def contracts() -> int:
        return database.execute("SELECT count(*) FROM funding_researchcontract").fetchone()[0]

    worker = platform("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
    until(lambda: job()[1] > 0, "the import to start")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=WAIT)
    status, done, total, _ = job()
    # Killed while checking the rows, or while writing them (after the last row checked): in
    # both cases before the import's one transaction committed.
    assert (status, total) == ("running", FAULT_ROWS) and 0 < done <= total
    assert contracts() == 0, "nothing half-written"
    assert [path.name for path in (tmp_path / "ledger-imports").iterdir()], "file kept"

    time.sleep(1.5)  # past the stale timeout (1 s)
    recover = platform("recover_stale_jobs")
    output = recover.communicate(timeout=WAIT)[0]
    assert recover.returncode == 0 and "relancé" in output, output
    assert job()[0] == "pending" and job()[3] == 2

    again = platform("db_worker", "--no-reload", "--no-startup-delay", "--batch")
    assert again.wait(timeout=WAIT) == 0, again.communicate()[0]
    status, done, total, tries = job()
    assert (status, done, total, tries) == ("done", FAULT_ROWS, FAULT_ROWS, 2)
    assert contracts() == FAULT_ROWS, "exactly the file's contracts, no duplicate"
    assert not list((tmp_path / "ledger-imports").iterdir()), "file deleted once imported"
    database.close()
