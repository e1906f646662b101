"""Reads: applications a user may see, the national call as rules-domain values, the panel."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, QuerySet

from carnot.accounts.models import Role
from carnot.accounts.permissions import role_of, sees_network
from carnot.applications.models import Application, ApplicationUnit
from carnot.registry.models import Call, Pui, Structure
from carnot.rules import domain
from carnot.rules.evaluation import admissibility_verdicts
from carnot.rules.verdicts import Status, Verdict

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

PANEL_CACHE_SECONDS = 15 * 60

RULES_NEEDING_REVENUE = (
    ("FAQ-2.19", "Seuil de 2,5 M€ de recettes abondables : vérifié quand les contrats de "
                 "recherche des unités seront saisis (registre des contrats)."),
    ("FAQ-2.22", "Assiettes (unités partagées comptées en entier pour le seuil, à 50/50 pour "
                 "l'abondement) : calculées avec le registre des contrats."),
)


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
    """Every application of ``call`` as rules-domain values, in a fixed number of queries."""
    declarations = ApplicationUnit.objects.select_related(
        "unit", "scientific_lead", "managing_tutelle", "shared_with").prefetch_related(
        Prefetch("tutelles", queryset=Structure.objects.only("code")))
    applications = (
        Application.objects.filter(call=call)
        .select_related("coordinator", "former_carnot")
        .prefetch_related(
            Prefetch("units", queryset=declarations),
            Prefetch("puis", queryset=Pui.objects.only("code")),
            "alignments",
            "signatures__structure", "signatures__signatory",
        )
    )
    structures = {structure.code: domain.Structure(
        structure.code, structure.name, domain.StructureKind(structure.kind),
        domain.StructureKind(structure.legal_form) if structure.legal_form else None,
        structure.siren or None, structure.region or None)
        for structure in Structure.objects.all()}
    puis = {pui.code: domain.Pui(
        pui.code, pui.name, frozenset(s.code for s in pui.founders.all()),
        frozenset(s.code for s in pui.partners.all()), pui.region or None)
        for pui in Pui.objects.prefetch_related("founders", "partners")}
    fte_year = call.parameters().fte_reference_year()
    return domain.NationalCall(
        year=call.year, structures=structures, puis=puis,
        applications=tuple(_to_domain(application, fte_year) for application in applications))


def _to_domain(application: Application, fte_year: int) -> domain.Application:
    units = tuple(
        domain.Unit(
            rnsr=declaration.unit.rnsr,
            tutelles=tuple(sorted(tutelle.code for tutelle in declaration.tutelles.all())),
            managing_tutelle=declaration.managing_tutelle.code,
            scientific_leads=(declaration.scientific_lead.full_name,)
            if declaration.scientific_lead else (),
            fte_by_year={fte_year: domain.UnitFte(
                declaration.permanent_researchers_fte, declaration.research_engineers_fte,
                declaration.research_engineers_do_research)}
            if declaration.permanent_researchers_fte is not None else {},
            name=declaration.unit.name,
            partial=declaration.partial,
            shared_with=declaration.shared_with.code if declaration.shared_with else None,
        )
        for declaration in application.units.all()
    )
    former = getattr(application, "former_carnot", None)
    return domain.Application(
        id=application.code, name=application.name,
        kind=domain.ApplicationKind(application.kind),
        coordinator=application.coordinator.code, units=units,
        puis=tuple(sorted(pui.code for pui in application.puis.all())),
        theme=application.theme or None,
        alignments=tuple(domain.Alignment(domain.AlignmentKind(a.kind), a.name)
                         for a in application.alignments.all()),
        signatures=tuple(domain.Signature(s.structure.code, s.signatory.full_name, s.empowered,
                                          s.signed_on) for s in application.signatures.all()),
        former_carnot=domain.FormerCarnotReference(
            perimeter_2019_fte={rnsr: Decimal(str(fte))
                                for rnsr, fte in former.perimeter_2019.items()},
            units_by_year={int(year): frozenset(units)
                           for year, units in former.units_by_year.items()},
            reference_abondement_cents=former.reference_abondement_cents,
        ) if former is not None else None,
        reference_fte=application.reference_fte,
    )


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
    every recorded change) or the call's parameters change."""
    latest = Application.objects.filter(call=call).aggregate(
        latest=Max("updated_at"), count=Count("pk"))
    stamp = latest["latest"].isoformat() if latest["latest"] else "-"
    overrides = hashlib.sha256(repr(sorted(call.parameter_overrides.items())).encode()).hexdigest()
    return f"{call.pk}:{latest['count']}:{stamp}:{overrides[:12]}"


def panels_for_call(*, call: Call) -> dict[str, list[PanelLine]]:
    """The admissibility panel of every application of the call, by application code: each
    rule's verdicts, national cross-checks included; revenue rules are not yet checkable.

    Computing them reads the whole call; the result is cached until the call's revision
    changes, so that pages and API stay fast however many applications there are.
    """
    key = f"carnot:panels:{call_revision(call=call)}"
    panels: dict[str, list[PanelLine]] | None = cache.get(key)
    if panels is None:
        verdicts = admissibility_verdicts(national_call(call=call), call.parameters())
        panels = {code: _panel(found) for code, found in verdicts.items()}
        cache.set(key, panels, timeout=PANEL_CACHE_SECONDS)
    return panels


def panel_for(*, application: Application) -> list[PanelLine]:
    return panels_for_call(call=application.call).get(application.code, [])


def _panel(verdicts: list[Verdict]) -> list[PanelLine]:
    by_rule: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in verdicts:
        by_rule[verdict.rule].append(verdict)
    for rule, message in RULES_NEEDING_REVENUE:
        by_rule[rule].append(Verdict(rule, Status.NOT_CHECKABLE, message))
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
