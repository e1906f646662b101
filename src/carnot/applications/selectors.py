"""Reads: applications a user may see, the national call as rules-domain values, the panel."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from carnot.accounts.models import Role
from carnot.accounts.permissions import role_of, sees_network
from carnot.applications.formatting import french_decimal, french_message
from carnot.applications.models import (
    Alignment,
    Application,
    ApplicationUnit,
    Signature,
)
from carnot.applications.workflow import TRANSITION_EVENTS
from carnot.applications.workflow import Status as WorkflowStatus
from carnot.audit.models import ADMIN_KINDS, AuditEvent, EventKind
from carnot.audit.selectors import admin_revision, application_events
from carnot.ledgers.selectors import declared_contracts, ledger_revision
from carnot.registry.models import Call, Pui, Structure, Unit
from carnot.rules import domain, sharing
from carnot.rules.admissibility import application_declares_a_unit
from carnot.rules.evaluation import ConsortiumResult, evaluate_call
from carnot.rules.parameters import CallParameters
from carnot.rules.perimeter import unit_research_fte
from carnot.rules.revenue import (
    abondement_base_explained,
    abondement_base_not_checkable_until_rules_met,
    bases_not_checkable_without_contracts,
    revenue_meets_eligibility_threshold,
    threshold_not_checkable_without_contracts,
)
from carnot.rules.verdicts import Status, Verdict
from carnot.scenario.loader import paused_gc

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

PANEL_REVISIONS_KEPT = 8
CONTRACT_PERIMETERS_KEPT = 2
_PANELS_BY_REVISION: OrderedDict[str, dict[str, list[PanelLine]]] = OrderedDict()
ContractPerimeter = tuple[int, str, int, tuple[int, ...]]
"""A call, the ledgers' revision, the admin's, the units the call declares."""
_CONTRACTS_BY_PERIMETER: OrderedDict[ContractPerimeter, tuple[domain.Contract, ...]] = OrderedDict()

def applications_visible_to(*, user: User | AnonymousUser,
                            call: Call | None = None) -> QuerySet[Application]:
    """Officers, administrators and the association see every application; a coordinator its
    own; a unit lead those that declare one of its units; anyone else none."""
    applications = Application.objects.select_related("call", "coordinator")
    if call is not None:
        applications = applications.filter(call=call)
    role = role_of(user)
    if sees_network(user):
        return applications
    if role is Role.COORDINATOR:
        return applications.filter(owners=user.pk)
    if role is Role.UNIT_LEAD:
        return applications.filter(units__unit__leads=user.pk).distinct()
    return applications.none()


def national_call(*, call: Call) -> domain.NationalCall:
    """Every application of ``call`` as rules-domain values, in a fixed number of queries.

    Read as rows (``values_list``), not model instances: a national call declares thousands of
    units, each with its tutelles, lead and signatures, and building model instances for them
    cost more than the queries (the allocation and every panel start here)."""
    in_call = {"application__call": call}
    tutelles: dict[int, list[str]] = defaultdict(list)
    for declaration, code in ApplicationUnit.tutelles.through.objects.filter(
            applicationunit__application__call=call).values_list(
            "applicationunit_id", "structure__code"):
        tutelles[declaration].append(code)
    fte_year = call.parameters().fte_reference_year()
    units: dict[int, list[domain.Unit]] = defaultdict(list)
    for (pk, application, rnsr, name, lead, managing, permanent, engineers, engineers_research,
         partial, shared_with) in ApplicationUnit.objects.filter(**in_call).order_by(
            "application", "unit__rnsr", "pk").values_list(
            "pk", "application_id", "unit__rnsr", "unit__name", "scientific_lead__full_name",
            "managing_tutelle__code", "permanent_researchers_fte", "research_engineers_fte",
            "research_engineers_do_research", "partial", "shared_with__code"):
        units[application].append(domain.Unit(
            rnsr=rnsr, tutelles=tuple(sorted(tutelles.get(pk, ()))), managing_tutelle=managing,
            scientific_leads=(lead,) if lead is not None else (),
            fte_by_year={fte_year: domain.UnitFte(permanent, engineers, engineers_research)}
            if permanent is not None else {},
            name=name, partial=partial, shared_with=shared_with))
    puis_of: dict[int, list[str]] = defaultdict(list)
    for application, code in Application.puis.through.objects.filter(
            application__call=call).values_list("application_id", "pui__code"):
        puis_of[application].append(code)
    alignments: dict[int, list[domain.Alignment]] = defaultdict(list)
    for application, kind, name in Alignment.objects.filter(**in_call).order_by(
            "kind", "name", "pk").values_list("application_id", "kind", "name"):
        alignments[application].append(domain.Alignment(domain.AlignmentKind(kind), name))
    signatures: dict[int, list[domain.Signature]] = defaultdict(list)
    for application, structure, signatory, empowered, signed_on in Signature.objects.filter(
            **in_call).order_by("application", "structure__name", "pk").values_list(
            "application_id", "structure__code", "signatory__full_name", "empowered",
            "signed_on"):
        signatures[application].append(domain.Signature(structure, signatory, empowered,
                                                        signed_on))
    applications = []
    for (pk, code, name, kind, coordinator, theme, reference_fte, former, perimeter,
         units_by_year, reference_abondement) in Application.objects.filter(
            call=call).order_by("code").values_list(
            "pk", "code", "name", "kind", "coordinator__code", "theme", "reference_fte",
            "former_carnot__pk", "former_carnot__perimeter_2019",
            "former_carnot__units_by_year", "former_carnot__reference_abondement_cents"):
        applications.append(domain.Application(
            id=code, name=name, kind=domain.ApplicationKind(kind), coordinator=coordinator,
            units=tuple(units.get(pk, ())), puis=tuple(sorted(puis_of.get(pk, ()))),
            theme=theme or None, alignments=tuple(alignments.get(pk, ())),
            signatures=tuple(signatures.get(pk, ())),
            former_carnot=domain.FormerCarnotReference(
                perimeter_2019_fte={rnsr: Decimal(str(fte)) for rnsr, fte in perimeter.items()},
                units_by_year={int(year): frozenset(rnsrs)
                               for year, rnsrs in (units_by_year or {}).items()},
                reference_abondement_cents=reference_abondement,
            ) if former is not None else None,
            reference_fte=reference_fte))
    return domain.NationalCall(year=call.year, structures=_structures(), puis=_puis(),
                               applications=tuple(applications))


def _structures() -> dict[str, domain.Structure]:
    return {code: domain.Structure(code, name, domain.StructureKind(kind),
                                   domain.StructureKind(legal_form) if legal_form else None,
                                   siren or None, region or None)
            for code, name, kind, legal_form, siren, region in Structure.objects.values_list(
                "code", "name", "kind", "legal_form", "siren", "region")}


def _puis() -> dict[str, domain.Pui]:
    founders: dict[int, set[str]] = defaultdict(set)
    for pui, code in Pui.founders.through.objects.values_list("pui_id", "structure__code"):
        founders[pui].add(code)
    partners: dict[int, set[str]] = defaultdict(set)
    for pui, code in Pui.partners.through.objects.values_list("pui_id", "structure__code"):
        partners[pui].add(code)
    return {code: domain.Pui(code, name, frozenset(founders.get(pk, ())),
                             frozenset(partners.get(pk, ())), region or None)
            for pk, code, name, region in Pui.objects.values_list("pk", "code", "name",
                                                                   "region")}


@dataclass(frozen=True)
class PanelLine:
    """One rule of the panel: its verdicts on this application, worst first."""

    rule: str
    status: Status
    verdicts: tuple[Verdict, ...]

    @property
    def anchor(self) -> str:
        return self.rule


STATUS_ORDER = {Status.FAILED: 0, Status.WARNING: 1, Status.NOT_CHECKABLE: 2, Status.PASSED: 3}


def call_revision(*, call: Call) -> str:
    """Changes whenever an application of the call changes (services touch ``updated_at`` on
    every recorded change), the call's parameters change, the contract ledgers change
    (``ledgers.selectors.ledger_revision``: imports, contracts and invoiced amounts), or anything
    is edited through the admin (``audit.selectors.admin_revision``: units, tutelles,
    declarations… edited there touch no application)."""
    latest = Application.objects.filter(call=call).aggregate(
        latest=Max("updated_at"), count=Count("pk"))
    stamp = latest["latest"].isoformat() if latest["latest"] else "-"
    overrides = hashlib.sha256(repr(sorted(call.parameter_overrides.items())).encode()).hexdigest()
    return (f"{call.pk}:{latest['count']}:{stamp}:{overrides[:12]}:{ledger_revision()}:"
            f"{admin_revision()}")


def panels_for_call(*, call: Call) -> dict[str, list[PanelLine]]:
    """The admissibility panel of every application of the call, by application code: each
    rule's verdicts, national cross-checks included, and the revenue rules computed from the
    contract ledgers — the 2,5 M€ threshold (FAQ-2.19) and the bases (FAQ-2.22) — as the
    allocation computes them (``evaluate_call`` on the call and its contracts). While no unit of
    an application has any contract in the ledgers, those two are « not yet checkable », not
    failed (docs/interpretations.md).

    Computing them reads the whole call; each process keeps the panels of the last few
    revisions in memory (not in Django's cache: unpickling thousands of verdicts on every hit
    cost as much as a page), so that pages and API stay fast however many applications there
    are. A new revision is computed on first use.
    """
    revision = call_revision(call=call)
    panels = _PANELS_BY_REVISION.get(revision)
    if panels is None:
        panels = _compute_panels(call)
        _PANELS_BY_REVISION[revision] = panels
        while len(_PANELS_BY_REVISION) > PANEL_REVISIONS_KEPT:
            _PANELS_BY_REVISION.popitem(last=False)
    return panels


def _compute_panels(call: Call) -> dict[str, list[PanelLine]]:
    params = call.parameters()
    # The collector paused as for an allocation: the call's contracts are 10⁵ objects.
    with paused_gc():
        contracts = _call_contracts(call)
        evaluation = evaluate_call(dataclasses.replace(national_call(call=call),
                                                       contracts=contracts), params)
        in_ledgers = {contract.unit for contract in contracts}
        panels = {result.id: _panel(_panel_verdicts(result, in_ledgers, params))
                  for result in evaluation.consortia}
        del contracts, evaluation
    return panels


def _call_contracts(call: Call) -> tuple[domain.Contract, ...]:
    """The call's contracts (``national_contracts``), read again only when the ledgers or the
    units the call declares change: editing an application's figures or signatures — what a
    panel refresh follows — re-evaluates the call without reading its 10⁵ contracts again."""
    units = tuple(sorted(set(ApplicationUnit.objects.filter(application__call=call)
                             .values_list("unit_id", flat=True))))
    key = (call.pk, ledger_revision(), admin_revision(), units)
    contracts = _CONTRACTS_BY_PERIMETER.get(key)
    if contracts is None:
        contracts = national_contracts(call=call)
        _CONTRACTS_BY_PERIMETER[key] = contracts
        while len(_CONTRACTS_BY_PERIMETER) > CONTRACT_PERIMETERS_KEPT:
            _CONTRACTS_BY_PERIMETER.popitem(last=False)
    return contracts


def _is_abondement_base(verdict: Verdict) -> bool:
    """The verdict of the abondement base (``revenue.abondement_base_explained``, FAQ-2.22)."""
    return verdict.check == abondement_base_explained.__name__


def _is_threshold(verdict: Verdict) -> bool:
    """The verdict of the 2,5 M€ threshold (``revenue.revenue_meets_eligibility_threshold``),
    among the other verdicts of FAQ-2.19 (one kind only, multi-tutelle…)."""
    return verdict.check == revenue_meets_eligibility_threshold.__name__


def _panel_verdicts(result: ConsortiumResult, in_ledgers: set[str],
                    params: CallParameters) -> list[Verdict]:
    """The consortium's verdicts as the evaluation gives them; the threshold and the bases not
    yet checkable when its units have no contract at all in the ledgers; the abondement base not
    yet checkable while the application is not admissible (it has none)."""
    application = result.application
    no_unit = application_declares_a_unit(application)
    verdicts = [*result.verdicts, *([] if no_unit is None else [no_unit])]
    if not application.unit_rnsrs() & in_ledgers:
        return [*(verdict for verdict in verdicts
                  if not _is_abondement_base(verdict) and not _is_threshold(verdict)),
                threshold_not_checkable_without_contracts(application, params),
                bases_not_checkable_without_contracts(application)]
    if not any(_is_abondement_base(verdict) for verdict in verdicts):
        verdicts.append(abondement_base_not_checkable_until_rules_met(
            application, result.threshold_revenue_cents, params))
    return verdicts


def forget_panels() -> None:
    """Drop the panels and contracts kept in memory (tests; after editing reference data by
    hand)."""
    _PANELS_BY_REVISION.clear()
    _CONTRACTS_BY_PERIMETER.clear()


def panel_for(*, application: Application) -> list[PanelLine]:
    return panels_for_call(call=application.call).get(application.code, [])


def _panel(verdicts: list[Verdict]) -> list[PanelLine]:
    """The verdicts grouped by rule, worst first; their figures in French (``20,5`` ETP)."""
    by_rule: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        by_rule[verdict.rule].append(french_message(verdict))
    lines = []
    for rule, found in by_rule.items():
        ordered = tuple(sorted(found, key=lambda v: STATUS_ORDER[v.status]))
        lines.append(PanelLine(rule, ordered[0].status, ordered))
    return sorted(lines, key=lambda line: (STATUS_ORDER[line.status], _rule_order(line.rule)))


def blocking_failures(panel: list[PanelLine]) -> list[Verdict]:
    return [verdict for line in panel for verdict in line.verdicts if verdict.failed]


def _rule_order(rule: str) -> tuple[int, ...]:
    digits = [int(part) for part in rule.replace("FAQ-", "").replace("INT-", "99.").split(".")
              if part.isdigit()]
    return tuple(digits)


# Reads for the web pages (detail, history, national view and its cross-checks).


def latest_call() -> Call | None:
    """The call of the most recent year (the default of the national view)."""
    return Call.objects.order_by("-year").first()


def calls_by_year() -> QuerySet[Call]:
    return Call.objects.order_by("-year")


def declarations_of(*, application: Application) -> QuerySet[ApplicationUnit]:
    """The units declared by ``application``, with everything the units table shows."""
    return (ApplicationUnit.objects.filter(application=application)
            .select_related("unit", "scientific_lead", "managing_tutelle", "shared_with")
            .prefetch_related(Prefetch("tutelles", queryset=Structure.objects.order_by("name")),
                              "teams")
            .order_by("unit__rnsr"))


def signatures_by_structure(*, application: Application) -> dict[int, Signature]:
    """The recorded signatures of the commitment document, by structure id."""
    return {signature.structure_id: signature for signature in
            Signature.objects.filter(application=application).select_related("signatory")}


@dataclass(frozen=True)
class ApplicationFigures:
    """What the detail page sums up about an application's perimeter (FAQ-2.13 to 2.17)."""

    units: int
    research_fte: Decimal
    units_without_fte: int
    shared_units: int
    partial_units: int
    fte_year: int


