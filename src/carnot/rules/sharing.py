"""Checks across all applications of a call: shared units and coexistence on a territory.

A unit may sit in two consortia only in the kinds of sharing the call accepts (FAQ-2.21,
FAQ-2.26), declared on both sides with the same total FTE (FAQ-2.17). These checks run over
the whole national set, never one application at a time.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from carnot.rules.admissibility import unit_belongs_to_pui
from carnot.rules.domain import Application, ApplicationKind, NationalCall, Unit
from carnot.rules.parameters import CallParameters
from carnot.rules.perimeter import unit_research_fte
from carnot.rules.verdicts import Verdict, failed, passed, with_exception

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
    """FAQ-2.21, FAQ-2.23, FAQ-2.26, with the exception FAQ-2.24: the verdict on two consortia
    sharing a unit — the first of these rules that speaks of the pair.

    Accepted: a territorial and a thematic consortium; two territorial consortia when the unit
    belongs to both PUIs. Never two thematic ones (FAQ-2.21), never a former Carnot and a new
    consortium (FAQ-2.23; FAQ-2.26 for an incomplete unit), never two former Carnots (FAQ-2.26)
    unless the derogation FAQ-2.24 keeps a joint unit in both during the transition.
    """
    a, b = sorted((first, second), key=lambda holding: holding[0].id)
    verdict = (unit_in_at_most_one_thematic_consortium(rnsr, a, b)
               or only_two_kinds_of_sharing(rnsr, a, b, call)
               or unit_in_former_carnot_or_new_consortium(rnsr, a, b))
    assert verdict is not None  # the three rules judge every pair of kinds between them
    return with_exception(
        verdict, lambda: joint_unit_shared_by_carnot4_derogation(rnsr, a, b, params),
        to=former_carnots_share_no_unit, reads=("transition_years",))


def _pair(first: Holding, second: Holding) -> tuple[str, dict[str, Any]]:
    """How a message names the two applications, and the figures naming them."""
    pair = f"{first[0].id} et {second[0].id}"
    return pair, {"figures": {"candidatures": [first[0].id, second[0].id]}}


def unit_in_at_most_one_thematic_consortium(rnsr: str, first: Holding,
                                            second: Holding) -> Verdict | None:
    """FAQ-2.21: a unit belongs to one thematic national consortium at most, and may be shared
    between a territorial and a thematic one; None for other pairs."""
    kinds = {first[0].kind, second[0].kind}
    pair, details = _pair(first, second)
    if kinds == {ApplicationKind.THEMATIC}:
        return failed("FAQ-2.21", f"Unité {rnsr} dans deux consortiums thématiques nationaux "
                      f"({pair}) : une unité n'est rattachée qu'à un seul.", subject=rnsr,
                      **details)
    if kinds == {ApplicationKind.TERRITORIAL, ApplicationKind.THEMATIC}:
        return passed("FAQ-2.21", f"Unité {rnsr} partagée entre un consortium territorial et un "
                      f"thématique ({pair}) : partage admis.", subject=rnsr, **details)
    return None


def only_two_kinds_of_sharing(rnsr: str, first: Holding, second: Holding,
                              call: NationalCall) -> Verdict | None:
    """FAQ-2.26: besides a territorial and a thematic consortium, only two territorial consortia
    may share a unit (common to their PUIs); never two former Carnots, and an incomplete unit of
    a Carnot 4 joins no new consortium. None for the pairs other rules judge."""
    kinds = {first[0].kind, second[0].kind}
    if kinds == {ApplicationKind.TERRITORIAL}:
        return territorial_pair_shares_unit_of_two_puis(rnsr, first, second, call)
    if kinds == {ApplicationKind.FORMER_CARNOT}:
        return former_carnots_share_no_unit(rnsr, first, second)
    if ApplicationKind.FORMER_CARNOT not in kinds:
        return None
    former_unit = next(unit for application, unit in (first, second)
                       if application.kind is ApplicationKind.FORMER_CARNOT)
    if not former_unit.partial:
        return None
    pair, details = _pair(first, second)
    return failed("FAQ-2.26", f"Unité incomplète {rnsr} d'un Carnot 4 dérogatoire : elle ne "
                  f"peut pas rejoindre un nouveau consortium ({pair}).", subject=rnsr, **details)


def unit_in_former_carnot_or_new_consortium(rnsr: str, first: Holding,
                                            second: Holding) -> Verdict | None:
    """FAQ-2.23: a unit stays in its former Carnot or joins a new consortium, not both; None
    for other pairs."""
    kinds = {first[0].kind, second[0].kind}
    if ApplicationKind.FORMER_CARNOT not in kinds or len(kinds) != 2:
        return None
    pair, details = _pair(first, second)
    return failed("FAQ-2.23", f"Unité {rnsr} à la fois dans un ancien Carnot et un nouveau "
                  f"consortium ({pair}) : ses tutelles doivent choisir l'un ou l'autre.",
                  subject=rnsr, **details)


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


def former_carnots_share_no_unit(rnsr: str, first: Holding, second: Holding) -> Verdict:
    """FAQ-2.26: two former Carnots may not share a unit."""
    pair, details = _pair(first, second)
    return failed("FAQ-2.26", f"Unité {rnsr} dans deux anciens Carnot ({pair}) : seules les UMR "
                  "déjà partagées par dérogation en 2019 le restent, pendant la transition "
                  "(FAQ-2.24).", subject=rnsr, **details)


def joint_unit_shared_by_carnot4_derogation(rnsr: str, first: Holding, second: Holding,
                                            params: CallParameters) -> Verdict | None:
    """FAQ-2.24, exception to FAQ-2.26 (``former_carnots_share_no_unit``): a joint unit (several
    tutelles) already in both 2019 perimeters stays so during the transition; None otherwise."""
    (app_a, unit), (app_b, _) = first, second
    in_both_2019 = all(
        application.former_carnot is not None
        and rnsr in application.former_carnot.perimeter_2019_fte
        for application in (app_a, app_b)
    )
    if not (in_both_2019 and len(unit.tutelles) >= 2 and params.in_transition()):
        return None
    pair, details = _pair(first, second)
    return passed("FAQ-2.24", f"UMR {rnsr} déjà dans deux Carnot 4 par dérogation ({pair}) : "
                  "maintenue pendant la transition.", subject=rnsr,
                  parameters=("transition_years",), **details)


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
    fte_differ = shared_unit_has_one_fte_total(rnsr, first, second, params)
    if fte_differ is not None:
        verdicts.append(fte_differ)
    if not verdicts:
        verdicts.append(passed("FAQ-2.17", f"Unité partagée {rnsr} déclarée des deux côtés avec "
                               "le même total d'ETP.", subject=rnsr))
    return verdicts


def shared_unit_has_one_fte_total(rnsr: str, first: Holding, second: Holding,
                                  params: CallParameters) -> Verdict | None:
    """FAQ-2.17: both declarations of a shared unit give the unit's total research FTE, the
    same figure; a failure when they differ, None otherwise."""
    year = params.fte_reference_year()
    fte_a, fte_b = (unit.fte_by_year.get(year) for _, unit in (first, second))
    if fte_a is None or fte_b is None:
        return None
    total_a, total_b = unit_research_fte(fte_a), unit_research_fte(fte_b)
    if total_a == total_b:
        return None
    return failed("FAQ-2.17", f"Unité partagée {rnsr} : ETP {year} différents entre "
                  f"{first[0].id} ({total_a}) et {second[0].id} ({total_b}) ; chaque déclaration "
                  "porte le total de l'unité.", subject=rnsr,
                  figures={first[0].id: total_a, second[0].id: total_b},
                  parameters=("fte_reference_year",))


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
