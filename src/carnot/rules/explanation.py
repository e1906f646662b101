"""Why a consortium got its amount, in French, from a stored evaluation.

An allocation run keeps its results as the JSON document of ``evaluation_as_dict`` (without the
per-contract list): every consortium with its verdicts, guarantee, figures and trace. That is
enough to explain a result long after the run, without evaluating again (the inputs may have
changed since): ``explain_stored_consortium(results, code)`` gives the structured explanation a
page, a letter or the API shows, and ``Explanation.as_text()`` is the very text of
``explain_consortium`` (``carnot evaluate --explain``) for the same evaluation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from carnot.rules.evaluation import _describe_contract_counts, shown_source, shown_value
from carnot.rules.money import format_euros
from carnot.rules.perimeter import percent
from carnot.rules.spending import AgreementPeriod, agreement_sentence, spending_window_sentence
from carnot.rules.verdicts import STATUS_MARKS, Status, count

FORMER_CARNOT = "former_carnot"

FIGURE_LABELS = {
    "abondement_reference_cents": "abondement de référence",
    "abondement_revenue_cents": "assiette de l'abondement",
    "allocation_cents": "abondement attribué",
    "annee": "année",
    "annees": "années",
    "assiette_cents": "assiette",
    "assiette_precedente_cents": "assiette de l'année précédente",
    "at_floor": "servi au plancher",
    "au_plancher": "consortiums au plancher",
    "bonus_cents": "bonus de performance",
    "ca_ecarte": "CA écarté par les critères de l'appel",
    "ca_retenu": "CA retenu",
    "ca_teste_cents": "CA de l'année testée",
    "candidature": "candidature",
    "candidatures": "candidatures",
    "croissance_cents": "croissance",
    "dont_ingenieurs": "dont ingénieurs (ETP)",
    "doublons": "unités déclarées deux fois",
    "enveloppe_cents": "enveloppe",
    "etp_2019": "ETP du périmètre 2019",
    "etp_courant": "ETP actuels",
    "etp_perimetre": "ETP du périmètre",
    "etp_reference": "ETP de référence",
    "forme_juridique": "forme juridique",
    "guaranteed_floor_cents": "plancher garanti",
    "hors_pui": "hors du PUI",
    "incompletes": "unités incomplètes",
    "manquantes": "signatures manquantes",
    "montant_garanti_cents": "montant garanti",
    "moyenne_reference_cents": "moyenne des années de référence",
    "nature": "nature juridique",
    "non_habilitees": "signatures non habilitées",
    "non_reparti_cents": "non réparti",
    "part_bonus_cents": "part du bonus de performance",
    "part_maintenue": "part du périmètre maintenue",
    "part_prorata_cents": "part au prorata",
    "partage_declare": "partage déclaré avec",
    "partagees": "unités partagées",
    "parts_cents": "part de chaque unité",
    "perimeter_fte": "ETP du périmètre",
    "planchers_cents": "planchers garantis",
    "pro_rata_cents": "part au prorata",
    "pui": "PUI",
    "puis": "PUI",
    "ratio": "rapport",
    "ratios": "rapport par année",
    "recettes_seuil_cents": "recettes abondables (seuil)",
    "regions": "régions",
    "reste_cents": "reste",
    "sans_etp": "unités sans ETP",
    "seuil_cents": "seuil",
    "signatures_valides": "signatures valides",
    "spend_by": "utilisable jusqu'au",
    "threshold_revenue_cents": "assiette du seuil",
    "transition": "années de transition",
    "tutelles": "tutelles",
    "tutelles_requises": "tutelles signataires requises",
    "unites": "unités",
    "unites_communes": "unités communes",
    "unites_reference": "unités du périmètre de référence",
}
"""French labels of the figures the rules put in their verdicts and traces (others: the key)."""

MONEY_TABLES = frozenset({"ca_retenu", "ca_ecarte"})
"""Figures whose values are cents although their key does not end in ``_cents``."""

_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UnknownConsortium(KeyError):
    """The stored results list no consortium with this code."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure behind a verdict or an amount: its key, French label and French value."""

    name: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Step:
    """One verdict of the trace: rule id, status (``passed``, ``failed``, ``warning``,
    ``not_checkable``), its mark (✔ ✘ ! ?), subject, French message and figures."""

    rule: str
    status: str
    mark: str
    subject: str
    message: str
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, slots=True)
class ParameterRead:
    """A dated parameter the consortium's rules read: value and source as a person reads them;
    ``overridden`` when the call or the run replaced the parameter file's value."""

    name: str
    value: str
    source: str
    note: str
    overridden: bool


