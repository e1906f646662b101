"""Admissibility and eligibility checks of one application (FAQ-2.1 to FAQ-2.27).

One function per rule, each returning verdicts. Checks that need the other applications of
the call (shared units, coexistence on a territory) live in ``sharing.py``.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from carnot.rules.domain import Application, ApplicationKind, NationalCall, Pui, Unit
from carnot.rules.membership import structure_may_be_member, structure_may_coordinate
from carnot.rules.parameters import CallParameters
from carnot.rules.perimeter import perimeter_fte
from carnot.rules.verdicts import (
    Verdict,
    count,
    failed,
    not_checkable,
    passed,
    warning,
    with_exception,
)

RNSR_PATTERN = re.compile(r"^(\d{4})\d{5}[A-Z]$")

APPLICATION_KIND_LABELS = {
    ApplicationKind.TERRITORIAL: "territorial",
    ApplicationKind.THEMATIC: "thématique national",
    ApplicationKind.FORMER_CARNOT: "ancien Carnot (Carnot 4)",
}


def rnsr_is_well_formed(rnsr: str) -> bool:
    """FAQ-2.18: an RNSR number is nine digits, the first four a year, and an upper-case letter."""
    match = RNSR_PATTERN.match(rnsr)
    return match is not None and 1900 <= int(match.group(1)) <= 2099


def unit_belongs_to_pui(unit: Unit, pui: Pui) -> bool:
    """A unit is in a PUI when one of its tutelles is a founder or partner of it (FAQ-2.3)."""
    return any(tutelle in pui.members for tutelle in unit.tutelles)


def application_is_of_one_kind(application: Application) -> Verdict:
    """FAQ-2.19: no hybrid — territorial on a PUI, thematic national, or former Carnot 4."""
    kind = application.kind
    problems = []
    if kind is ApplicationKind.TERRITORIAL and application.former_carnot is not None:
        problems.append("un consortium territorial ne peut pas garder les prérogatives Carnot 4")
    if kind is ApplicationKind.THEMATIC and (application.puis or application.former_carnot):
        problems.append("un consortium thématique ne s'appuie ni sur un PUI ni sur un label "
                        "Carnot 4")
    if kind is ApplicationKind.FORMER_CARNOT:
        if application.former_carnot is None:
            problems.append("un ancien Carnot doit avoir été labellisé à l'appel 2019 (Carnot 4)")
        if application.puis:
            problems.append("un ancien Carnot ne se déclare pas sur un PUI")
    label = APPLICATION_KIND_LABELS[kind]
    if problems:
        return failed("FAQ-2.19", f"Candidature hybride ({label}) : " + " ; ".join(problems) + ".",
                      subject=application.id)
    return passed("FAQ-2.19", f"Candidature d'un seul type : {label}.", subject=application.id)


def former_carnot_within_transition(application: Application, params: CallParameters) -> Verdict:
    """FAQ-2.1: former Carnot 4 institutes (single-tutelle ones included) may apply as such only
    during the three-year transition."""
    tutelles = {tutelle for unit in application.units for tutelle in unit.tutelles}
    single = len(tutelles) == 1
    details = {"subject": application.id, "parameters": ("transition_years",),
               "figures": {"tutelles": len(tutelles), "transition": params.transition_years()}}
    who = "Ancien Carnot mono-tutelle" if single else "Ancien Carnot"
    if params.in_transition():
        return passed("FAQ-2.1", f"{who} : admis par dérogation pendant la transition "
                      f"({params.year} ∈ {_years(params.transition_years())}).", **details)
    return failed("FAQ-2.1", f"{who} : la période de transition "
                  f"({_years(params.transition_years())}) est terminée ; il doit devenir "
                  "territorial ou thématique multi-tutelles.", **details)


def thematic_is_multi_tutelle(application: Application) -> Verdict:
    """FAQ-2.19: a thematic national consortium is multi-tutelle."""
    tutelles = sorted({tutelle for unit in application.units for tutelle in unit.tutelles})
    details = {"subject": application.id, "figures": {"tutelles": tutelles}}
    if len(tutelles) >= 2:
        return passed("FAQ-2.19", f"Consortium thématique multi-tutelles ({len(tutelles)} "
                      "tutelles).", **details)
    return failed("FAQ-2.19", "Un consortium thématique national doit être multi-tutelles "
                  f"(une seule tutelle : {', '.join(tutelles) or 'aucune'}).", **details)


def thematic_may_span_territories(application: Application, call: NationalCall) -> Verdict:
    """FAQ-2.2, FAQ-2.27: a thematic consortium is national; any number of regions is allowed."""
    regions = sorted({
        region
        for unit in application.units for tutelle in unit.tutelles
        if (region := call.structures[tutelle].region)
    })
    return passed(
        "FAQ-2.2",
        f"Consortium thématique national : "
        f"{count(len(regions), 'région représentée', 'régions représentées')}, sans limite.",
        subject=application.id, figures={"regions": regions},
    )


def thematic_theme_is_justified(application: Application) -> Verdict:
    """FAQ-2.27: the theme is free but must be justified by SNA, PEPR and/or CSF alignment."""
    details = {"subject": application.id, "figures": {
        "theme": application.theme,
        "alignements": [f"{a.kind.value} {a.name}" for a in application.alignments]}}
    if not application.theme:
        return failed("FAQ-2.27", "La thématique du consortium n'est pas renseignée.", **details)
    if not application.alignments:
        return failed("FAQ-2.27", f"La thématique « {application.theme} » n'est justifiée par "
                      "aucun alignement (SNA, PEPR ou CSF).", **details)
    return passed("FAQ-2.27", f"Thématique « {application.theme} » justifiée par "
                  f"{count(len(application.alignments), 'alignement')}.", **details)


def territorial_on_exactly_one_pui(application: Application, call: NationalCall) -> Verdict:
    """FAQ-2.4: a territorial consortium is built on one PUI and only one."""
    puis = list(application.puis)
    details = {"subject": application.id, "figures": {"puis": puis}}
    if len(puis) == 1 and puis[0] in call.puis:
        return passed("FAQ-2.4", f"Consortium territorial sur un seul PUI : "
                      f"« {call.puis[puis[0]].name} ».", **details)
    if not puis:
        return failed("FAQ-2.4", "Un consortium territorial doit s'appuyer sur un PUI.", **details)
    return failed("FAQ-2.4", f"Un consortium territorial s'appuie sur un seul PUI "
                  f"({len(puis)} déclarés : {', '.join(puis)}).", **details)


def territorial_units_inside_pui(application: Application, call: NationalCall) -> Verdict:
    """FAQ-2.3: every unit of a territorial consortium belongs to its PUI (founder or partner);
    the consortium need not take every unit of the PUI."""
    if len(application.puis) != 1 or application.puis[0] not in call.puis:
        return not_checkable("FAQ-2.3", "Appartenance des unités au PUI non vérifiable sans un "
                             "PUI unique (voir FAQ-2.4).", subject=application.id)
    pui = call.puis[application.puis[0]]
    outside = [unit.rnsr for unit in application.units if not unit_belongs_to_pui(unit, pui)]
    details = {"subject": application.id, "figures": {"pui": pui.id, "hors_pui": outside}}
    if outside:
        return failed("FAQ-2.3", f"{count(len(outside), 'unité')} hors du PUI « {pui.name} » "
                      "(aucune de leurs tutelles n'en est fondatrice ou partenaire) : "
                      f"{', '.join(outside)}.", **details)
    return passed("FAQ-2.3", f"Toutes les unités appartiennent au PUI « {pui.name} ».", **details)


def members_may_be_members(application: Application, call: NationalCall,
                           params: CallParameters) -> list[Verdict]:
    """FAQ-2.5 to FAQ-2.12: every tutelle of every unit may be a member, by its legal kind."""
    tutelles = sorted({tutelle for unit in application.units for tutelle in unit.tutelles})
    return [structure_may_be_member(call.structures[tutelle], params) for tutelle in tutelles]


def coordinator_may_coordinate(application: Application, call: NationalCall,
                               params: CallParameters) -> Verdict:
    """FAQ-2.8: the coordinator's legal kind must allow coordinating (a CTI may)."""
    return structure_may_coordinate(call.structures[application.coordinator], params)


