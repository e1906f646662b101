"""Who may be a member or the coordinator of a consortium, by legal kind (FAQ-2.5 to FAQ-2.12).

The table of kinds is a dated parameter (``structure_kinds``); an SRC is judged on its actual
legal form, the SRC label itself granting no status (FAQ-2.7).
"""

from __future__ import annotations

from enum import StrEnum

from carnot.rules.domain import Structure, StructureKind
from carnot.rules.parameters import CallParameters, StructureKindRule
from carnot.rules.verdicts import Verdict, failed, passed

STRUCTURE_KIND_LABELS = {
    StructureKind.UNIVERSITY: "université",
    StructureKind.EPST: "EPST",
    StructureKind.EPIC: "EPIC",
    StructureKind.EPA: "EPA",
    StructureKind.SCHOOL: "école",
    StructureKind.HOSPITAL: "établissement de santé",
    StructureKind.FOUNDATION: "fondation",
    StructureKind.ASSOCIATION: "association",
    StructureKind.COMPANY: "société commerciale",
    StructureKind.CTI: "CTI",
    StructureKind.CRT: "CRT",
    StructureKind.SRC: "SRC",
    StructureKind.EESPIG: "EESPIG",
    StructureKind.GIP: "GIP",
    StructureKind.IRT: "IRT",
    StructureKind.ITE: "ITE",
    StructureKind.COMPETITIVENESS_CLUSTER: "pôle de compétitivité",
}

MEMBERSHIP_INTERPRETATION = "INT-1"
"""Rule id for kinds the FAQ does not name (universities, EPST, …): see docs/interpretations.md."""


class Role(StrEnum):
    MEMBER = "membre"
    COORDINATOR = "coordinateur"


ROLE_WORDING = {
    Role.MEMBER: {True: "peut être membre.", False: "ne peut pas être membre d'un consortium."},
    Role.COORDINATOR: {True: "peut coordonner.", False: "ne peut pas coordonner un consortium."},
}


def _rule_id(source: str) -> str:
    return source if source.startswith("FAQ-") else MEMBERSHIP_INTERPRETATION


def _allowed(rule: StructureKindRule, role: Role) -> tuple[bool, str]:
    """What the kinds table says of ``role`` for one legal kind, and the source that says it."""
    if role is Role.MEMBER:
        return rule.may_be_member, rule.member_source
    return rule.may_coordinate, rule.coordinator_source


def structure_may_be_member(structure: Structure, params: CallParameters) -> Verdict:
    """FAQ-2.5 to FAQ-2.12: whether a structure's legal kind lets it be a consortium member."""
    return structure_kind_allows(structure, params, Role.MEMBER)


def structure_may_coordinate(structure: Structure, params: CallParameters) -> Verdict:
    """FAQ-2.8: whether a structure's legal kind lets it coordinate (a CTI may)."""
    return structure_kind_allows(structure, params, Role.COORDINATOR)


def structure_kind_allows(structure: Structure, params: CallParameters, role: Role) -> Verdict:
    """The verdict of the kinds table for one structure and one role; an SRC is judged on its
    legal form (FAQ-2.7)."""
    if structure.kind is StructureKind.SRC:
        return src_judged_on_legal_form(structure, params, role)
    allowed, source = _allowed(params.structure_kind_rule(structure.kind), role)
    label = STRUCTURE_KIND_LABELS[structure.kind]
    text = f"{structure.name} ({label}) {ROLE_WORDING[role][allowed]}"
    verdict = passed if allowed else failed
    return verdict(_rule_id(source), text, subject=structure.id,
                   figures={"nature": structure.kind.value}, parameters=("structure_kinds",))


def src_judged_on_legal_form(structure: Structure, params: CallParameters, role: Role) -> Verdict:
    """FAQ-2.7: an SRC may or may not take part depending on its legal form, not its label."""
    details = {"subject": structure.id, "parameters": ("structure_kinds",)}
    form = structure.legal_form
    if form is None or form is StructureKind.SRC:
        return failed(
            "FAQ-2.7",
            f"{structure.name} (SRC) : sa forme juridique doit être déclarée, le label SRC "
            "ne donnant aucun statut.",
            figures={"nature": "src", "forme_juridique": None}, **details,
        )
    allowed, _ = _allowed(params.structure_kind_rule(form), role)
    message = (
        f"{structure.name} (SRC, forme juridique : {STRUCTURE_KIND_LABELS[form]}) "
        f"{'peut' if allowed else 'ne peut pas'} être {role}."
    )
    verdict = passed if allowed else failed
    return verdict("FAQ-2.7", message, figures={"nature": "src", "forme_juridique": form.value},
                   **details)