@dataclass(frozen=True, slots=True)
class GuaranteeExplanation:
    """The guarantee of a former Carnot 4 (FAQ-2.19, 3.4–3.7): each condition with its figures,
    the verdict and the guaranteed floor."""

    applies: bool
    amount_cents: int
    conditions: tuple[Step, ...]
    failed_rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """One consortium's result explained: the summary a person reads first (admissibility,
    guarantee, amount, agreement, spending window, contracts), then every rule applied, the
    parameters read and the figures behind the amount."""

    code: str
    name: str
    kind: str
    admissible: bool
    allocation_cents: int
    summary: tuple[str, ...]
    violations: tuple[Step, ...]
    warnings: tuple[Step, ...]
    guarantee: GuaranteeExplanation | None
    """``None`` when the guarantee was not examined (not a former Carnot 4)."""
    steps: tuple[Step, ...]
    allocation_steps: tuple[Step, ...]
    parameters: tuple[ParameterRead, ...]
    figures: tuple[Figure, ...]
    raw_figures: tuple[tuple[str, Any], ...]
    call_year: int

    def as_text(self) -> str:
        """The explanation as plain French text (exactly ``explain_consortium``'s)."""
        lines = [f"{self.code} — {self.name}", *self.summary, "", "Règles appliquées :"]
        lines += [f"  {step.mark} [{step.rule}] {step.message}"
                  for step in (*self.steps, *self.allocation_steps)]
        lines += ["", "Paramètres lus :"]
        lines += [f"  {parameter.name} = {parameter.value} (source : {parameter.source})"
                  for parameter in self.parameters]
        lines += ["", "Chiffres :"]
        for name, value in self.raw_figures:
            euros = (f" ({format_euros(value)})"
                     if name.endswith("_cents") and isinstance(value, int) else "")
            lines.append(f"  {name} = {shown_value(value, self.call_year)}{euros}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """The explanation as JSON data (for the API)."""
        return {
            "code": self.code, "name": self.name, "kind": self.kind,
            "admissible": self.admissible, "allocation_cents": self.allocation_cents,
            "summary": list(self.summary),
            "violations": [_step_dict(step) for step in self.violations],
            "warnings": [_step_dict(step) for step in self.warnings],
            "guarantee": None if self.guarantee is None else {
                "applies": self.guarantee.applies,
                "amount_cents": self.guarantee.amount_cents,
                "failed_rules": list(self.guarantee.failed_rules),
                "conditions": [_step_dict(step) for step in self.guarantee.conditions]},
            "steps": [_step_dict(step) for step in self.steps],
            "allocation_steps": [_step_dict(step) for step in self.allocation_steps],
            "parameters": [{"name": p.name, "value": p.value, "source": p.source,
                            "note": p.note, "overridden": p.overridden}
                           for p in self.parameters],
            "figures": [{"name": f.name, "label": f.label, "value": f.value}
                        for f in self.figures],
            "text": self.as_text(),
        }


def _step_dict(step: Step) -> dict[str, Any]:
    return {"rule": step.rule, "status": step.status, "subject": step.subject,
            "message": step.message,
            "figures": [{"name": f.name, "label": f.label, "value": f.value}
                        for f in step.figures]}


def stored_consortium(results: Mapping[str, Any], code: str) -> Mapping[str, Any]:
    """The stored result of one consortium; ``UnknownConsortium`` if the results have none."""
    for consortium in results.get("consortia", ()):
        if consortium.get("id") == code:
            found: Mapping[str, Any] = consortium
            return found
    raise UnknownConsortium(code)


def explain_stored_consortium(results: Mapping[str, Any], code: str) -> Explanation:
    """Explain consortium ``code`` from stored results (``evaluation_as_dict``'s document, with
    or without its ``contracts``). Raises ``UnknownConsortium`` when it is not in them."""
    consortium = stored_consortium(results, code)
    call_year = int(results["call_year"])
    trace: Mapping[str, Any] = consortium.get("trace", {})
    steps = tuple(_step(step) for step in trace.get("steps", ()))
    allocation_steps = tuple(_step(step) for step in trace.get("allocation_steps", ()))
    parameters = list(trace.get("parameters", ()))
    guarantee = _guarantee(consortium, steps)
    allocation_cents = int(consortium["allocation_cents"])

    violations = tuple(_plain_step(entry, Status.FAILED) for entry in consortium["violations"])
    warnings = tuple(_plain_step(entry, Status.WARNING)
                     for entry in consortium.get("warnings", ()))
    admissible = "oui" if consortium["admissible"] else (
        f"non ({count(len(violations), 'violation')})")
    if warnings:
        admissible += f" ({count(len(warnings), 'avertissement')})"
    summary = [f"Recevable : {admissible}"]
    if guarantee is not None:
        summary.append("Abondement garanti (Carnot 4) : " + (
            format_euros(guarantee.amount_cents) if guarantee.applies
            else f"non ({', '.join(guarantee.failed_rules)})"))
    summary.append(f"Abondement : {format_euros(allocation_cents)}")
    if allocation_cents:
        summary.append(_agreement(results, parameters))
        if consortium.get("spend_by"):
            summary.append(spending_window_sentence(
                call_year, date.fromisoformat(str(consortium["spend_by"]))))
    counts = trace.get("contracts_by_rule", {"eligible": {}, "excluded": {}})
    summary.append(f"Contrats des unités : {_describe_contract_counts(counts)}")

    raw_figures = tuple(trace.get("figures", {}).items())
    return Explanation(
        code=code, name=str(consortium.get("name", "")), kind=str(consortium.get("kind", "")),
        admissible=bool(consortium["admissible"]), allocation_cents=allocation_cents,
        summary=tuple(summary), violations=violations, warnings=warnings,
        guarantee=guarantee, steps=steps, allocation_steps=allocation_steps,
        parameters=tuple(
            ParameterRead(name=str(parameter["name"]),
                          value=shown_value(parameter["value"], call_year),
                          source=shown_source(parameter), note=str(parameter.get("note", "")),
                          overridden="overridden_from" in parameter)
            for parameter in parameters),
        figures=tuple(figure(name, value) for name, value in raw_figures),
        raw_figures=raw_figures, call_year=call_year)


def _step(step: Mapping[str, Any]) -> Step:
    status = Status(step["status"])
    return Step(rule=str(step["rule"]), status=status.value, mark=STATUS_MARKS[status],
                subject=str(step.get("subject", "")), message=str(step["message"]),
                figures=tuple(figure(name, value)
                              for name, value in step.get("figures", {}).items()))


def _plain_step(entry: Mapping[str, Any], status: Status) -> Step:
    return Step(rule=str(entry["rule"]), status=status.value, mark=STATUS_MARKS[status],
                subject="", message=str(entry["message"]))


def _guarantee(consortium: Mapping[str, Any],
               steps: Sequence[Step]) -> GuaranteeExplanation | None:
    """The guarantee when it was examined: its verdicts are in the consortium's trace (a former
    Carnot 4 with its 2019 reference), each condition with the figures the trace kept."""
    stored = consortium.get("guarantee") or {}
    reasons = stored.get("reasons", ())
    traced = {(step.rule, step.status, step.message): step for step in steps}
    conditions = []
    for reason in reasons:
        step = traced.get((str(reason["rule"]), str(reason["status"]), str(reason["message"])))
        if step is None:
            return None
        conditions.append(step)
    if not conditions:
        return None
    failed_rules = tuple(sorted({step.rule for step in conditions
                                 if step.status != Status.PASSED.value}))
    return GuaranteeExplanation(applies=bool(stored.get("applies")),
                                amount_cents=int(stored.get("amount_cents", 0)),
                                conditions=tuple(conditions), failed_rules=failed_rules)


def _agreement(results: Mapping[str, Any], parameters: Sequence[Mapping[str, Any]]) -> str:
    agreement = results["agreement"]
    years = next((int(parameter["value"]) for parameter in parameters
                  if parameter["name"] == "agreement_duration_years"), None)
    starts_on = date.fromisoformat(str(agreement["starts_on"]))
    ends_on = date.fromisoformat(str(agreement["ends_on"]))
    if years is None:
        years = ends_on.year - starts_on.year + 1
    return agreement_sentence(AgreementPeriod(starts_on, ends_on, bool(agreement["renewable"])),
                              years)


# --- figures as a person reads them ----------------------------------------------------------

def figure(name: str, value: Any) -> Figure:
    """A figure of the trace in French: amounts in euros, ratios as percentages, decimals with
    a comma, dates as JJ/MM/AAAA, lists joined, tables as « clé : valeur » pairs."""
    money = name.endswith("_cents") or name in MONEY_TABLES
    label = FIGURE_LABELS.get(name, name.removesuffix("_cents").replace("_", " "))
    return Figure(name=name, label=label, value=shown_figure(value, money=money))


def shown_figure(value: Any, *, money: bool = False) -> str:
    """One figure's value in French (``money``: integer cents shown in euros)."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return "—"
    if isinstance(value, int):
        return format_euros(value) if money else str(value)
    if isinstance(value, Mapping):
        if not value:
            return "—"
        return " ; ".join(f"{key} : {shown_figure(item, money=money)}"
                          for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(shown_figure(item, money=money) for item in value) if value else "—"
    text = str(value)
    if _ISO_DATE.match(text):
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    fraction = _FRACTION.match(text)
    if fraction and int(fraction.group(2)):
        return percent(Fraction(int(fraction.group(1)), int(fraction.group(2))))
    if _DECIMAL.match(text):
        whole, _, decimals = text.partition(".")
        decimals = decimals.rstrip("0")
        return f"{whole},{decimals}" if decimals else whole
    return text

