"""Checks across all applications of a call: shared units and coexistence on a territory.

A unit may sit in two consortia only in the kinds of sharing the call accepts (FAQ-2.21,
FAQ-2.26), declared on both sides with the same total FTE (FAQ-2.17). These checks run over
the whole national set, never one application at a time.
"""

from __future__ import annotations

from collections import defaultdict

from carnot.rules.admissibility import unit_belongs_to_pui
from carnot.rules.domain import Application, ApplicationKind, NationalCall, Unit
from carnot.rules.parameters import CallParameters
from carnot.rules.perimeter import unit_research_fte
from carnot.rules.verdicts import Verdict, failed, passed

Holding = tuple[Application, Unit]
NEW_KINDS = (ApplicationKind.TERRITORIAL, ApplicationKind.THEMATIC)


def holdings_by_unit(call: NationalCall) -> dict[str, list[Holding]]:
    """Every application declaring each unit, by RNSR (a unit declared twice in one application
    counts once here; FAQ-2.18 reports the duplicate)."""
    holdings: dict[str, list[Holding]] = defaultdict(list)
    for application in call.applications:
        seen: set[str] = set()
        for unit in application.units:
            if unit.rnsr not in seen:
                seen.add(unit.rnsr)
                holdings[unit.rnsr].append((application, unit))
    return holdings


def unit_in_at_most_two_applications(rnsr: str, holdings: list[Holding]) -> Verdict:
    """FAQ-2.26 (open question 6): a unit is shared by two applications at most."""
    names = ", ".join(application.id for application, _ in holdings)
    return failed("FAQ-2.26", f"Unité {rnsr} déclarée dans {len(holdings)} candidatures "
                  f"({names}) : un partage ne concerne que deux consortiums.", subject=rnsr,
                  figures={"candidatures": [application.id for application, _ in holdings]})


def sharing_kind_is_allowed(rnsr: str, first: Holding, second: Holding,
                            call: NationalCall, params: CallParameters) -> Verdict:
    """FAQ-2.21, FAQ-2.23, FAQ-2.24, FAQ-2.26: which pairs of consortia may share a unit.

    Accepted: a territorial and a thematic consortium; two territorial consortia when the unit
    belongs to both PUIs. Never two thematic ones (FAQ-2.21), never a former Carnot and a new
    consortium (FAQ-2.23; FAQ-2.26 for an incomplete unit). Derogation FAQ-2.24: a joint unit
    already in two Carnot 4 institutes may stay so during the transition.
    """
    (app_a, unit_a), (app_b, unit_b) = sorted((first, second), key=lambda h: h[0].id)
    kinds = {app_a.kind, app_b.kind}
    pair = f"{app_a.id} et {app_b.id}"
    details = {"subject": rnsr, "figures": {"candidatures": [app_a.id, app_b.id]}}
    if kinds == {ApplicationKind.THEMATIC}:
        return failed("FAQ-2.21", f"Unité {rnsr} dans deux consortiums thématiques nationaux "
                      f"({pair}) : une unité n'est rattachée qu'à un seul.", **details)
    if kinds == {ApplicationKind.TERRITORIAL, ApplicationKind.THEMATIC}:
        return passed("FAQ-2.21", f"Unité {rnsr} partagée entre un consortium territorial et un "
                      f"thématique ({pair}) : partage admis.", **details)
    if kinds == {ApplicationKind.TERRITORIAL}:
        return territorial_pair_shares_unit_of_two_puis(rnsr, (app_a, unit_a), (app_b, unit_b),
                                                        call)
    if kinds == {ApplicationKind.FORMER_CARNOT}:
        return joint_unit_kept_in_two_former_carnots(rnsr, app_a, app_b, unit_a, params)
    former_unit = unit_a if app_a.kind is ApplicationKind.FORMER_CARNOT else unit_b
    if former_unit.partial:
        return failed("FAQ-2.26", f"Unité incomplète {rnsr} d'un Carnot 4 dérogatoire : elle ne "
                      f"peut pas rejoindre un nouveau consortium ({pair}).", **details)
    return failed("FAQ-2.23", f"Unité {rnsr} à la fois dans un ancien Carnot et un nouveau "
                  f"consortium ({pair}) : ses tutelles doivent choisir l'un ou l'autre.",
                  **details)


