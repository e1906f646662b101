"""A small national call built on the platform, for the funding scenario tests.

``Platform`` makes what a call needs in the database — structures, PUIs, units of the directory,
consortia made admissible (one scientific lead per unit, FTE of the reference year, every tutelle
and the coordinator signed: FAQ-2.18) — and drives the funding services as users would: a
ledger CSV imported by ``ledger_import``, an allocation run by a programme officer, published
and turned into grants, expenditures recorded by the consortium's coordinator.

``LedgerLine`` is one contract of a ledger file as a French spreadsheet exports it (« 45 000,00 € »,
« 14/03/2025 », « oui/non »); ``ledger_csv`` writes the file with a « Facturé AAAA » column for each
year any line invoiced.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from stdnum import luhn

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationRun, Grant
from carnot.allocation.services import allocation_publish, allocation_run, grants_from_published_run
from carnot.applications.models import (
    Application,
    ApplicationUnit,
    FormerCarnotReference,
    Signature,
)
from carnot.ledgers.format import LedgerImportReport
from carnot.ledgers.models import InvoicedAmount, Partner, ResearchContract
from carnot.ledgers.services import ledger_import
from carnot.registry.models import Call, Person, Pui, Structure, Unit
from carnot.spending.models import Expenditure, ExpenditureCategory
from carnot.spending.services import expenditure_record
from tests.web.factories import make_application, make_call, make_user

REGIONS = {"university": "Grand Est", "epst": "Île-de-France", "epic": "Île-de-France",
           "school": "Auvergne-Rhône-Alpes"}


def siren_of(name: str) -> str:
    """A valid SIREN (Luhn key computed) for a partner's name, the same for the same name."""
    body = f"{zlib.crc32(name.encode()) % 90_000_000 + 10_000_000:08d}"
    return body + luhn.calc_check_digit(body)


@dataclass(frozen=True)
class LedgerLine:
    """One contract of a ledger file, written as a French spreadsheet exports it."""

    rnsr: str
    reference: str
    partner: str
    category: str
    """As the file writes it: « PME », « ETI », « GE »…"""
    total: str
    """« 20 000,00 € »"""
    signed_on: str
    """« 01/04/2025 »"""
    invoiced: dict[int, str] = field(default_factory=dict)
    cifre: str = "non"


def ledger_csv(*lines: LedgerLine) -> bytes:
    """The ledger file (UTF-8, « ; » separated): the usual columns, then « Facturé AAAA »."""
    years = sorted({year for line in lines for year in line.invoiced})
    header = ["RNSR", "Référence contrat", "Partenaire", "SIREN/SIRET", "Catégorie",
              "Montant total HT", "Date de signature", "CIFRE", "Dans la thématique",
              *(f"Facturé {year}" for year in years)]
    rows = [";".join(header)]
    rows += [";".join([line.rnsr, line.reference, line.partner, siren_of(line.partner),
                       line.category, line.total, line.signed_on, line.cifre, "oui",
                       *(line.invoiced.get(year, "") for year in years)])
             for line in lines]
    return "\r\n".join(rows).encode()


@dataclass(frozen=True)
class Member:
    """A unit as a consortium declares it: its permanent researchers' FTE (of 2025, the
    reference year: FAQ-2.15)."""

    unit: Unit
    fte: int