def units_declared_once(application: Application) -> Verdict:
    """FAQ-2.18: each unit is declared once, with its RNSR number."""
    counts = Counter(unit.rnsr for unit in application.units)
    twice = sorted(rnsr for rnsr, count in counts.items() if count > 1)
    if twice:
        declared = count(len(twice), "unité déclarée", "unités déclarées")
        return failed("FAQ-2.18", f"{declared} plusieurs fois : {', '.join(twice)}.",
                      subject=application.id, figures={"doublons": twice})
    return passed("FAQ-2.18", f"{count(len(counts), 'unité')}, chacune déclarée une fois.",
                  subject=application.id)


def units_have_one_scientific_lead(application: Application) -> Verdict:
    """FAQ-2.18: exactly one scientific lead per unit."""
    wrong = [f"{unit.rnsr} ({count(len(unit.scientific_leads), 'responsable')})"
             for unit in application.units if len(unit.scientific_leads) != 1]
    if wrong:
        return failed("FAQ-2.18", "Chaque unité a un et un seul responsable scientifique ; "
                      f"à corriger : {', '.join(wrong)}.", subject=application.id,
                      figures={"unites": wrong})
    return passed("FAQ-2.18", "Un responsable scientifique par unité.", subject=application.id)


def managing_tutelle_is_a_tutelle(application: Application) -> Verdict:
    """FAQ-2.18: the tutelle given for a unit is its managing tutelle, one of its tutelles; it
    is informative only, so an inconsistency is a warning, never a reason to refuse."""
    wrong = [unit.rnsr for unit in application.units
             if unit.managing_tutelle not in unit.tutelles]
    if wrong:
        return warning("FAQ-2.18", "La tutelle gestionnaire devrait être l'une des tutelles de "
                       f"l'unité (information sans incidence sur la sélection) : "
                       f"{', '.join(wrong)}.", subject=application.id, figures={"unites": wrong})
    return passed("FAQ-2.18", "Tutelle gestionnaire renseignée pour chaque unité (à titre "
                  "informatif).", subject=application.id)


