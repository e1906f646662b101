"""The French report of a national evaluation, as rich tables for a person."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from carnot.rules.admissibility import APPLICATION_KIND_LABELS
from carnot.rules.evaluation import (
    ConsortiumResult,
    NationalEvaluation,
    contract_rule_counts,
    explain_consortium,
    shown_source,
    shown_value,
)
from carnot.rules.money import format_euros
from carnot.rules.spending import describe_agreement, describe_spending_window
from carnot.rules.verdicts import STATUS_MARKS, Status, Verdict, count

STATUS_STYLES = {Status.PASSED: "green", Status.FAILED: "red", Status.NOT_CHECKABLE: "yellow",
                 Status.WARNING: "yellow"}


def render_report(evaluation: NationalEvaluation, console: Console) -> None:
    call_year = evaluation.call.year
    console.print(Panel.fit(
        f"[bold]Appel Carnot {call_year}[/bold] — {count(len(evaluation.consortia), 'candidature')}"
        f", {count(len(evaluation.contracts), 'contrat')}\n"
        f"Enveloppe nationale : {format_euros(evaluation.envelope_cents)} — "
        f"répartie : {format_euros(evaluation.allocated_cents)}",
        title="Évaluation nationale"))
    console.print(_consortia_table(evaluation))
    for result in evaluation.consortia:
        if result.violations:
            console.print(Panel(_verdict_lines(result.violations),
                                title=f"{result.id} — non recevable", border_style="red"))
        if result.warnings:
            console.print(Panel(_verdict_lines(result.warnings),
                                title=f"{result.id} — avertissements (sans incidence sur la "
                                "recevabilité)", border_style="yellow"))
    guarantees = [r for r in evaluation.consortia if r.application.former_carnot is not None]
    if guarantees:
        console.print(_guarantee_table(guarantees))
    console.print(_contracts_table(evaluation))
    console.print(_parameters_table(evaluation))
    console.print(f"{describe_agreement(evaluation.agreement, evaluation.params)} "
                  f"{describe_spending_window(call_year, evaluation.params)}", highlight=False)


def _verdict_lines(verdicts: list[Verdict]) -> Text:
    lines = Text()
    for verdict in verdicts:
        lines.append(f"{STATUS_MARKS[verdict.status]} [{verdict.rule}] ",
                     style=f"bold {STATUS_STYLES[verdict.status]}")
        lines.append(f"{verdict.message}\n")
    return lines


def render_explanation(evaluation: NationalEvaluation, consortium_id: str,
                       console: Console) -> None:
    console.print(explain_consortium(evaluation.consortium(consortium_id), evaluation),
                  highlight=False, markup=False)


def _consortia_table(evaluation: NationalEvaluation) -> Table:
    table = Table(title="Consortiums", show_lines=False)
    for column, justify in (("Id", "left"), ("Nom", "left"), ("Type", "left"),
                            ("Recevable", "center"), ("Recettes seuil", "right"),
                            ("Assiette abondement", "right"), ("Garantie", "right"),
                            ("Abondement", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for result in evaluation.consortia:
        guarantee = (format_euros(result.guarantee.amount_cents) if result.guarantee.applies
                     else "—")
        table.add_row(
            result.id, result.application.name, APPLICATION_KIND_LABELS[result.application.kind],
            "[green]oui[/green]" if result.admissible
            else f"[red]non ({len(result.violations)})[/red]",
            format_euros(result.threshold_revenue_cents),
            format_euros(result.abondement_revenue_cents), guarantee,
            f"[bold]{format_euros(result.allocation_cents)}[/bold]",
        )
    table.add_section()
    table.add_row("Total", "", "", "", "", "", "",
                  f"[bold]{format_euros(evaluation.allocated_cents)}[/bold]")
    return table


def _guarantee_table(results: list[ConsortiumResult]) -> Table:
    table = Table(title="Garantie des anciens Carnot 4 (FAQ-3.4 à 3.7)")
    table.add_column("Id")
    table.add_column("Condition")
    table.add_column("Verdict")
    for result in results:
        for verdict in result.guarantee.verdicts:
            table.add_row(result.id, f"[{verdict.rule}]", Text.assemble(
                (STATUS_MARKS[verdict.status], STATUS_STYLES[verdict.status]), " ",
                verdict.message))
    return table


def _contracts_table(evaluation: NationalEvaluation) -> Table:
    counts = contract_rule_counts(evaluation)
    table = Table(title="Contrats")
    table.add_column("Règle")
    table.add_column("Comptés", justify="right")
    table.add_column("Écartés", justify="right")
    for rule in sorted(set(counts["eligible"]) | set(counts["excluded"])):
        table.add_row(rule, str(counts["eligible"].get(rule, 0)),
                      str(counts["excluded"].get(rule, 0)))
    return table


def _parameters_table(evaluation: NationalEvaluation) -> Table:
    table = Table(title=f"Paramètres datés de l'appel {evaluation.call.year}")
    table.add_column("Paramètre")
    table.add_column("Valeur")
    table.add_column("Source")
    for parameter in evaluation.params.describe():
        value = parameter["value"]
        shown = "table" if isinstance(value, dict) else shown_value(value, evaluation.call.year)
        source = Text(shown_source(parameter))
        if "overridden_from" in parameter or parameter["source"] == "assumption":
            source.stylize("yellow")
        table.add_row(parameter["name"], shown, source)
    return table
