"""Ledger imports started from a page, as tasks of the Django tasks API (``django_tasks``; a
worker process runs them: ``manage.py db_worker``): starting one, and taking back a job whose
worker died.

* ``start_ledger_import`` stores the uploaded file (private storage, see
  ``LedgerImportFileStorage``) on a new job and enqueues ``ledger_import_job_run``, which runs
  the job's work (``carnot.applications.ledgers.jobs``) and deletes the file when it ends.
* A job « en attente » or « en cours » whose heartbeat is older than
  ``settings.LEDGER_IMPORT_STALE_AFTER`` seconds lost its worker (killed, machine restarted): a
  waiting job whose task is still queued is only waiting, not lost. ``recover_stale_ledger_imports``
  enqueues such a job again, up to ``settings.LEDGER_IMPORT_RETRIES`` times, then marks it
  failed (``INTERRUPTED``). It runs when the job's page is polled (for that job) and from
  ``manage.py recover_stale_jobs`` (every job; for cron). The import writes in one transaction at
  its end, so an interrupted one has written nothing and running it again is safe.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from carnot.applications.ledgers import jobs
from carnot.applications.models import LedgerImportJob, LedgerImportStatus
from carnot.common.sheets import SheetError

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files import File

    from carnot.applications.models import Application
    from carnot.registry.models import Unit

logger = logging.getLogger(__name__)

INTERRUPTED = "L'import a été interrompu : rien n'a été enregistré ; relancez-le."
UNFINISHED = (LedgerImportStatus.PENDING, LedgerImportStatus.RUNNING)


@task()
def ledger_import_job_run(job_id: str, try_number: int) -> None:
    """Run a ledger import job's work (``jobs.ledger_import_job_run``): once per try."""
    jobs.ledger_import_job_run(uuid.UUID(job_id), try_number)


def _enqueue(job_id: uuid.UUID, try_number: int) -> None:
    result = ledger_import_job_run.enqueue(str(job_id), try_number)
    LedgerImportJob.objects.filter(pk=job_id, tries=try_number).update(task_id=result.id)


def start_ledger_import(*, file: File[bytes], filename: str, by: User, unit: Unit | None = None,
                        application: Application | None = None) -> LedgerImportJob:
    """Create the import job of a unit's ledger (``unit``) or of a consortium's (``application``:
    rows of its declared units only), its file stored until the task ends, and enqueue it."""
    if (unit is None) == (application is None):
        raise ValueError("un import porte sur une unité ou sur une candidature")
    job = LedgerImportJob(by=by, unit=unit, application=application, filename=filename[:255],
                          tries=1)
    job.file.save(job.pk.hex, file, save=False)
    job.save()
    _enqueue(job.pk, 1)
    job.refresh_from_db()
    return job


def _waiting_in_queue(job: LedgerImportJob) -> bool:
    """A pending job whose task no worker has taken yet (a busy queue, not a dead worker)."""
    if job.status != LedgerImportStatus.PENDING or not job.task_id:
        return False
    if not ledger_import_job_run.get_backend().supports_get_result:
        return False
    try:
        result = ledger_import_job_run.get_result(job.task_id)
    except TaskResultDoesNotExist:
        return False
    return result.status == TaskResultStatus.READY


def _silent_since(now: datetime) -> datetime:
    """A job whose last sign of life is older than this has lost its worker."""
    return now - timedelta(seconds=settings.LEDGER_IMPORT_STALE_AFTER)


def recover_stale_ledger_import(job: LedgerImportJob, now: datetime | None = None) -> str | None:
    """Take back a job whose worker died: enqueue it again while it has retries left, else mark
    it failed with ``INTERRUPTED``. Returns what was done (« relancé », « échoué »), or None
    when the job is alive, finished, only waiting in the queue, or was just taken back by
    someone else (the page's poll and the cron command may meet)."""
    now = now or timezone.now()
    if (job.status not in UNFINISHED or job.heartbeat_at >= _silent_since(now)
            or _waiting_in_queue(job)):
        return None
    same = LedgerImportJob.objects.filter(pk=job.pk, tries=job.tries, status=job.status,
                                          heartbeat_at=job.heartbeat_at)
    if job.tries <= settings.LEDGER_IMPORT_RETRIES:
        # The job and its new task together (with the database backend): a job left without its
        # task would only be taken back again once stale.
        with transaction.atomic():
            if not same.update(tries=job.tries + 1, status=LedgerImportStatus.PENDING,
                               rows_done=0, rows_total=0, heartbeat_at=now, task_id=""):
                return None
            logger.warning("Import de registre %s : sans nouvelles de sa tâche, relancé "
                           "(essai %d)", job.pk, job.tries + 1)
            _enqueue(job.pk, job.tries + 1)
        return "relancé"
    if not same.update(status=LedgerImportStatus.FAILED, finished_at=now, file="", task_id="",
                       errors=[jobs.error_as_dict(SheetError(None, None, None, INTERRUPTED))]):
        return None
    logger.warning("Import de registre %s : sans nouvelles de sa tâche après %d essais, échoué",
                   job.pk, job.tries)
    job.file.delete(save=False)
    return "échoué"


def recover_stale_ledger_imports(now: datetime | None = None) -> dict[uuid.UUID, str]:
    """Every stale job taken back (``recover_stale_ledger_import``): what was done to each."""
    now = now or timezone.now()
    done: dict[uuid.UUID, str] = {}
    for job in LedgerImportJob.objects.filter(status__in=UNFINISHED,
                                              heartbeat_at__lt=_silent_since(now)):
        outcome = recover_stale_ledger_import(job, now)
        if outcome is not None:
            done[job.pk] = outcome
    return done
