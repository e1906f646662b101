"""The « document de dépôt »: export → import gives back the application; a wrong file is refused
whole, every error located, and nothing is saved."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from carnot.accounts.models import Profile, Role
from carnot.applications import spreadsheet
from carnot.applications.models import (
    Alignment,
    Application,
    ApplicationUnit,
    Signature,
)
from carnot.applications.selectors import application_changes
from carnot.applications.services import (
    application_create,
    application_update,
    signature_record,
    unit_declare,
    unit_remove,
    unit_update,
)
from carnot.applications.spreadsheet import ImportReport, import_application
from carnot.applications.spreadsheet_export import export_application
from carnot.applications.spreadsheet_format import APPLICATION_SHEET, SIGNATURES_SHEET, UNITS_SHEET
from carnot.applications.workflow import Status
from carnot.audit.models import AuditEvent
from carnot.common.errors import ServiceError
from carnot.common.sheets import SheetError, SpreadsheetRejected
from carnot.registry.models import Call, Person, Pui, Structure, Unit

pytestmark = pytest.mark.django_db

RNSR_ICUBE = "201220234K"
RNSR_IGBMC = "199512345A"
RNSR_LIFE = "200717524X"
RNSR_OUTSIDE = "202023456B"  # in the directory, not declared


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def coordinator() -> User:
    user = User.objects.create_user(username="coordination-unistra")
    Profile.objects.create(user=user, role=Role.COORDINATOR)
    return user


@pytest.fixture
def application(coordinator: User) -> Application:
    """A territorial consortium on the PUI of Strasbourg: three units, two signatures (one with
    its signed PDF), one unit shared with a thematic consortium."""
    call = Call.objects.create(year=2026, deadline=timezone.now() + timedelta(days=30))
    unistra = Structure.objects.create(code="unistra", name="Université de Strasbourg",
                                       kind="university")
    cnrs = Structure.objects.create(code="cnrs", name="CNRS", kind="epst")
    inserm = Structure.objects.create(code="inserm", name="Inserm", kind="epst")
    Structure.objects.create(code="inrae", name="INRAE", kind="epst")
    pui = Pui.objects.create(code="pui-strasbourg", name="PUI de Strasbourg")
    pui.founders.set([unistra, cnrs])
    Pui.objects.create(code="pui-lille", name="PUI de Lille")
    for rnsr, name, tutelles in (
            (RNSR_ICUBE, "ICube", [unistra, cnrs]),
            (RNSR_IGBMC, "IGBMC", [unistra, cnrs, inserm]),
            (RNSR_LIFE, "Laboratoire d'innovation thérapeutique", [unistra]),
            (RNSR_OUTSIDE, "Institut de chimie", [unistra, cnrs])):
        unit = Unit.objects.create(rnsr=rnsr, name=name, managing_tutelle=tutelles[0])
        unit.tutelles.set(tutelles)
    application_create(call=call, by=coordinator, code="them-sante", name="Carnot Santé",
                       kind="thematic", coordinator=inserm)
    created = application_create(
        call=call, by=coordinator, code="terr-strasbourg", name="Carnot Alsace Innovation",
        kind="territorial", coordinator=unistra, puis=[pui], theme="Santé et ingénierie",
        theme_justification="Deux lignes :\nimagerie et robotique médicale.",
        alignments=[("SNA", "Santé numérique"), ("PEPR", "Santé numérique")])
    application_update(application=created, by=coordinator, reference_fte=Decimal("310.50"))
    unit_declare(application=created, by=coordinator, rnsr=RNSR_ICUBE,
                 scientific_lead="Michel de Mathelin", managing_tutelle=unistra,
                 tutelles=[unistra, cnrs], permanent_researchers_fte=Decimal("212.5"),
                 research_engineers_fte=Decimal("14.25"), research_engineers_do_research=True)
    unit_declare(application=created, by=coordinator, rnsr=RNSR_IGBMC,
                 scientific_lead="Bertrand Séraphin", managing_tutelle=cnrs,
                 tutelles=[unistra, cnrs, inserm], permanent_researchers_fte=Decimal("120"),
                 shared_with=Application.objects.get(code="them-sante"), partial=True)
    unit_declare(application=created, by=coordinator, rnsr=RNSR_LIFE, scientific_lead="",
                 managing_tutelle=unistra, tutelles=[unistra],
                 permanent_researchers_fte=None)
    signature_record(application=created, by=coordinator, structure=unistra,
                     signatory="Michel Deneken", empowerment="Président",
                     signed_on=date(2025, 11, 3),
                     document=SimpleUploadedFile("engagement.pdf", b"%PDF-1.7 signed"))
    signature_record(application=created, by=coordinator, structure=cnrs,
                     signatory="Antoine Petit", empowerment="=délégation du 2 mai",
                     empowered=False)
    return created


def snapshot(application: Application) -> dict[str, Any]:
    """Everything the spreadsheet carries, as plain values."""
    application = Application.objects.get(pk=application.pk)
    return {
        "fields": (application.code, application.name, application.kind,
                   application.coordinator.code, application.theme,
                   application.theme_justification, application.reference_fte),
        "puis": sorted(p.code for p in application.puis.all()),
        "alignments": sorted((a.kind, a.name) for a in application.alignments.all()),
        "units": {
            d.unit.rnsr: (d.scientific_lead.full_name if d.scientific_lead else None,
                          d.managing_tutelle.code, sorted(t.code for t in d.tutelles.all()),
                          d.permanent_researchers_fte, d.research_engineers_fte,
                          d.research_engineers_do_research,
                          d.shared_with.code if d.shared_with else None, d.partial)
            for d in application.units.all()},
        "signatures": {
            s.structure.code: (s.signatory.full_name, s.empowerment, s.empowered, s.signed_on,
                               s.document.name)
            for s in application.signatures.all()},
    }


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Application, ApplicationUnit, Signature, AuditEvent, Person,
                          Alignment)}


def edited(content: bytes, edit: Any) -> bytes:
    """The workbook ``content`` after ``edit(workbook)``."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column_of(sheet: Any, header_start: str) -> int:
    for cell in sheet[1]:
        if str(cell.value).startswith(header_start):
            return int(cell.column)
    raise AssertionError(header_start)


