"""``python manage.py load_demo [--scale N] [--seed S] [--reset]``: the national demo dataset.

Also the rich display shared with ``carnot demo``: the progress of the load, what was loaded,
and the demo logins of each role.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from carnot.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from carnot.demo.national import (
    STEPS,
    DemoSummary,
    build_demo,
    demo_conflicts,
    demo_reset,
)
from carnot.rules.money import format_euros


class Command(BaseCommand):
    help = ("Charge le jeu de démonstration national de l'appel 2026 (PUI, unités, "
            "candidatures, comptes par rôle, registres de contrats, répartition publiée). "
            "Refuse de le charger deux fois sans --reset.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1,
                            help="multiplier candidatures et unités (bancs d'essai)")
        parser.add_argument("--seed", type=int, default=2026,
                            help="graine du générateur (mêmes données pour la même graine)")
        parser.add_argument("--reset", action="store_true",
                            help="supprimer d'abord les données de démonstration (appel 2026, "
                                 "comptes de démonstration, référentiel inutilisé), dans la "
                                 "même transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] < 1:
            raise CommandError("--scale doit valoir au moins 1.")
        if not options["reset"]:
            conflicts = demo_conflicts()
            if conflicts:
                raise CommandError("Jeu de démonstration non chargé : " + " ; ".join(conflicts)
                                   + ". Relancer avec --reset pour le remplacer.")
        console = Console()
        try:
            summary = load_with_progress(console, scale=options["scale"],
                                         seed=options["seed"], reset=options["reset"])
        except DatabaseError as exc:
            raise CommandError(f"Chargement annulé, rien n'a été écrit : {exc}") from exc
        render_summary(console, summary)
        console.print(logins_table())


def load_with_progress(console: Console, *, scale: int = 1, seed: int = 2026,
                       reset: bool = False) -> DemoSummary:
    """Build the demo dataset (after removing the previous one with ``reset``, in the same
    transaction), showing each step in a progress bar."""
    columns = (TextColumn("[bold]{task.description:<26}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with transaction.atomic(), Progress(*columns, console=console) as progress:
        if reset:
            progress.console.print("Suppression des données de démonstration précédentes…")
            demo_reset()
        task = progress.add_task("Jeu de démonstration", total=len(STEPS))

        def on_step(index: int, label: str) -> None:
            progress.update(task, completed=index, description=label)

        summary = build_demo(scale=scale, seed=seed, on_step=on_step)
        progress.update(task, completed=len(STEPS), description="Jeu de démonstration")
    return summary


def render_summary(console: Console, summary: DemoSummary) -> None:
    """What was loaded, and which applications break which rule on purpose."""
    kinds = summary.applications
    console.print(
        f"[green]✔[/] Appel {summary.call_year} (dépôt jusqu'au "
        f"{summary.deadline:%d/%m/%Y %H:%M}) : {summary.application_count} candidatures "
        f"({kinds['territorial']} territoriales, {kinds['thematic']} thématiques, "
        f"{kinds['former_carnot']} anciens Carnot), {summary.units} unités dont "
        f"{summary.shared_units} partagées, {summary.puis} PUI, {summary.structures} "
        f"structures — en {summary.seconds:.1f} s.", highlight=False)
    if summary.funding is not None:
        funding = summary.funding
        console.print(
            f"[green]✔[/] Registres de contrats 2023–2026 : {funding.contracts} contrats "
            f"({funding.excluded} ne comptent pas pour l'abondement), {funding.invoiced} "
            f"montants facturés, {funding.partners} partenaires. Répartition "
            f"{summary.call_year} n° {funding.run_number} publiée : "
            f"{format_euros(funding.allocated_cents)} sur {format_euros(funding.envelope_cents)}"
            f", {funding.grants} abondements, {funding.expenditures} dépenses de "
            "« coordinateur ».", highlight=False)
    broken = Table(title="Candidatures en défaut exprès (panneau de recevabilité)",
                   title_justify="left")
    broken.add_column("Candidature")
    broken.add_column("Règle")
    broken.add_column("Défaut")
    for fault in summary.broken:
        broken.add_row(fault.code, fault.rule, fault.what)
    console.print(broken)


def logins_table() -> Table:
    """One line per role: its login and what to try with it (one password for all)."""
    table = Table(title=f"Comptes de démonstration — mot de passe : {DEMO_PASSWORD}",
                  title_justify="left")
    table.add_column("Rôle")
    table.add_column("Identifiant", style="bold cyan")
    table.add_column("Pour essayer")
    for account in DEMO_ACCOUNTS:
        table.add_row(account.role.label, account.username, account.what_to_try)
    return table