def application_figures(*, application: Application,
                        declarations: Iterable[ApplicationUnit]) -> ApplicationFigures:
    """Research FTE as the rules count them: permanent researchers, plus research engineers
    only when they do research (FAQ-2.13, FAQ-2.16); units without a figure are counted apart."""
    units = list(declarations)
    declared = [d for d in units if d.permanent_researchers_fte is not None]
    total = sum((unit_research_fte(domain.UnitFte(
        d.permanent_researchers_fte or Decimal(0), d.research_engineers_fte,
        d.research_engineers_do_research)) for d in declared), Decimal(0))
    return ApplicationFigures(
        units=len(units), research_fte=total, units_without_fte=len(units) - len(declared),
        shared_units=sum(1 for d in units if d.shared_with_id is not None),
        partial_units=sum(1 for d in units if d.partial),
        fte_year=application.call.parameters().fte_reference_year())


@dataclass(frozen=True)
class TransitionEntry:
    """A status change read from the audit log: who, when, why."""

    source: str
    target: str
    by: User | None
    at: datetime
    reason: str

    @classmethod
    def of(cls, event: AuditEvent) -> TransitionEntry:
        return cls(source=(event.before or {})["status"], target=(event.after or {})["status"],
                   by=event.acting_user, at=event.at, reason=event.reason)