def territorial_pair_shares_unit_of_two_puis(rnsr: str, first: Holding, second: Holding,
                                             call: NationalCall) -> Verdict:
    """FAQ-2.21, FAQ-2.26: two territorial consortia share a unit only if it is common to their
    two (distinct) PUIs."""
    (app_a, unit_a), (app_b, _) = first, second
    pair = f"{app_a.id} et {app_b.id}"
    puis = [application.puis[0] for application in (app_a, app_b)
            if len(application.puis) == 1 and application.puis[0] in call.puis]
    details = {"subject": rnsr, "figures": {"candidatures": [app_a.id, app_b.id], "puis": puis}}
    if len(set(puis)) == 2 and all(unit_belongs_to_pui(unit_a, call.puis[pui]) for pui in puis):
        return passed("FAQ-2.21", f"Unité {rnsr} commune aux PUI {puis[0]} et {puis[1]} : "
                      f"partage entre {pair} admis.", **details)
    return failed("FAQ-2.26", f"Unité {rnsr} partagée entre deux consortiums territoriaux "
                  f"({pair}) sans être commune à deux PUI distincts.", **details)


def joint_unit_kept_in_two_former_carnots(rnsr: str, app_a: Application, app_b: Application,
                                          unit: Unit, params: CallParameters) -> Verdict:
    """Base rule FAQ-2.26 (two former Carnots may not share a unit), with the derogation of
    FAQ-2.24: a joint unit already in both Carnot 4 perimeters stays so during the transition."""
    pair = f"{app_a.id} et {app_b.id}"
    details = {"subject": rnsr, "figures": {"candidatures": [app_a.id, app_b.id]},
               "parameters": ("transition_years",)}
    if joint_unit_shared_by_carnot4_derogation(rnsr, unit, app_a, app_b, params):
        return passed("FAQ-2.24", f"UMR {rnsr} déjà dans deux Carnot 4 par dérogation ({pair}) : "
                      "maintenue pendant la transition.", **details)
    return failed("FAQ-2.26", f"Unité {rnsr} dans deux anciens Carnot ({pair}) : seules les UMR "
                  "déjà partagées par dérogation en 2019 le restent, pendant la transition "
                  "(FAQ-2.24).", **details)


def joint_unit_shared_by_carnot4_derogation(rnsr: str, unit: Unit, app_a: Application,
                                            app_b: Application, params: CallParameters) -> bool:
    """FAQ-2.24: a joint unit (several tutelles) in both 2019 perimeters, during transition."""
    in_both_2019 = all(
        application.former_carnot is not None
        and rnsr in application.former_carnot.perimeter_2019_fte
        for application in (app_a, app_b)
    )
    return in_both_2019 and len(unit.tutelles) >= 2 and params.in_transition()


def shared_unit_declared_on_both_sides(rnsr: str, first: Holding, second: Holding,
                                       params: CallParameters) -> list[Verdict]:
    """FAQ-2.17: a shared unit is declared as shared on both sides, naming the other
    application, with the unit's total research FTE (the same figure on both sides)."""
    verdicts = []
    for (application, unit), (other, _) in ((first, second), (second, first)):
        if unit.shared_with != other.id:
            declared = f"avec « {unit.shared_with} »" if unit.shared_with else "aucun"
            verdicts.append(failed(
                "FAQ-2.17", f"Unité {rnsr} : présente aussi dans {other.id}, elle doit être "
                f"déclarée partagée avec {other.id} (partage déclaré : {declared}).",
                subject=rnsr, figures={"candidature": application.id}))
    year = params.fte_reference_year()
    fte_a, fte_b = (unit.fte_by_year.get(year) for _, unit in (first, second))
    if fte_a is not None and fte_b is not None:
        total_a, total_b = unit_research_fte(fte_a), unit_research_fte(fte_b)
        if total_a != total_b:
            verdicts.append(failed(
                "FAQ-2.17", f"Unité partagée {rnsr} : ETP {year} différents entre "
                f"{first[0].id} ({total_a}) et {second[0].id} ({total_b}) ; chaque déclaration "
                "porte le total de l'unité.", subject=rnsr,
                figures={first[0].id: total_a, second[0].id: total_b},
                parameters=("fte_reference_year",)))
    if not verdicts:
        verdicts.append(passed("FAQ-2.17", f"Unité partagée {rnsr} déclarée des deux côtés avec "
                               "le même total d'ETP.", subject=rnsr))
    return verdicts


