"""Ledger imports started from a page: a job row the page polls, and a worker that runs the
import (``ledger_import``, untouched: all or nothing, every error located) outside the
request, recording its progress as the rows are checked.

How the worker runs is ``settings.LEDGER_IMPORT_RUNNER``:

* ``"thread"`` (the default) — a daemon thread, started once the job row is committed
  (``transaction.on_commit``) so that the thread's own connection sees it; the thread closes its
  database connections when it ends. The file is held in memory by the thread, never stored:
  a job whose process stops while running stays « en cours » (see the import page).
* ``"inline"`` — in the request itself (tests, or a deployment that wants no thread).

``start_ledger_import(runner=…)`` also takes any runner (a test's).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from carnot.applications.models import LedgerImportJob, LedgerImportStatus
from carnot.common.sheets import SheetError
from carnot.ledgers.format import ALIASES, LedgerImportReport, LedgerRejected
from carnot.ledgers.services import ledger_import
from carnot.registry.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from carnot.applications.models import Application

logger = logging.getLogger(__name__)

Work = Callable[[], None]
Runner = Callable[[uuid.UUID, Work], None]
"""Runs a job's work: ``runner(job_id, work)``."""

PROGRESS_INTERVAL_SECONDS = 0.5
"""Progress is written at most this often (and always at the end of the check)."""

UNEXPECTED = ("Erreur inattendue pendant l'import : rien n'a été enregistré. Réessayez ; si "
              "l'erreur persiste, signalez-la à l'équipe du programme.")
RULE_ID = re.compile(r"FAQ-\d+\.\d+")


# --- Runners ---------------------------------------------------------------------------------

def run_inline(job_id: uuid.UUID, work: Work) -> None:
    """Run the job now, in the caller's thread and transaction."""
    work()


_threads: dict[uuid.UUID, threading.Thread] = {}
_threads_lock = threading.Lock()


def _with_own_connections(work: Work) -> Work:
    def run() -> None:
        close_old_connections()
        try:
            work()
        finally:
            connections.close_all()  # this thread's connections only
    return run


def run_in_thread(job_id: uuid.UUID, work: Work) -> None:
    """Run the job in a daemon thread, once the current transaction (which created the job) is
    committed; right away outside a transaction."""
    def start() -> None:
        thread = threading.Thread(target=_with_own_connections(work),
                                  name=f"ledger-import-{job_id}", daemon=True)
        with _threads_lock:
            for finished in [key for key, known in _threads.items() if not known.is_alive()]:
                del _threads[finished]
            _threads[job_id] = thread
        thread.start()
    transaction.on_commit(start)


def wait_for(job_id: uuid.UUID, timeout: float | None = None) -> bool:
    """Wait for a job's thread (if it has one in this process); True once it has ended."""
    with _threads_lock:
        thread = _threads.get(job_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


RUNNERS: dict[str, Runner] = {"inline": run_inline, "thread": run_in_thread}


def configured_runner() -> Runner:
    name = getattr(settings, "LEDGER_IMPORT_RUNNER", "thread")
    try:
        return RUNNERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"LEDGER_IMPORT_RUNNER : « {name} » inconnu "
                                   f"({', '.join(RUNNERS)}).") from None


# --- The job ---------------------------------------------------------------------------------

def error_as_dict(error: SheetError) -> dict[str, Any]:
    """A located error as the job stores it, with the FAQ rules its message names."""
    return {"sheet": error.sheet, "row": error.row, "column": error.column,
            "message": error.message, "rules": RULE_ID.findall(error.message)}


def report_as_dict(report: LedgerImportReport) -> dict[str, Any]:
    return {**dataclasses.asdict(report), "changed": report.changed,
            "message": report.message()}


class _Progress:
    """The service's ``progress(done, total)``: written to the job, at most every
    ``PROGRESS_INTERVAL_SECONDS`` (and for the last row)."""

    def __init__(self, job_id: uuid.UUID) -> None:
        self.job_id = job_id
        self.written_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if (done < total and self.written_at is not None
                and now - self.written_at < PROGRESS_INTERVAL_SECONDS):
            return
        self.written_at = now
        total = max(total, 0)
        LedgerImportJob.objects.filter(pk=self.job_id).update(
            rows_done=min(max(done, 0), total), rows_total=total)


def _finish(job_id: uuid.UUID, status: LedgerImportStatus, **fields: Any) -> None:
    LedgerImportJob.objects.filter(pk=job_id).update(status=status,
                                                     finished_at=timezone.now(), **fields)


def run_ledger_import_job(job_id: uuid.UUID, content: bytes) -> None:
    """The worker: import the job's file through ``ledger_import`` and record the
    report, or every located error (nothing written then), or an unexpected failure."""
    job = LedgerImportJob.objects.select_related("by", "unit", "application").get(pk=job_id)
    LedgerImportJob.objects.filter(pk=job_id).update(status=LedgerImportStatus.RUNNING)
    units = (list(Unit.objects.filter(declarations__application=job.application))
             if job.application is not None else None)
    try:
        report = ledger_import(content=content, filename=job.filename, by=job.by,
                                        unit=job.unit, progress=_Progress(job_id), units=units)
    except LedgerRejected as rejected:
        _finish(job_id, LedgerImportStatus.REJECTED,
                errors=[error_as_dict(error) for error in rejected.errors])
    except ValidationError as refused:
        _finish(job_id, LedgerImportStatus.REJECTED,
                errors=[error_as_dict(SheetError(None, None, None, message))
                        for message in refused.messages])
    except Exception:
        logger.exception("Import de registre %s : échec inattendu", job_id)
        _finish(job_id, LedgerImportStatus.FAILED,
                errors=[error_as_dict(SheetError(None, None, None, UNEXPECTED))])
    else:
        _finish(job_id, LedgerImportStatus.DONE, report=report_as_dict(report))


def start_ledger_import(*, content: bytes, filename: str, by: User, unit: Unit | None = None,
                        application: Application | None = None,
                        runner: Runner | None = None) -> LedgerImportJob:
    """Create the import job of a unit's ledger (``unit``) or of a consortium's (``application``:
    rows of its declared units only) and hand its work to the runner (see the module)."""
    if (unit is None) == (application is None):
        raise ValueError("un import porte sur une unité ou sur une candidature")
    job = LedgerImportJob.objects.create(by=by, unit=unit, application=application,
                                         filename=filename[:255])
    chosen = runner if runner is not None else configured_runner()
    chosen(job.pk, lambda: run_ledger_import_job(job.pk, content))
    return job


# --- The template file -----------------------------------------------------------------------

def ledger_template_csv(invoiced_years: Iterable[int]) -> str:
    """The header of a ledger file (CSV, « ; »): the service's columns, then one « Facturé
    AAAA » column per year."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(
        [*ALIASES, *(f"Facturé {year}" for year in invoiced_years)])
    return out.getvalue()
