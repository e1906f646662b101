"""The « document de dépôt »: a whole application as a spreadsheet, exported and imported.

Three sheets:

- « Candidature »: one field a row (column A the field, column B its value): code, name, kind,
  coordinator structure, PUIs, theme, its justification, alignments, reference FTE;
- « Unités »: one row per declared unit (RNSR, scientific lead, tutelles, FTE, sharing…);
- « Signataires »: one row per tutelle that signed the commitment document (FAQ-2.18).

Import is atomic: every cell of the file is read and checked first (``spreadsheet_reading``),
and the file is refused whole (``SpreadsheetRejected``, with every error located by sheet, row,
column and rule) when one cell is wrong; otherwise the application's fields, units and
signatures become the file's, through the services of ``services.py`` (so each change is in the
history), in one transaction. The export is ``spreadsheet_export``; the sheets and columns
both share, ``spreadsheet_format``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carnot.applications.models import Application, ApplicationUnit
from carnot.applications.services import (
    application_update,
    signature_record,
    signature_remove,
    unit_declare,
    unit_remove,
    unit_update,
)
from carnot.applications.spreadsheet_reading import (
    ApplicationValues,
    FileContent,
    SignatureValues,
    UnitValues,
)
from carnot.applications.spreadsheet_reading import read_file as _read
from carnot.applications.spreadsheet_reading import refused as _refused
from carnot.applications.workflow import EDITABLE
from carnot.registry.models import Pui, Structure

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- Errors and report -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What an accepted import changed, for the page's message."""

    application_changed: bool
    units_added: int
    units_updated: int
    units_removed: int
    units_unchanged: int
    signatures: int
    """Signatures in the file."""
    signatures_recorded: int
    """New or changed signatures."""
    signatures_removed: int

    @property
    def changed(self) -> bool:
        return bool(self.application_changed or self.units_added or self.units_updated
                    or self.units_removed or self.signatures_recorded
                    or self.signatures_removed)

    def message(self) -> str:
        """« Import réussi : 3 unités ajoutées, 1 unité modifiée, … », in French."""
        if not self.changed:
            return "Import réussi : le fichier est identique à la candidature, rien n'a changé."
        parts = []
        if self.application_changed:
            parts.append("informations de la candidature mises à jour")
        parts += [_count(n, word) for n, word in (
            (self.units_added, "unité ajoutée"), (self.units_updated, "unité modifiée"),
            (self.units_removed, "unité retirée"),
            (self.signatures_recorded, "signature enregistrée"),
            (self.signatures_removed, "signature retirée")) if n]
        return f"Import réussi : {', '.join(parts)}."


def _count(n: int, words: str) -> str:
    return f"{n} {words}" if n == 1 else f"{n} " + " ".join(f"{w}s" for w in words.split())


# --- Import ----------------------------------------------------------------------------------


def import_application(*, application: Application, content: bytes, by: User) -> ImportReport:
    """Replace the application's fields (sheet « Candidature », when there is one), units and
    signatures with the file's, or change nothing.

    Every cell is checked before anything is written; one wrong cell and the whole file is
    refused with ``SpreadsheetRejected``, whose ``errors`` list every problem by sheet, row,
    column and rule. The writes go through the services (so every change is in the history) in
    one transaction; a refusal of a service (the application is no longer a draft…) undoes them
    all. Who may import is the caller's business (``permissions.can_edit``).
    """
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        application.refresh_from_db()
        if application.status not in EDITABLE:
            raise _refused(f"La candidature est « {application.get_status_display()} » : elle "
                           "n'est plus modifiable ; rien n'a été importé.")
        content_read = _read(application, content)
        try:
            return _apply(application, content_read, by)
        except ValidationError as refused:
            raise _refused(" ; ".join(refused.messages)) from refused