def commitment_signed_by_every_tutelle(application: Application, call: NationalCall) -> Verdict:
    """FAQ-2.18: the commitment document bears the signature of every tutelle of every unit,
    each by a person empowered to sign."""
    required = sorted({tutelle for unit in application.units for tutelle in unit.tutelles})
    empowered = {s.structure for s in application.signatures if s.empowered and s.signatory}
    unempowered = sorted({s.structure for s in application.signatures if not s.empowered}
                         - empowered)
    missing = [tutelle for tutelle in required if tutelle not in empowered]
    details = {"subject": application.id, "figures": {
        "tutelles_requises": len(required), "signatures_valides": len(required) - len(missing),
        "manquantes": missing, "non_habilitees": unempowered}}
    if missing:
        names = ", ".join(call.structures[tutelle].name for tutelle in missing)
        not_empowered = ", ".join(
            structure.name if (structure := call.structures.get(signer)) else signer
            for signer in unempowered)
        extra = f" (signataire non habilité pour : {not_empowered})" if unempowered else ""
        return failed("FAQ-2.18", f"Document d'engagement : {count(len(missing), 'tutelle')} "
                      f"sans signature habilitée : {names}{extra}.", **details)
    return passed("FAQ-2.18", "Document d'engagement signé par "
                  f"{'la tutelle' if len(required) == 1 else f'les {len(required)} tutelles'}.",
                  **details)


def units_are_complete(application: Application) -> Verdict:
    """FAQ-2.20: a unit is a whole unit, as in the call-4 rules but without their derogations."""
    partial = [unit.rnsr for unit in application.units if unit.partial]
    if not partial:
        return passed("FAQ-2.20", "Toutes les unités sont complètes.", subject=application.id)
    refused = count(len(partial), "unité incomplète non admise", "unités incomplètes non admises")
    return failed("FAQ-2.20", f"{refused} hors dérogation Carnot 4 (FAQ-2.25) : "
                  f"{', '.join(partial)}.", subject=application.id,
                  figures={"incompletes": partial})


