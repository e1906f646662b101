"""``manage.py import_ledger FILE [--unit RNSR] [--user NAME]``: import a contract ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from carnot.ledgers.format import LedgerRejected
from carnot.ledgers.services import ledger_import
from carnot.registry.models import Unit


class Command(BaseCommand):
    help = "Importe un registre de contrats (CSV ou XLSX), tout ou rien."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", help="RNSR de l'unité de toutes les lignes")
        parser.add_argument("--user", help="compte qui importe (par défaut, le premier "
                                           "administrateur)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(rnsr=options["unit"].strip().upper()).first()
            if unit is None:
                raise CommandError(f"RNSR « {options['unit']} » inconnu du référentiel.")
        users = get_user_model().objects
        by = (users.filter(username=options["user"]).first() if options["user"]
              else users.filter(is_superuser=True).order_by("pk").first())
        if by is None:
            raise CommandError("Aucun compte pour signer l'import : préciser --user.")
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
            task = bar.add_task("Vérification des lignes", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                report = ledger_import(content=path.read_bytes(), filename=path.name, by=by,
                                       unit=unit, progress=progress)
            except LedgerRejected as rejected:
                bar.stop()
                for error in rejected.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{rejected} Rien n'a été importé.") from rejected
        self.stdout.write(report.message())