@dataclass(frozen=True)
class ChangeEntry:
    """A change to an application's figures read from the audit log: who, when, old → new
    (as recorded: field names, values as text)."""

    subject: str
    field: str
    old: str
    new: str
    by: User | None
    at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an application's history page: a status change or a change of its
    figures, in French."""

    at: datetime
    by: str
    subject: str
    field: str
    old: str
    new: str
    reason: str = ""


TRANSITION_KINDS = frozenset(TRANSITION_EVENTS.values())
CHANGE_KINDS = frozenset({
    EventKind.APPLICATION_CREATED, EventKind.APPLICATION_CHANGED, EventKind.UNIT_DECLARED,
    EventKind.UNIT_CHANGED, EventKind.UNIT_REMOVED, EventKind.SIGNATURE_RECORDED,
    EventKind.SIGNATURE_REMOVED, *ADMIN_KINDS})
APPLICATION = "candidature"
"""The subject of the history lines on the application itself."""


def _history_events(application: Application) -> list[AuditEvent]:
    return list(application_events(application_code=application.code,
                                   call_year=application.call.year,
                                   kinds=TRANSITION_KINDS | CHANGE_KINDS))


def _recorded(value: Any) -> str:
    """A value of an event as the history shows it: several joined, nothing as ``""``."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _field_changes(event: AuditEvent, subject: str) -> list[tuple[str, str, str, str]]:
    before, after = event.before or {}, event.after or {}
    return [(subject, field, _recorded(before.get(field)), _recorded(after.get(field)))
            for field in sorted(set(before) | set(after))]