def rejected(application: Application, content: bytes, by: User) -> list[SheetError]:
    with pytest.raises(SpreadsheetRejected) as refused:
        import_application(application=application, content=content, by=by)
    return refused.value.errors


# --- Export ---------------------------------------------------------------------------------


def test_export_has_three_sheets_with_bold_frozen_headers(application: Application) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(export_application(application)))
    assert workbook.sheetnames == [APPLICATION_SHEET, UNITS_SHEET, SIGNATURES_SHEET]
    units = workbook[UNITS_SHEET]
    assert [c.value for c in units[1]] == [
        "RNSR", "Nom de l'unité", "Responsable scientifique", "Tutelle gestionnaire (code)",
        "Tutelles (codes séparés par « ; »)", "ETP recherche permanents 2025",
        "ETP ingénieurs de recherche", "Ingénieurs faisant de la recherche (oui/non)",
        "Partagée avec (code de candidature)", "Unité incomplète (oui/non)"]
    assert [c.value for c in units[3]] == [
        RNSR_LIFE, "Laboratoire d'innovation thérapeutique", None, "unistra", "unistra", None,
        0, "non", None, "non"]
    assert [c.value for c in units[4]] == [
        RNSR_ICUBE, "ICube", "Michel de Mathelin", "unistra", "cnrs; unistra", 212.5, 14.25,
        "oui", None, "non"]
    assert [c.value for c in workbook[SIGNATURES_SHEET][1]] == [
        "Tutelle (code)", "Signataire", "Habilitation", "Habilité (oui/non)",
        "Date de signature (JJ/MM/AAAA)"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["A"].width > 10


def test_export_writes_text_that_looks_like_a_formula_as_text(application: Application) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(export_application(application)))
    cell = workbook[SIGNATURES_SHEET]["C2"]
    assert (cell.value, cell.data_type) == ("=délégation du 2 mai", "s")


# --- Round trip -----------------------------------------------------------------------------