def incomplete_units_admitted_by_carnot4_derogation(application: Application,
                                                    params: CallParameters) -> Verdict | None:
    """FAQ-2.25, exception to FAQ-2.20 (``units_are_complete``): a former Carnot 4 made of
    incomplete units stays admissible during the transition; None where it does not apply."""
    partial = [unit.rnsr for unit in application.units if unit.partial]
    if application.kind is not ApplicationKind.FORMER_CARNOT or not params.in_transition():
        return None
    admitted = count(len(partial), "unité incomplète admise", "unités incomplètes admises")
    return passed("FAQ-2.25", f"{admitted} par dérogation Carnot 4 pendant la transition.",
                  subject=application.id,
                  figures={"incompletes": partial}, parameters=("transition_years",))


def units_declare_reference_year_fte(application: Application, params: CallParameters) -> Verdict:
    """FAQ-2.15: FTE figures refer to year 2025 (the call's FTE reference year)."""
    year = params.fte_reference_year()
    missing = [unit.rnsr for unit in application.units if year not in unit.fte_by_year]
    details = {"subject": application.id, "parameters": ("fte_reference_year",),
               "figures": {"annee": year, "sans_etp": missing}}
    if missing:
        return failed("FAQ-2.15", f"ETP {year} non déclarés pour : {', '.join(missing)}.",
                      **details)
    return passed("FAQ-2.15", f"ETP de référence {year} déclarés pour toutes les unités.",
                  **details)


def application_declares_a_unit(application: Application) -> Verdict | None:
    """FAQ-2.13: an application's perimeter is its units; one that declares none cannot be
    filed (the other rules measure the declared units, so none of them fails there). None when
    it declares at least one."""
    if application.units:
        return None
    return failed("FAQ-2.13", "Aucune unité déclarée : le périmètre de la candidature est "
                  "vide.")


def perimeter_counts_permanent_researchers(application: Application,
                                           params: CallParameters) -> Verdict:
    """FAQ-2.13, FAQ-2.16: the perimeter is the FTE of permanent researchers of whole units, with
    research engineers counted only where they do research."""
    year = params.fte_reference_year()
    total = perimeter_fte(application.units, year)
    details = {"subject": application.id, "parameters": ("fte_reference_year",)}
    if total is None:
        return not_checkable("FAQ-2.13", f"Périmètre {year} non calculable : ETP manquants "
                             "(voir FAQ-2.15).", **details)
    engineers = sum((fte.research_engineers for unit in application.units
                     if (fte := unit.fte_by_year[year]).research_engineers_do_research),
                    start=Decimal(0))
    rule = "FAQ-2.16" if engineers else "FAQ-2.13"
    suffix = (f", dont {engineers} ETP d'ingénieurs de recherche faisant de la recherche"
              if engineers else "")
    return passed(rule, f"Périmètre {year} : {total} ETP de chercheurs permanents sur "
                  f"l'ensemble des unités{suffix}.",
                  figures={"annee": year, "etp_perimetre": total, "dont_ingenieurs": engineers},
                  **details)


def check_application(application: Application, call: NationalCall,
                      params: CallParameters) -> list[Verdict]:
    """Every per-application verdict, in a stable order."""
    verdicts = [
        application_is_of_one_kind(application),
        *members_may_be_members(application, call, params),
        coordinator_may_coordinate(application, call, params),
        units_declared_once(application),
        units_have_one_scientific_lead(application),
        managing_tutelle_is_a_tutelle(application),
        commitment_signed_by_every_tutelle(application, call),
        with_exception(units_are_complete(application),
                       lambda: incomplete_units_admitted_by_carnot4_derogation(application, params),
                       to=units_are_complete, reads=("transition_years",)),
        units_declare_reference_year_fte(application, params),
        perimeter_counts_permanent_researchers(application, params),
    ]
    if application.kind is ApplicationKind.TERRITORIAL:
        verdicts += [territorial_on_exactly_one_pui(application, call),
                     territorial_units_inside_pui(application, call)]
    elif application.kind is ApplicationKind.THEMATIC:
        verdicts += [thematic_is_multi_tutelle(application),
                     thematic_may_span_territories(application, call),
                     thematic_theme_is_justified(application)]
    else:
        verdicts.append(former_carnot_within_transition(application, params))
    return verdicts


def _years(years: tuple[int, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
