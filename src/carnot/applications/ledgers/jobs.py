"""The work of a ledger import started from a page: run ``ledger_import`` (untouched: all or
nothing, every error located) on the job's stored file, recording its progress on the job row as
the rows are checked, then its report or every located error. The task that runs it, its start
and its recovery after a worker died are in ``carnot.applications.ledgers.tasks``.

A job's work runs once per try (``LedgerImportJob.tries``): a run claims the job only while it
waits for that very try, so a task run twice, or a job already finished, is left alone; a run
whose try has been superseded (its worker was taken for dead and the job enqueued again) stops at
its next progress report, before writing anything.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carnot.applications.models import LedgerImportJob, LedgerImportStatus
from carnot.common.sheets import SheetError
from carnot.ledgers.format import ALIASES, LedgerImportReport, LedgerRejected
from carnot.ledgers.services import ledger_import
from carnot.registry.models import Unit

if TYPE_CHECKING:
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.5
"""Progress (and the heartbeat) is written at most this often (and always at the end of the
check)."""

UNEXPECTED = ("Erreur inattendue pendant l'import : rien n'a été enregistré. Réessayez ; si "
              "l'erreur persiste, signalez-la à l'équipe du programme.")
RULE_ID = re.compile(r"FAQ-\d+\.\d+")


def error_as_dict(error: SheetError) -> dict[str, Any]:
    """A located error as the job stores it, with the FAQ rules its message names."""
    return {"sheet": error.sheet, "row": error.row, "column": error.column,
            "message": error.message, "rules": RULE_ID.findall(error.message)}


def report_as_dict(report: LedgerImportReport) -> dict[str, Any]:
    return {**dataclasses.asdict(report), "changed": report.changed,
            "message": report.message()}


class Superseded(Exception):
    """The job no longer waits for this run: it was enqueued again (or failed) meanwhile."""


def _this_run(job_id: uuid.UUID, try_number: int) -> QuerySet[LedgerImportJob]:
    """The job, only while this try is the one running it."""
    return LedgerImportJob.objects.filter(pk=job_id, tries=try_number,
                                          status=LedgerImportStatus.RUNNING)


class _Progress:
    """The service's ``progress(done, total)``: written to the job with its heartbeat, at most
    every ``PROGRESS_INTERVAL_SECONDS`` (and for the last row); raises ``Superseded`` once the
    job has moved on without this run."""

    def __init__(self, job_id: uuid.UUID, try_number: int) -> None:
        self.job_id = job_id
        self.try_number = try_number
        self.written_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if (done < total and self.written_at is not None
                and now - self.written_at < PROGRESS_INTERVAL_SECONDS):
            return
        self.written_at = now
        total = max(total, 0)
        if not _this_run(self.job_id, self.try_number).update(
                rows_done=min(max(done, 0), total), rows_total=total,
                heartbeat_at=timezone.now()):
            raise Superseded


def _finish(job: LedgerImportJob, try_number: int, status: LedgerImportStatus,
            **fields: Any) -> None:
    """Record how this run ended, unless it was superseded meanwhile (``Superseded``); the file
    is no longer needed once that is committed."""
    if not _this_run(job.pk, try_number).update(status=status, finished_at=timezone.now(),
                                                file="", task_id="", **fields):
        raise Superseded
    stored = job.file.name or ""
    if stored:
        transaction.on_commit(lambda: job.file.storage.delete(stored))


def _finish_done(job: LedgerImportJob,
                 try_number: int) -> Callable[[LedgerImportReport], None]:
    """The job marked done inside the import's own transaction: a worker that dies between
    the write and the job's end leaves neither, and a try superseded meanwhile (another worker
    took the job) rolls its write back instead of importing twice."""
    def finish(report: LedgerImportReport) -> None:
        _finish(job, try_number, LedgerImportStatus.DONE, report=report_as_dict(report))
    return finish


def ledger_import_job_run(job_id: uuid.UUID, try_number: int) -> None:
    """Import the job's file through ``ledger_import`` and record the report, or every located
    error (nothing written then), or an unexpected failure. Does nothing unless the job waits
    for this try (see the module)."""
    if not LedgerImportJob.objects.filter(
            pk=job_id, tries=try_number, status=LedgerImportStatus.PENDING).update(
            status=LedgerImportStatus.RUNNING, heartbeat_at=timezone.now()):
        return
    job = LedgerImportJob.objects.select_related("by", "unit", "application").get(pk=job_id)
    units = (list(Unit.objects.filter(declarations__application=job.application))
             if job.application is not None else None)
    try:
        with job.file.open("rb") as stored:
            content = stored.read()
        ledger_import(content=content, filename=job.filename, by=job.by, unit=job.unit,
                      progress=_Progress(job_id, try_number), units=units,
                      commit_with=_finish_done(job, try_number))
    except Superseded:
        logger.info("Import de registre %s : essai %d remplacé par un autre", job_id,
                    try_number)
    except LedgerRejected as rejected:
        _finish_unless_superseded(job, try_number, LedgerImportStatus.REJECTED,
                                  errors=[error_as_dict(error) for error in rejected.errors])
    except ValidationError as refused:
        _finish_unless_superseded(job, try_number, LedgerImportStatus.REJECTED,
                                  errors=[error_as_dict(SheetError(None, None, None, message))
                                          for message in refused.messages])
    except Exception:
        logger.exception("Import de registre %s : échec inattendu", job_id)
        _finish_unless_superseded(job, try_number, LedgerImportStatus.FAILED,
                                  errors=[error_as_dict(SheetError(None, None, None,
                                                                   UNEXPECTED))])


def _finish_unless_superseded(job: LedgerImportJob, try_number: int,
                              status: LedgerImportStatus, **fields: Any) -> None:
    """A refusal or a failure recorded, unless another try has taken the job meanwhile."""
    try:
        _finish(job, try_number, status, **fields)
    except Superseded:
        logger.info("Import de registre %s : essai %d remplacé par un autre", job.pk,
                    try_number)


# --- The template file -----------------------------------------------------------------------

def ledger_template_csv(invoiced_years: Iterable[int]) -> str:
    """The header of a ledger file (CSV, « ; »): the service's columns, then one « Facturé
    AAAA » column per year."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow(
        [*ALIASES, *(f"Facturé {year}" for year in invoiced_years)])
    return out.getvalue()
