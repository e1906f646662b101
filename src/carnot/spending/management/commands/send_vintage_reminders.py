"""``manage.py send_vintage_reminders [--date YYYY-MM-DD]``: e-mail the coordinators of every
vintage about to expire (FAQ-4.1), once per vintage. Run it daily (cron, a systemd timer…):
running it again sends nothing new."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from carnot.spending.reminders import vintage_reminders_send
from carnot.spending.selectors import EXPIRY_WARNING_DAYS


class Command(BaseCommand):
    help = (f"Prévient par e-mail les coordinateurs des millésimes d'abondement qui expirent "
            f"dans moins de {EXPIRY_WARNING_DAYS} jours (FAQ-4.1), une fois par millésime.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="jour de référence, AAAA-MM-JJ (par défaut, "
                                           "aujourd'hui)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = (date.fromisoformat(options["date"]) if options["date"]
                     else timezone.localdate())
        except ValueError as invalid:
            raise CommandError(f"Date invalide « {options['date']} » : AAAA-MM-JJ.") from invalid
        written = vintage_reminders_send(today=today)
        self.stdout.write(f"{written} rappel{'s' if written > 1 else ''} d'échéance "
                          f"{'envoyés' if written > 1 else 'envoyé'} au {today:%d/%m/%Y}.")
