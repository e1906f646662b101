"""JSON API of the contract ledgers: contracts per unit and per consortium, with their
eligibility, one contract, and imports — with exactly the pages' permissions
(``applications.ledgers.permissions``): a ledger the caller may not read answers 404, an import
the caller's role may not make 403, anonymous requests 401, a refused file 422 with every error
located (row, column, rule). The API's import is synchronous (the pages run it as a job with a
progress bar)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import File, Query, Router, Status, UploadedFile

from carnot.applications.ledgers.forms import CONTRACT_FILTERS
from carnot.applications.ledgers.jobs import error_as_dict, report_as_dict
from carnot.applications.ledgers.permissions import (
    importable_application_or_403,
    importable_unit_or_403,
    ledger_application_or_404,
    ledger_contract_or_404,
    ledger_unit_or_404,
    readable_ledger_units,
)
from carnot.applications.ledgers.schemas import (
    ERRORS,
    ApplicationLedgerOut,
    CallQuery,
    ContractDetailOut,
    ContractsQuery,
    LedgerImportReportOut,
    LedgerQuery,
    LedgerRejectedOut,
    UnitLedgerOut,
    application_ledger_out,
    category_explanation_out,
    contract_out,
    unit_ledger_out,
)
from carnot.applications.ledgers.selectors import consortium_ledger
from carnot.applications.selectors import latest_call
from carnot.common.errors import ServiceError
from carnot.common.requests import signed_in_user
from carnot.common.sheets import SheetError
from carnot.ledgers.checking import too_big
from carnot.ledgers.format import MAX_BYTES, LedgerRejected
from carnot.ledgers.selectors import contract_ledger_row, partner_category_explanation, unit_ledger
from carnot.ledgers.services import ledger_import
from carnot.registry.models import Call, Unit

if TYPE_CHECKING:

    from carnot.applications.models import Application

router = Router(tags=["registres"])

IMPORT_RESPONSES: dict[int, Any] = {200: LedgerImportReportOut, **ERRORS, 422: LedgerRejectedOut}
APPLICATION = "/{int:year}/{code}/contrats"



def _call(year: int | None) -> Call | None:
    """The call of ``year``, or the latest one; an unknown year is refused (422)."""
    if year is None:
        return latest_call()
    call = Call.objects.filter(year=year).first()
    if call is None:
        raise ServiceError({"appel": f"Aucun appel Carnot pour l'année {year}."})
    return call


def _abondement_years(call: Call | None) -> tuple[int, ...]:
    return call.parameters().abondement_revenue_years() if call is not None else ()


@router.get("/unites/{rnsr}/contrats", response={200: UnitLedgerOut, **ERRORS},
            summary="Registre des contrats d'une unité")
def list_unit_contracts(request: HttpRequest, rnsr: str,
                        query: Query[LedgerQuery]) -> dict[str, Any]:
    """The unit's leads, coordinators of an application declaring it, officers, association
    staff, administrators: every contract of the unit with its eligibility for the abondement
    of the call ``appel`` (the latest by default) — the rule that decided and why — and the
    totals per year of what counts (over all contracts, whatever the filter ``contrats``)."""
    unit = ledger_unit_or_404(request.user, rnsr)
    call = _call(query.appel)
    ledger = unit_ledger(unit=unit, call=call, only=CONTRACT_FILTERS.get(query.contrats or "", ""))
    return unit_ledger_out(ledger, _abondement_years(call))


@router.get(APPLICATION, response={200: ApplicationLedgerOut, **ERRORS},
            summary="Registre des contrats d'un consortium")
def list_application_contracts(request: HttpRequest, year: int, code: str,
                               query: Query[ContractsQuery]) -> dict[str, Any]:
    """Whoever may see the application: its units' contracts (each unit's only for those who
    may read its ledger: a unit lead sees its own units) under the application's call, with
    the totals of what counts per unit and overall."""
    application = ledger_application_or_404(request.user, year, code)
    ledger = consortium_ledger(application=application,
                               units=readable_ledger_units(request.user, application),
                               only=CONTRACT_FILTERS.get(query.contrats or "", ""))
    return application_ledger_out(ledger, _abondement_years(application.call))


@router.get("/contrats/{int:contract_id}", response={200: ContractDetailOut, **ERRORS},
            summary="Un contrat de recherche")
def get_contract(request: HttpRequest, contract_id: int,
                 query: Query[CallQuery]) -> dict[str, Any]:
    """Those who may read the unit's ledger: the contract in full, its eligibility under the
    call ``appel`` (the latest by default), and why its partner has its category."""
    contract = ledger_contract_or_404(request.user, contract_id)
    call = _call(query.appel)
    row = contract_ledger_row(contract=contract, call=call)
    return {**contract_out(row), "call_year": call.year if call is not None else None,
            "category_explanation": category_explanation_out(
                partner_category_explanation(contract=contract))}


def _import(request: HttpRequest, file: UploadedFile, *, unit: Unit | None = None,
            application: Application | None = None) -> Status[dict[str, Any]]:
    if file.size is not None and file.size > MAX_BYTES:
        errors = [SheetError(None, None, None, too_big(file.size))]
        return Status(422, _rejected(errors))
    units = (list(Unit.objects.filter(declarations__application=application))
             if application is not None else None)
    try:
        report = ledger_import(content=file.read(), filename=file.name or "registre",
                                        by=signed_in_user(request), unit=unit, units=units)
    except LedgerRejected as rejected:
        return Status(422, _rejected(rejected.errors))
    return Status(200, report_as_dict(report))


def _rejected(errors: list[SheetError]) -> dict[str, Any]:
    located = [error_as_dict(error) for error in errors]
    by_place: dict[str, list[str]] = {}
    for error in errors:
        place = " ".join(part for part in (
            f"ligne {error.row}" if error.row is not None else "",
            f"colonne « {error.column} »" if error.column else "") if part) or "fichier"
        by_place.setdefault(place, []).append(error.message)
    count = len(errors)
    return {"detail": f"Fichier refusé : {count} erreur{'s' if count > 1 else ''} ; rien n'a "
                      "été enregistré.", "errors": by_place, "located": located}


@router.post("/unites/{rnsr}/contrats/import", response=IMPORT_RESPONSES,
             summary="Importer le registre d'une unité")
def import_unit_ledger(request: HttpRequest, rnsr: str,
                       file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """The unit's leads, coordinators of an application declaring it, administrators: import
    the unit's ledger (multipart, field ``file``: CSV or XLSX; the RNSR column may be left
    out). All or nothing: a refused file (422) lists every error with its row, column and
    rule; re-importing the same file changes nothing."""
    unit = importable_unit_or_403(request.user, rnsr)
    return _import(request, file, unit=unit)


@router.post(APPLICATION + "/import", response=IMPORT_RESPONSES,
             summary="Importer le registre d'un consortium")
def import_application_ledger(request: HttpRequest, year: int, code: str,
                              file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """The application's coordinators, administrators: import the ledger of the consortium's
    units (multipart, field ``file``: CSV or XLSX with an RNSR column); a row of a unit the
    application does not declare is an error. All or nothing, as for a unit."""
    application = importable_application_or_403(request.user, year, code)
    return _import(request, file, application=application)