def _change_lines(event: AuditEvent) -> list[tuple[str, str, str, str]]:
    """(subject, field, old, new) of each line an event shows in the history."""
    before, after = event.before or {}, event.after or {}
    kind = event.kind
    if kind == EventKind.APPLICATION_CREATED:
        return [(APPLICATION, "création", "", after["name"])]
    if kind == EventKind.APPLICATION_CHANGED:
        return _field_changes(event, APPLICATION)
    if kind == EventKind.UNIT_DECLARED:
        return [(event.object_label, "ajout", "", after["rnsr"])]
    if kind == EventKind.UNIT_CHANGED:
        return _field_changes(event, event.object_label)
    if kind == EventKind.UNIT_REMOVED:
        return [(event.object_label, "retrait", before["rnsr"], "")]
    if kind == EventKind.SIGNATURE_RECORDED:
        return [(event.object_label, "signataire", before.get("signatory", ""),
                 after["signatory"])]
    if kind == EventKind.SIGNATURE_REMOVED:
        return [(event.object_label, "retrait", before["signatory"], "")]
    subject = f"administration : {event.object_label}"
    if kind == EventKind.ADMIN_ADDED:
        return [(subject, "ajout", "", "")]
    if kind == EventKind.ADMIN_DELETED:
        return [(subject, "suppression", "", "")]
    return _field_changes(event, subject)  # admin.changed