def test_round_trip_gives_back_the_same_application(application: Application,
                                                    coordinator: User) -> None:
    before = snapshot(application)
    exported = export_application(application)
    # The coordinator then changes almost everything…
    application_update(application=application, by=coordinator, name="Autre nom",
                       kind="thematic", theme="", reference_fte=None,
                       puis=[Pui.objects.get(code="pui-lille")], alignments=[])
    unit_remove(declaration=application.units.get(unit__rnsr=RNSR_IGBMC), by=coordinator)
    unit_update(declaration=application.units.get(unit__rnsr=RNSR_ICUBE), by=coordinator,
                permanent_researchers_fte=Decimal(1), scientific_lead="Quelqu'un d'autre",
                tutelles=[Structure.objects.get(code="unistra")])
    unit_declare(application=application, by=coordinator, rnsr=RNSR_OUTSIDE,
                 scientific_lead="Paolo Samorì",
                 managing_tutelle=Structure.objects.get(code="cnrs"),
                 tutelles=Structure.objects.filter(code="cnrs"),
                 permanent_researchers_fte=Decimal(40))
    Signature.objects.filter(structure__code="cnrs").delete()
    assert snapshot(application) != before

    # … and imports the file exported before.
    report = import_application(application=application, content=exported, by=coordinator)

    assert snapshot(application) == before
    assert report == ImportReport(application_changed=True, units_added=1, units_updated=1,
                                  units_removed=1, units_unchanged=1, signatures=2,
                                  signatures_recorded=1, signatures_removed=0)
    assert report.message().startswith("Import réussi : informations de la candidature")


def test_importing_the_export_unchanged_changes_nothing(application: Application,
                                                        coordinator: User) -> None:
    before, history = snapshot(application), AuditEvent.objects.count()
    report = import_application(application=application,
                                content=export_application(application), by=coordinator)
    assert snapshot(application) == before
    assert AuditEvent.objects.count() == history
    assert not report.changed
    assert report.units_unchanged == 3
    assert "rien n'a changé" in report.message()


def test_import_goes_through_the_services_and_is_in_the_history(
        application: Application, coordinator: User) -> None:
    def edit(workbook: Any) -> None:
        units = workbook[UNITS_SHEET]
        units.cell(row=2, column=column_of(units, "ETP recherche"), value="130,5")
        workbook[SIGNATURES_SHEET].delete_rows(3)  # unistra (sorted by code: cnrs, unistra)

    content = edited(export_application(application), edit)
    report = import_application(application=application, content=content, by=coordinator)
    assert (report.units_updated, report.signatures_removed) == (1, 1)
    changes = {(c.subject, c.field, c.old, c.new)
               for c in application_changes(application=application) if c.by == coordinator}
    assert (f"unité {RNSR_IGBMC}", "permanent_researchers_fte", "120.00", "130.50") in changes
    assert ("signature unistra", "retrait", "Michel Deneken (habilité)", "") in changes


def test_a_signature_kept_by_the_import_keeps_its_signed_pdf(application: Application,
                                                             coordinator: User) -> None:
    document = Signature.objects.get(structure__code="unistra").document.name
    content = edited(export_application(application),
                     lambda wb: wb[SIGNATURES_SHEET].cell(row=3, column=2, value="M. Deneken"))
    import_application(application=application, content=content, by=coordinator)
    signature = Signature.objects.get(structure__code="unistra")
    assert (signature.signatory.full_name, signature.document.name) == ("M. Deneken", document)


# --- Tolerance ------------------------------------------------------------------------------