def declared_sharing_matches_a_partner(application: Application, unit: Unit,
                                       holders: list[Holding]) -> Verdict | None:
    """FAQ-2.17: a unit declared shared names another application, which declares it too."""
    details = {"subject": unit.rnsr,
               "figures": {"candidature": application.id, "partage_declare": unit.shared_with}}
    if unit.shared_with == application.id:
        return failed("FAQ-2.17", f"Unité {unit.rnsr} déclarée partagée avec sa propre candidature "
                      f"({application.id}) : le partage identifie l'autre proposition.", **details)
    if unit.shared_with is None or any(app.id == unit.shared_with for app, _ in holders):
        return None
    return failed("FAQ-2.17", f"Unité {unit.rnsr} déclarée partagée avec « {unit.shared_with} », "
                  "qui ne la déclare pas.", **details)


def check_shared_units(call: NationalCall, params: CallParameters) -> dict[str, list[Verdict]]:
    """Every cross-application verdict on units, by application id."""
    verdicts: dict[str, list[Verdict]] = {application.id: [] for application in call.applications}
    for rnsr, holders in sorted(holdings_by_unit(call).items()):
        for application, unit in holders:
            mismatch = declared_sharing_matches_a_partner(application, unit, holders)
            if mismatch is not None:
                verdicts[application.id].append(mismatch)
        if len(holders) < 2:
            continue
        if len(holders) > 2:
            too_many = unit_in_at_most_two_applications(rnsr, holders)
            for application, _ in holders:
                verdicts[application.id].append(too_many)
            continue
        first, second = holders
        allowed = sharing_kind_is_allowed(rnsr, first, second, call, params)
        declared = shared_unit_declared_on_both_sides(rnsr, first, second, params)
        for application, _ in holders:
            verdicts[application.id].append(allowed)
            verdicts[application.id].extend(
                verdict for verdict in declared
                if verdict.figures.get("candidature", application.id) == application.id
            )
    return verdicts


def territorial_and_former_carnot_coexist(territorial: Application, former: Application,
                                          call: NationalCall) -> Verdict | None:
    """FAQ-2.19: a territorial consortium and a former Carnot may share a territory (the PUI,
    open question 12) if their units are disjoint; each perimeter must also be above 2.5 M€,
    which is each application's own threshold verdict.

    None when the former Carnot has no unit in the territorial consortium's PUI.
    """
    if len(territorial.puis) != 1 or territorial.puis[0] not in call.puis:
        return None
    pui = call.puis[territorial.puis[0]]
    if not any(unit_belongs_to_pui(unit, pui) for unit in former.units):
        return None
    common = sorted(territorial.unit_rnsrs() & former.unit_rnsrs())
    details = {"subject": f"{territorial.id}+{former.id}",
               "figures": {"pui": pui.id, "unites_communes": common}}
    where = (f"Le consortium territorial {territorial.id} et l'ancien Carnot {former.id} "
             f"partagent le territoire du PUI « {pui.name} »")
    if common:
        return failed("FAQ-2.19", f"{where} : leurs unités doivent être disjointes (unités "
                      f"communes : {', '.join(common)}).", **details)
    return passed("FAQ-2.19", f"{where} avec des unités disjointes : ils coexistent (chaque "
                  "périmètre doit aussi dépasser le seuil de recettes, vérifié pour chacun).",
                  **details)


def check_coexistence(call: NationalCall) -> dict[str, list[Verdict]]:
    """FAQ-2.19 for every territorial consortium and former Carnot on the same territory."""
    verdicts: dict[str, list[Verdict]] = {application.id: [] for application in call.applications}
    territorials = [a for a in call.applications if a.kind is ApplicationKind.TERRITORIAL]
    formers = [a for a in call.applications if a.kind is ApplicationKind.FORMER_CARNOT]
    for territorial in territorials:
        for former in formers:
            verdict = territorial_and_former_carnot_coexist(territorial, former, call)
            if verdict is not None:
                verdicts[territorial.id].append(verdict)
                verdicts[former.id].append(verdict)
    return verdicts