def application_transitions(*, application: Application) -> list[TransitionEntry]:
    """The application's status changes, oldest first."""
    return [TransitionEntry.of(event) for event in _history_events(application)
            if event.kind in TRANSITION_KINDS]


def application_changes(*, application: Application) -> list[ChangeEntry]:
    """The changes to the application's figures, units and signatures (its services' and
    the admin's), newest first."""
    return [ChangeEntry(*line, by=event.acting_user, at=event.at)
            for event in reversed(_history_events(application))
            if event.kind in CHANGE_KINDS for line in _change_lines(event)]


def application_history(*, application: Application) -> list[HistoryEntry]:
    """Status changes and changes of figures, newest first: who, when, old → new, in French
    (one query)."""
    entries = []
    for event in reversed(_history_events(application)):
        by = _who(event.acting_user)
        if event.kind in TRANSITION_KINDS:
            transition = TransitionEntry.of(event)
            entries.append(HistoryEntry(event.at, by, "statut", "transition",
                                        _status_label(transition.source),
                                        _status_label(transition.target), event.reason))
            continue
        entries += [HistoryEntry(event.at, by, subject, _field_label(field),
                                 _shown(field, old), _shown(field, new))
                    for subject, field, old, new in _change_lines(event)]
    return entries


def _who(user: User | None) -> str:
    if user is None:
        return "système"
    return user.get_full_name() or user.username


