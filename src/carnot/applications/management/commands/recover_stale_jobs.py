"""``python manage.py recover_stale_jobs``: take back every ledger import whose worker died
(``carnot.applications.ledgers.tasks.recover_stale_ledger_imports``), for cron — say every
few minutes. A job's page does the same for that job when it is polled; this command covers the
jobs nobody is watching."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from carnot.applications.ledgers.tasks import recover_stale_ledger_imports


class Command(BaseCommand):
    help = ("Relance (ou marque en échec, après les essais permis) les imports de registre dont "
            "la tâche ne donne plus signe de vie.")

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = recover_stale_ledger_imports()
        for job_id, outcome in recovered.items():
            self.stdout.write(f"Import de registre {job_id} : {outcome}")
        self.stdout.write(f"{len(recovered)} import(s) repris.")