def handmade(units: list[list[Any]], signatures: list[list[Any]]) -> bytes:
    """A file typed by hand: no « Candidature » sheet, headers in another case."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "unites"
    sheet.append(["rnsr", "responsable scientifique", "TUTELLE GESTIONNAIRE", "tutelles",
                  "ETP recherche permanents", "etp ingenieurs de recherche",
                  "Ingénieurs faisant de la recherche", "Partagée avec", "Unité incomplète"])
    for row in units:
        sheet.append(row)
    signataires = workbook.create_sheet("SIGNATAIRES")
    signataires.append(["Tutelle", "Signataire", "Habilitation", "Habilité",
                        "Date de signature"])
    for row in signatures:
        signataires.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_french_numbers_spaces_header_case_and_excel_cells_are_understood(
        application: Application, coordinator: User) -> None:
    content = handmade(
        units=[[f" {RNSR_ICUBE} ", "  Michel de Mathelin ", "unistra", "unistra ; CNRS",
                "1 212,5", "14,50", "OUI", None, "Non"],
               [RNSR_LIFE.lower(), None, "unistra", "unistra", 12, 0.5, True, "them-sante",
                False]],
        signatures=[["unistra", "Michel Deneken", "Président", "oui", "03/11/2025"],
                    ["CNRS", "Antoine Petit", None, False, date(2025, 12, 1)]])
    fields_before = snapshot(application)["fields"]
    import_application(application=application, content=content, by=coordinator)
    after = snapshot(application)
    assert after["fields"] == fields_before  # no « Candidature » sheet: fields kept
    assert after["units"] == {
        RNSR_ICUBE: ("Michel de Mathelin", "unistra", ["cnrs", "unistra"], Decimal("1212.50"),
                     Decimal("14.50"), True, None, False),
        RNSR_LIFE: (None, "unistra", ["unistra"], Decimal("12.00"), Decimal("0.50"), True,
                    "them-sante", False),
    }
    assert after["signatures"]["cnrs"][:4] == ("Antoine Petit", "", False, date(2025, 12, 1))
    assert after["signatures"]["unistra"][3] == date(2025, 11, 3)


# --- Refusals -------------------------------------------------------------------------------


def test_a_file_with_errors_is_refused_whole_with_every_error_located(
        application: Application, coordinator: User) -> None:
    def edit(workbook: Any) -> None:
        workbook[APPLICATION_SHEET]["B4"] = "hybride"  # Type
        units = workbook[UNITS_SHEET]  # rows by RNSR: 2 IGBMC, 3 LIFE, 4 ICube
        units.cell(row=2, column=1, value="2007175X")
        units.cell(row=2, column=column_of(units, "Unité incomplète"), value="peut-être")
        units.cell(row=3, column=column_of(units, "Tutelle gestionnaire"), value="mit")
        units.cell(row=4, column=column_of(units, "ETP recherche"), value="-2")
        units.cell(row=4, column=column_of(units, "Partagée avec"), value="them-ailleurs")
        units.cell(row=4, column=column_of(units, "Tutelles")).value = None
        units.append([RNSR_LIFE, "LIFE encore", "", "unistra", "unistra"])  # row 5
        units.append([RNSR_OUTSIDE[:-1] + "Z", "", "", "unistra", "unistra"])  # row 6
        signatures = workbook[SIGNATURES_SHEET]
        signatures.delete_cols(column_of(signatures, "Habilité"))
        signatures.append(["inrae", "Philippe Mauguin", "PDG", "12/13/2025"])  # row 4

    before, rows = snapshot(application), counts()
    errors = rejected(application, edited(export_application(application), edit), coordinator)

    located = [(e.sheet, e.row, e.column) for e in errors]
    assert located == [
        (APPLICATION_SHEET, 4, "Type"),
        (UNITS_SHEET, 2, "RNSR"),
        (UNITS_SHEET, 2, "Unité incomplète (oui/non)"),
        (UNITS_SHEET, 3, "Tutelle gestionnaire (code)"),
        (UNITS_SHEET, 4, "Tutelles (codes séparés par « ; »)"),
        (UNITS_SHEET, 4, "ETP recherche permanents 2025"),
        (UNITS_SHEET, 4, "Partagée avec (code de candidature)"),
        (UNITS_SHEET, 5, "RNSR"),
        (UNITS_SHEET, 6, "RNSR"),
        (SIGNATURES_SHEET, 1, "Habilité (oui/non)"),
        (SIGNATURES_SHEET, 4, "Tutelle (code)"),
        (SIGNATURES_SHEET, 4, "Date de signature (JJ/MM/AAAA)"),
    ]
    messages = [e.message for e in errors]
    assert "« hybride » : type inconnu" in messages[0]
    assert "n'est pas un numéro RNSR" in messages[1] and "(FAQ-2.18)" in messages[1]
    assert "« peut-être » : « oui » ou « non » attendu" in messages[2]
    assert "Structure inconnue du référentiel : « mit »" in messages[3]
    assert "Cellule vide" in messages[4]
    assert "positif ou nul" in messages[5]
    assert "« them-ailleurs » inconnue dans l'appel 2026" in messages[6]
    assert "(FAQ-2.17)" in messages[6]
    assert "déjà listée ligne 3" in messages[7] and "(FAQ-2.18)" in messages[7]
    assert "Unité inconnue du répertoire" in messages[8]
    assert "Colonne manquante" in messages[9]
    assert "n'est tutelle d'aucune unité" in messages[10]
    assert "JJ/MM/AAAA" in messages[11]
    assert str(errors[1]).startswith("feuille « Unités », ligne 2, colonne « RNSR » : ")
    assert snapshot(application) == before
    assert counts() == rows


def test_missing_sheets_and_columns_are_listed(application: Application,
                                               coordinator: User) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Unités"
    workbook.active.append(["RNSR", "Tutelles"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors = rejected(application, buffer.getvalue(), coordinator)
    assert (SIGNATURES_SHEET, None, None) in [(e.sheet, e.row, e.column) for e in errors]
    assert {e.column for e in errors if e.sheet == UNITS_SHEET} == {
        "Responsable scientifique", "Tutelle gestionnaire (code)",
        "ETP recherche permanents 2025", "ETP ingénieurs de recherche",
        "Ingénieurs faisant de la recherche (oui/non)", "Partagée avec (code de candidature)",
        "Unité incomplète (oui/non)"}


def test_a_file_for_another_application_is_refused(application: Application,
                                                   coordinator: User) -> None:
    other = Application.objects.get(code="them-sante")
    errors = rejected(other, export_application(application), coordinator)
    assert [(e.sheet, e.row, e.column) for e in errors] == [(APPLICATION_SHEET, 2, "Code")]


@pytest.mark.parametrize("content", [
    b"RNSR;Nom\n201220234K;ICube\n",
    b"%PDF-1.7 not a spreadsheet",
    b"PK\x03\x04 truncated zip",
    b"",
])
def test_a_file_that_is_not_a_spreadsheet_is_refused(application: Application,
                                                     coordinator: User, content: bytes) -> None:
    before, rows = snapshot(application), counts()
    errors = rejected(application, content, coordinator)
    assert len(errors) == 1
    assert (errors[0].sheet, errors[0].row, errors[0].column) == (None, None, None)
    assert "n'est pas un classeur lisible" in errors[0].message
    assert (snapshot(application), counts()) == (before, rows)


def test_import_into_a_submitted_application_is_refused(application: Application,
                                                        coordinator: User) -> None:
    exported = export_application(application)
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    before, rows = snapshot(application), counts()
    errors = rejected(application, exported, coordinator)
    assert len(errors) == 1
    assert "« Déposée » : elle n'est plus modifiable" in errors[0].message
    assert (snapshot(application), counts()) == (before, rows)


def test_a_service_refusal_while_applying_undoes_everything(
        application: Application, coordinator: User, monkeypatch: Any) -> None:
    def refuse(**_: Any) -> None:
        raise ServiceError("Refus simulé.")

    content = edited(export_application(application),
                     lambda wb: wb[UNITS_SHEET].delete_rows(2))  # IGBMC removed…
    monkeypatch.setattr(spreadsheet, "signature_record", refuse)  # …then a refusal
    Signature.objects.filter(structure__code="cnrs").delete()  # so that one is recorded
    before, rows = snapshot(application), counts()
    errors = rejected(application, content, coordinator)
    assert [e.message for e in errors] == ["Refus simulé."]
    assert (snapshot(application), counts()) == (before, rows)


def test_a_file_over_the_upload_limit_is_refused(application: Application, coordinator: User,
                                                 settings: Any) -> None:
    content = export_application(application)
    settings.MAX_UPLOAD_BYTES = len(content) - 1
    errors = rejected(application, content, coordinator)
    assert [e.message for e in errors] == [
        f"Fichier trop volumineux ({len(content)} octets ; au plus {len(content) - 1})."]


def test_a_missing_field_of_the_application_sheet_is_named(application: Application,
                                                           coordinator: User) -> None:
    content = edited(export_application(application),
                     lambda wb: wb[APPLICATION_SHEET].delete_rows(5))  # Coordinateur
    errors = rejected(application, content, coordinator)
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        (APPLICATION_SHEET, None, "Coordinateur (code de la structure)")]