def _status_label(value: str) -> str:
    return str(WorkflowStatus(value).label)


def _model_field(name: str) -> models.Field[Any, Any] | models.ForeignObjectRel | None:
    for model in (ApplicationUnit, Application):
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def _field_label(name: str) -> str:
    """The French name of a recorded field (services record the model's field names)."""
    field = _model_field(name)
    return str(getattr(field, "verbose_name", name)) if field is not None else name


def _shown(name: str, value: str) -> str:
    """A recorded value as the pages show it: « oui »/« non », a choice's label, figures in
    French (``12,5``, not ``12.50``)."""
    field = _model_field(name)
    if isinstance(field, models.BooleanField) and value in {"True", "False"}:
        return "oui" if value == "True" else "non"
    if isinstance(field, models.DecimalField) and value:
        try:
            return french_decimal(Decimal(value))
        except ArithmeticError:
            return value
    if isinstance(field, models.Field) and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return value


@dataclass(frozen=True)
class NationalRow:
    """One application in the national table: its panel summed up."""

    application: Application
    units: int
    failures: int
    failed_rules: tuple[str, ...]
    warnings: int


def national_rows(*, call: Call, panels: dict[str, list[PanelLine]], kind: str = "",
                  status: str = "", only_failures: bool = False) -> list[NationalRow]:
    """Every application of ``call`` (filtered by kind, status, failures) with its number of
    units and its failed rules, in one query whatever the number of applications."""
    applications = (Application.objects.filter(call=call).select_related("call", "coordinator")
                    .annotate(unit_count=Count("units")).order_by("code"))
    if kind:
        applications = applications.filter(kind=kind)
    if status:
        applications = applications.filter(status=status)
    rows = []
    for application in applications:
        panel = panels.get(application.code, [])
        failed = blocking_failures(panel)
        row = NationalRow(
            application=application, units=application.unit_count, failures=len(failed),
            failed_rules=tuple(line.rule for line in panel if line.status is Status.FAILED),
            warnings=sum(1 for line in panel if line.status is Status.WARNING))
        if row.failures or not only_failures:
            rows.append(row)
    return rows