@dataclass
class Platform:
    """The platform of one call, with the users who act on it."""

    call: Call
    officer: User
    coordinator: User
    administrator: User
    structures: dict[str, Structure] = field(default_factory=dict)

    @classmethod
    def open(cls, year: int = 2026) -> Platform:
        return cls(call=make_call(year), officer=make_user(Role.PROGRAMME_OFFICER, "charge"),
                   coordinator=make_user(Role.COORDINATOR, "coordo"),
                   administrator=make_user(Role.ADMINISTRATOR, "admin"))

    # --- the registry ------------------------------------------------------------------------

    def structure(self, code: str, kind: str = "university") -> Structure:
        if code not in self.structures:
            self.structures[code] = Structure.objects.create(
                code=code, name=code.upper(), kind=kind, region=REGIONS.get(kind, "Grand Est"))
        return self.structures[code]

    def pui(self, code: str, founders: Sequence[str], partners: Sequence[str] = ()) -> Pui:
        pui = Pui.objects.create(code=code, name=f"PUI {code}")
        pui.founders.set([self.structures[founder] for founder in founders])
        pui.partners.set([self.structures[partner] for partner in partners])
        return pui

    def unit(self, rnsr: str, *tutelles: str) -> Unit:
        """A unit of the directory; its managing tutelle is the first one."""
        unit = Unit.objects.create(rnsr=rnsr, name=f"Unité {rnsr}",
                                   managing_tutelle=self.structures[tutelles[0]])
        unit.tutelles.set([self.structures[code] for code in tutelles])
        return unit

    # --- consortia ---------------------------------------------------------------------------

    def consortium(self, code: str, kind: str, coordinator: str, members: list[Member], *,
                   puis: Sequence[Pui] = (), theme: str = "") -> Application:
        """An application of the coordinator's, made admissible: each unit with one scientific
        lead, its tutelles and FTE; a thematic consortium with a theme aligned on a PEPR and a
        CSF (FAQ-2.27); every tutelle of its units, and its coordinator, signed (FAQ-2.18)."""
        application = make_application(self.call, self.coordinator, code, kind,
                                       self.structures[coordinator], puis)
        if kind == "thematic":
            application.theme = theme or f"Thématique {code}"
            application.save(update_fields=["theme"])
            application.alignments.create(kind="PEPR", name="DIADEM")
            application.alignments.create(kind="CSF", name="Industries pour la construction")
        signers = {coordinator}
        for member in members:
            declare_unit(application, member.unit, str(member.fte))
            signers |= {tutelle.code for tutelle in member.unit.tutelles.all()}
        sign_for(application, *(self.structures[signer] for signer in sorted(signers)))
        return application

    @staticmethod
    def share(unit: Unit, first: Application, second: Application) -> None:
        """Declare ``unit`` shared between the two consortia, on both sides (FAQ-2.17)."""
        ApplicationUnit.objects.filter(application=first, unit=unit).update(shared_with=second)
        ApplicationUnit.objects.filter(application=second, unit=unit).update(shared_with=first)

    @staticmethod
    def former_carnot(application: Application, perimeter_2019: dict[str, int],
                      reference_abondement_cents: int) -> None:
        """What the 2019 call labelled: its perimeter's FTE, its units present every year of
        2023–2026, and the abondement the guarantee is computed on (FAQ-3.4 to 3.7)."""
        FormerCarnotReference.objects.create(
            application=application, perimeter_2019=perimeter_2019,
            units_by_year={str(year): sorted(perimeter_2019) for year in range(2023, 2027)},
            reference_abondement_cents=reference_abondement_cents)

    # --- the funding services ----------------------------------------------------------------

    def import_ledger(self, *lines: LedgerLine) -> LedgerImportReport:
        return ledger_import(content=ledger_csv(*lines), filename="registre.csv",
                             by=self.administrator)

    def run(self, envelope_cents: int | None = None) -> AllocationRun:
        return allocation_run(call=self.call, envelope_cents=envelope_cents, overrides=None,
                              by=self.officer)

    def publish_and_grant(self, run: AllocationRun) -> dict[str, Grant]:
        """Publish the run and turn it into grants; the grants by consortium code."""
        published = allocation_publish(run=run, by=self.officer)
        return {grant.application.code: grant
                for grant in grants_from_published_run(run=published, by=self.officer)}

    def spend(self, application: Application, spent_on: date, amount_cents: int,
              ) -> list[Expenditure]:
        return expenditure_record(
            application=application, spent_on=spent_on, amount_cents=amount_cents,
            category=ExpenditureCategory.EQUIPMENT.value, description="Banc d'essai",
            by=self.coordinator)


# --- Small consortia by hand (the worlds of the allocation, results and simulation tests) ------

def new_structure(code: str, kind: str = "university", *, region: str = "Grand Est",
                  name: str = "") -> Structure:
    return Structure.objects.create(code=code, name=name or code.upper(), kind=kind,
                                    region=region)


def declare_unit(application: Application, unit: Unit, fte: str, lead: str = "",
                 shared_with: Application | None = None) -> None:
    """``unit`` declared by ``application`` with its tutelles and a scientific lead."""
    declaration = ApplicationUnit.objects.create(
        application=application, unit=unit, managing_tutelle=unit.managing_tutelle,
        scientific_lead=Person.objects.create(full_name=lead or f"Responsable {unit.rnsr}"),
        permanent_researchers_fte=Decimal(fte), shared_with=shared_with)
    declaration.tutelles.set(unit.tutelles.all())


def sign_for(application: Application, *structures: Structure) -> None:
    """The commitment document signed by each of ``structures``."""
    for structure in structures:
        Signature.objects.create(application=application, structure=structure,
                                 signatory=Person.objects.create(
                                     full_name=f"Signataire {structure.code}"))


def new_contract(unit: Unit, reference: str, category: str, total: int,
                 invoiced: dict[int, int], *, signed_on: date = date(2022, 6, 1),
                 ) -> ResearchContract:
    """A contract with a foreign partner of ``category`` (established in 2024)."""
    partner, _ = Partner.objects.get_or_create(
        key=f"ext:{category}", defaults={"name": f"Partenaire {category}",
                                         "foreign_identifier": category, "category": category,
                                         "category_year": 2024})
    contract = ResearchContract.objects.create(
        unit=unit, partner=partner, reference=reference, total_cents=total,
        signed_on=signed_on, partner_category=category, partner_category_year=2024)
    for year, cents in invoiced.items():
        InvoicedAmount.objects.create(contract=contract, year=year, amount_cents=cents)
    return contract
