"""Expectations for the contract ledgers (``src/carnot/applications/ledgers/views.py`` and
``src/carnot/applications/ledgers/api.py``).

A unit's ledger (the world's ``unit``, declared by the target application) is read by its lead,
the target's coordinator (an application declaring it), programme officers, association staff
and the administrator; the other coordinator gets 404 (and, on the other unit's ledger, it is
the target's coordinator and the unit's lead who get 404). Its import: the lead, the
coordinator, the administrator; officers and association staff get 403. A consortium's ledger:
whoever may see the application; its import: its coordinator and the administrator (the unit's
lead gets 403). An import page answers 302 to the job's page (the job itself never starts here:
its thread waits for a commit that the matrix's savepoint never makes); the API imports at once
(200). An import job is seen by who started it (here the coordinator) and administrators only.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum import luhn

from carnot.applications.models import LedgerImportJob
from tests.web.permissions.core import Expect, World, statuses

UNIT_READ_PAGE = statuses(anonymous=302, other_coordinator=404, default=200)
UNIT_READ_API = statuses(anonymous=401, other_coordinator=404, default=200)
OTHER_UNIT_READ_PAGE = statuses(anonymous=302, coordinator=404, unit_lead=404, default=200)
OTHER_UNIT_READ_API = statuses(anonymous=401, coordinator=404, unit_lead=404, default=200)


def _unit_import_page(success: int) -> dict[str, int]:
    return statuses(anonymous=302, other_coordinator=404, programme_officer=403,
                    association_staff=403, default=success)


def _application_import_page(success: int) -> dict[str, int]:
    return statuses(anonymous=302, other_coordinator=404, unit_lead=403, programme_officer=403,
                    association_staff=403, default=success)


UNIT_IMPORT_API = statuses(anonymous=401, other_coordinator=404, programme_officer=403,
                           association_staff=403, default=200)
APPLICATION_IMPORT_API = statuses(anonymous=401, other_coordinator=404, unit_lead=403,
                                  programme_officer=403, association_staff=403, default=200)
JOB = statuses(anonymous=302, coordinator=200, administrator=200, default=404)


def _siren(seed: int) -> str:
    body = f"{seed:08d}"
    return body + luhn.calc_check_digit(body)


def _ledger(w: World) -> dict[str, Any]:
    """A ledger file of one new contract of the world's unit (fresh for each role)."""
    text = ("RNSR;Référence contrat;Partenaire;SIREN/SIRET;Catégorie;Montant total HT;"
            "Date de signature;Facturé 2025\r\n"
            f"{w.unit.rnsr};ICUBE-2025-099;Lumière SAS;{_siren(7777777)};PME;20 000,00 €;"
            "02/06/2025;5 000,00\r\n")
    return {"file": SimpleUploadedFile("registre.csv", text.encode(), "text/csv")}


def _other_unit(w: World) -> dict[str, Any]:
    return {"rnsr": w.other_unit.rnsr}


def _other_contract(w: World) -> dict[str, Any]:
    return {"contract_id": w.other_contract.pk}


def _other_application(w: World) -> dict[str, Any]:
    return {"year": w.call.year, "code": w.other_application.code}


def _job(w: World) -> dict[str, Any]:
    """An import job started by the coordinator (inside the role's savepoint)."""
    job = LedgerImportJob.objects.create(by=w.user("coordinator"), unit=w.unit,
                                         filename="registre.csv")
    return {"job": job.pk}


EXPECTATIONS = [
    # Pages: ledgers.
    Expect("funding:ledger-unit", UNIT_READ_PAGE),
    Expect("funding:ledger-unit", OTHER_UNIT_READ_PAGE, kwargs=_other_unit, case="other unit"),
    Expect("funding:ledger-application", UNIT_READ_PAGE),
    Expect("funding:ledger-application",
           statuses(anonymous=302, coordinator=404, unit_lead=404, default=200),
           kwargs=_other_application, case="other application"),
    Expect("funding:ledger-contract", UNIT_READ_PAGE),
    Expect("funding:ledger-contract", OTHER_UNIT_READ_PAGE, kwargs=_other_contract,
           case="other unit"),
    # Pages: imports.
    Expect("funding:ledger-unit-import", _unit_import_page(200)),
    Expect("funding:ledger-unit-import", _unit_import_page(302), method="POST", data=_ledger),
    Expect("funding:ledger-application-import", _application_import_page(200)),
    Expect("funding:ledger-application-import", _application_import_page(302), method="POST",
           data=_ledger),
    Expect("funding:ledger-import-job", JOB, kwargs=_job),
    Expect("funding:ledger-import-status", JOB, kwargs=_job),
    Expect("funding:ledger-template", statuses(anonymous=302, default=200)),
    # API.
    Expect("api:list_unit_contracts", UNIT_READ_API),
    Expect("api:list_unit_contracts", OTHER_UNIT_READ_API, kwargs=_other_unit,
           case="other unit"),
    Expect("api:list_application_contracts", UNIT_READ_API),
    Expect("api:get_contract", UNIT_READ_API),
    Expect("api:get_contract", OTHER_UNIT_READ_API, kwargs=_other_contract, case="other unit"),
    Expect("api:import_unit_ledger", UNIT_IMPORT_API, method="POST", data=_ledger),
    Expect("api:import_application_ledger", APPLICATION_IMPORT_API, method="POST",
           data=_ledger),
]