class CrossCheckKind(models.TextChoices):
    """The national cross-checks on units, each from the sharing rules (rules/sharing.py)."""

    TWO_THEMATIC = "two_thematic", "Unité dans deux consortiums thématiques"
    MORE_THAN_TWO = "more_than_two", "Unité dans plus de deux candidatures"
    FORBIDDEN_SHARING = "forbidden_sharing", "Partage non admis"
    ONE_SIDE = "one_side", "Partage déclaré d'un seul côté"
    FTE_DIFFER = "fte_differ", "ETP différents entre les deux déclarations"


SHARING_RULES = frozenset({"FAQ-2.17", "FAQ-2.21", "FAQ-2.23", "FAQ-2.24", "FAQ-2.26"})


@dataclass(frozen=True)
class CrossCheck:
    """A failed cross-application verdict on one unit."""

    kind: CrossCheckKind
    rule: str
    applications: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class UnitCrossChecks:
    rnsr: str
    unit_name: str
    checks: tuple[CrossCheck, ...]


def national_cross_checks(*, panels: dict[str, list[PanelLine]]) -> list[UnitCrossChecks]:
    """The failed verdicts of the sharing rules whose subject is a unit (RNSR), once each
    however many applications they appear in, grouped by unit."""
    found: dict[tuple[str, str, str], tuple[Verdict, set[str]]] = {}
    for code, panel in panels.items():
        for line in panel:
            if line.rule not in SHARING_RULES:
                continue
            for verdict in line.verdicts:
                if not verdict.failed or not verdict.subject or verdict.subject in panels:
                    continue
                key = (verdict.rule, verdict.subject, verdict.message)
                found.setdefault(key, (verdict, set()))[1].add(code)
    by_unit: dict[str, list[CrossCheck]] = defaultdict(list)
    for verdict, codes in found.values():
        named = verdict.figures.get("candidatures", ())
        applications = tuple(sorted(codes | {str(code) for code in named}))
        by_unit[verdict.subject].append(
            CrossCheck(_cross_check_kind(verdict), verdict.rule, applications, verdict.message))
    names = dict(Unit.objects.filter(rnsr__in=by_unit).values_list("rnsr", "name"))
    return [UnitCrossChecks(rnsr, names.get(rnsr, ""),
                            tuple(sorted(checks, key=lambda c: (c.kind.value, c.message))))
            for rnsr, checks in sorted(by_unit.items())]


CROSS_CHECK_KINDS = {
    sharing.unit_in_at_most_one_thematic_consortium.__name__: CrossCheckKind.TWO_THEMATIC,
    sharing.declared_sharing_matches_a_partner.__name__: CrossCheckKind.ONE_SIDE,
    sharing.shared_unit_declared_on_both_sides.__name__: CrossCheckKind.ONE_SIDE,
    sharing.shared_unit_has_one_fte_total.__name__: CrossCheckKind.FTE_DIFFER,
    sharing.unit_in_at_most_two_applications.__name__: CrossCheckKind.MORE_THAN_TWO,
}
"""The kind of each failed sharing check, by the check's name; any other is a forbidden
sharing."""


def _cross_check_kind(verdict: Verdict) -> CrossCheckKind:
    return CROSS_CHECK_KINDS.get(verdict.check, CrossCheckKind.FORBIDDEN_SHARING)


def application_list_for(*, user: User | AnonymousUser) -> QuerySet[Application]:
    """The applications ``user`` may see, newest call first, each with its number of declared
    units (counted apart, so that a unit lead's filter on units does not restrict the count)."""
    unit_count = (ApplicationUnit.objects.filter(application=OuterRef("pk"))
                  .order_by().values("application").annotate(count=Count("pk")).values("count"))
    return (applications_visible_to(user=user)
            .annotate(unit_count=Coalesce(Subquery(unit_count), 0))
            .order_by("-call__year", "code"))


def national_contracts(*, call: Call) -> tuple[domain.Contract, ...]:
    """The contracts of every unit declared in the call's applications, as the rules read them
    (for the panels and the allocation), ordered by unit and reference. Two queries."""
    return declared_contracts(
        units=ApplicationUnit.objects.filter(application__call=call).values("unit_id"))
