"""Who may be a member or the coordinator of a consortium, by legal kind (FAQ-2.5 to FAQ-2.12).

The table of kinds is a dated parameter (``structure_kinds``); an SRC is judged on its actual
legal form, the SRC label itself granting no status (FAQ-2.7).
"""

from __future__ import annotations

from carnot.rules.domain import Structure, StructureKind
from carnot.rules.parameters import CallParameters
from carnot.rules.verdicts import Verdict, failed, passed

KIND_LABELS = {
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


def _rule_id(source: str) -> str:
    return source if source.startswith("FAQ-") else MEMBERSHIP_INTERPRETATION


def structure_may_be_member(structure: Structure, params: CallParameters) -> Verdict:
    """FAQ-2.5 to FAQ-2.12: whether a structure's legal kind lets it be a consortium member."""
    if structure.kind is StructureKind.SRC:
        return src_judged_on_legal_form(structure, params, role="membre")
    rule = params.structure_kind_rule(structure.kind)
    label = KIND_LABELS[structure.kind]
    details = {"subject": structure.id, "figures": {"nature": structure.kind.value},
               "parameters": ("structure_kinds",)}
    rule_id = _rule_id(rule.member_source)
    if rule.may_be_member:
        return passed(rule_id, f"{structure.name} ({label}) peut être membre.", **details)
    return failed(rule_id, f"{structure.name} ({label}) ne peut pas être membre d'un consortium.",
                  **details)


def structure_may_coordinate(structure: Structure, params: CallParameters) -> Verdict:
    """FAQ-2.8: whether a structure's legal kind lets it coordinate (a CTI may)."""
    if structure.kind is StructureKind.SRC:
        return src_judged_on_legal_form(structure, params, role="coordinateur")
    rule = params.structure_kind_rule(structure.kind)
    label = KIND_LABELS[structure.kind]
    details = {"subject": structure.id, "figures": {"nature": structure.kind.value},
               "parameters": ("structure_kinds",)}
    rule_id = _rule_id(rule.coordinator_source)
    if rule.may_coordinate:
        return passed(rule_id, f"{structure.name} ({label}) peut coordonner.", **details)
    return failed(rule_id, f"{structure.name} ({label}) ne peut pas coordonner un consortium.",
                  **details)


def src_judged_on_legal_form(structure: Structure, params: CallParameters, role: str) -> Verdict:
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
    rule = params.structure_kind_rule(form)
    allowed = rule.may_be_member if role == "membre" else rule.may_coordinate
    message = (
        f"{structure.name} (SRC, forme juridique : {KIND_LABELS[form]}) "
        f"{'peut' if allowed else 'ne peut pas'} être {role}."
    )
    figures = {"nature": "src", "forme_juridique": form.value}
    if allowed:
        return passed("FAQ-2.7", message, figures=figures, **details)
    return failed("FAQ-2.7", message, figures=figures, **details)