def _apply(application: Application, content: FileContent, by: User) -> ImportReport:
    application_changed = (content.application is not None
                           and _apply_application(application, content.application, by))
    added = updated = unchanged = removed = 0
    declarations = {d.unit.rnsr: d for d in application.units.select_related(
        "unit", "scientific_lead", "managing_tutelle", "shared_with").prefetch_related(
        "tutelles")}
    wanted = {unit.rnsr for unit in content.units}
    for rnsr, declaration in declarations.items():
        if rnsr not in wanted:
            unit_remove(declaration=declaration, by=by)
            removed += 1
    for unit in content.units:
        declared = declarations.get(unit.rnsr)
        if declared is None:
            unit_declare(application=application, by=by, rnsr=unit.rnsr,
                         scientific_lead=unit.scientific_lead,
                         managing_tutelle=unit.managing_tutelle, tutelles=unit.tutelles,
                         permanent_researchers_fte=unit.permanent_researchers_fte,
                         research_engineers_fte=unit.research_engineers_fte,
                         research_engineers_do_research=unit.research_engineers_do_research,
                         shared_with=unit.shared_with, partial=unit.partial)
            added += 1
        elif _apply_unit(declared, unit, by):
            updated += 1
        else:
            unchanged += 1
    recorded, signatures_removed = _apply_signatures(application, content.signatures, by)
    return ImportReport(
        application_changed=application_changed, units_added=added, units_updated=updated,
        units_removed=removed, units_unchanged=unchanged, signatures=len(content.signatures),
        signatures_recorded=recorded, signatures_removed=signatures_removed)


def _apply_application(application: Application, values: ApplicationValues,
                       by: User) -> bool:
    fields: dict[str, Any] = {}
    for field, value in (("name", values.name), ("kind", values.kind),
                         ("theme", values.theme),
                         ("theme_justification", values.theme_justification),
                         ("reference_fte", values.reference_fte)):
        if getattr(application, field) != value:
            fields[field] = value
    if application.coordinator_id != values.coordinator.pk:
        fields["coordinator"] = values.coordinator
    puis: list[Pui] | None = values.puis
    if {p.pk for p in application.puis.all()} == {p.pk for p in values.puis}:
        puis = None
    alignments: list[tuple[str, str]] | None = values.alignments
    if sorted((a.kind, a.name) for a in application.alignments.all()) == sorted(
            values.alignments):
        alignments = None
    if not fields and puis is None and alignments is None:
        return False
    application_update(application=application, by=by, puis=puis, alignments=alignments,
                       **fields)
    return True


def _apply_unit(declaration: ApplicationUnit, unit: UnitValues, by: User) -> bool:
    """Update what differs; True when something did."""
    fields: dict[str, Any] = {}
    current_lead = declaration.scientific_lead.full_name if declaration.scientific_lead else ""
    if current_lead != unit.scientific_lead:
        fields["scientific_lead"] = unit.scientific_lead
    if declaration.managing_tutelle_id != unit.managing_tutelle.pk:
        fields["managing_tutelle"] = unit.managing_tutelle
    for field, value in (("permanent_researchers_fte", unit.permanent_researchers_fte),
                         ("research_engineers_fte", unit.research_engineers_fte),
                         ("research_engineers_do_research", unit.research_engineers_do_research),
                         ("partial", unit.partial)):
        if getattr(declaration, field) != value:
            fields[field] = value
    if declaration.shared_with_id != (unit.shared_with.pk if unit.shared_with else None):
        fields["shared_with"] = unit.shared_with
    tutelles: list[Structure] | None = unit.tutelles
    if {t.pk for t in declaration.tutelles.all()} == {t.pk for t in unit.tutelles}:
        tutelles = None
    if not fields and tutelles is None:
        return False
    unit_update(declaration=declaration, by=by, tutelles=tutelles, **fields)
    return True


def _apply_signatures(application: Application, signatures: list[SignatureValues],
                      by: User) -> tuple[int, int]:
    """Record new and changed signatures, remove those the file no longer lists; the signed
    PDF of a kept signature stays. Returns (recorded, removed)."""
    current = {s.structure_id: s for s in application.signatures.select_related(
        "structure", "signatory")}
    wanted = {signature.structure.pk for signature in signatures}
    removed = 0
    for structure_id, signature in current.items():
        if structure_id not in wanted:
            signature_remove(signature=signature, by=by)
            removed += 1
    recorded = 0
    for values in signatures:
        kept = current.get(values.structure.pk)
        if kept is not None and (
                kept.signatory.full_name, kept.empowerment, kept.empowered,
                kept.signed_on) == (values.signatory, values.empowerment,
                                         values.empowered, values.signed_on):
            continue
        signature_record(application=application, by=by, structure=values.structure,
                         signatory=values.signatory, empowerment=values.empowerment,
                         empowered=values.empowered, signed_on=values.signed_on)
        recorded += 1
    return recorded, removed
