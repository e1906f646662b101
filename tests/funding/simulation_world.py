"""A small call for the what-if simulation's tests, its figures checkable by hand.

Call 2026, envelope 7 520 000,00 € (752 000 000 c: the sum of the abondement bases, so that each
consortium's pro-rata share is exactly its base). All three consortia are admissible; every
contract's revenue is invoiced in 2025 (the threshold and abondement year).

* terr-alsace (territorial, PUI Strasbourg, coordinator ``coordo``): units SHARED (shared with
  them-materiaux) and OWN.
* them-materiaux (thematic, coordinator ``autre-coordo``): units SHARED and THEM_OWN (tutelles
  CNRS and UHA, a partner of the PUI of Strasbourg).
* carnot4-mica (former Carnot 4): MICA_A and MICA_B; 2019 perimeter 60 + 40 FTE, 50 + 36 kept
  (86 %); 1 500 000 € invoiced by each unit in 2023, 2024, 2025 and 1 365 000 € in 2026 (91 %):
  guaranteed, 80 % × 1 234 567,89 € → floor 98 765 431 c, far below its share.
* EXTRA: a unit of the directory that no application declares (tutelles UHA and Inserm —
  Inserm has signed nothing), with one SME contract of 100 000 € invoiced in 2025.

Contracts (2025 invoiced): SHARED/C-S1 large, 2 000 000 € (total 3 000 000 €); OWN/C-O1 SME,
1 000 000 € (total 1 500 000 €); OWN/C-O2 SME, 20 000 € (total 20 000 €: above the SME threshold
of 15 k€, below the general one of 30 k€); THEM_OWN/C-T1 large, 1 500 000 € (total 2 000 000 €).

Bases (FAQ-2.22: a shared unit counts in full for the threshold, half for the abondement):

* thresholds: terr 2 000 000 + 1 000 000 + 20 000 = 3 020 000 €; them 3 500 000 €; mica
  3 000 000 € (all above 2 500 000 €);
* abondement: terr 100 000 000 + 100 000 000 + 2 000 000 = 202 000 000 c; them 100 000 000 +
  150 000 000 = 250 000 000 c; mica 300 000 000 c; total 752 000 000 c = the envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from carnot.accounts.models import Role
from carnot.applications.models import (
    Application,
    ApplicationUnit,
    FormerCarnotReference,
    Signature,
)
from carnot.funding.models import InvoicedAmount, Partner, ResearchContract
from carnot.registry.models import Call, Person, Structure, Unit
from tests.web.factories import make_call, make_pui, make_user

SHARED, OWN, THEM_OWN = "200919143B", "201119876B", "201522222C"
MICA_A, MICA_B, EXTRA = "201420777F", "201220344C", "201733333D"
ENVELOPE = 752_000_000
BASES = {"terr-alsace": 202_000_000, "them-materiaux": 250_000_000,
         "carnot4-mica": 300_000_000}


@dataclass
class SimulationWorld:
    call: Call
    officer: User
    association: User
    coordinator: User
    other_coordinator: User
    unit_lead: User
    terr: Application
    them: Application
    mica: Application


def _structure(code: str, kind: str = "university", region: str = "Grand Est") -> Structure:
    return Structure.objects.create(code=code, name=code.upper(), kind=kind, region=region)


def _unit(rnsr: str, tutelles: list[Structure]) -> Unit:
    unit = Unit.objects.create(rnsr=rnsr, name=f"Unité {rnsr}", managing_tutelle=tutelles[0])
    unit.tutelles.set(tutelles)
    return unit


def _declare(application: Application, unit: Unit, fte: str, lead: str,
             shared_with: Application | None = None) -> None:
    declaration = ApplicationUnit.objects.create(
        application=application, unit=unit, managing_tutelle=unit.managing_tutelle,
        scientific_lead=Person.objects.create(full_name=lead),
        permanent_researchers_fte=Decimal(fte), shared_with=shared_with)
    declaration.tutelles.set(unit.tutelles.all())


def _sign(application: Application, *structures: Structure) -> None:
    for structure in structures:
        Signature.objects.create(application=application, structure=structure,
                                 signatory=Person.objects.create(
                                     full_name=f"Signataire {structure.code}"))


def _contract(unit: Unit, reference: str, category: str, total: int,
              invoiced: dict[int, int]) -> ResearchContract:
    partner, _ = Partner.objects.get_or_create(
        key=f"ext:{category}", defaults={"name": f"Partenaire {category}",
                                         "foreign_identifier": category, "category": category,
                                         "category_year": 2024})
    contract = ResearchContract.objects.create(
        unit=unit, partner=partner, reference=reference, total_cents=total,
        signed_on=date(2024, 6, 1), partner_category=category, partner_category_year=2024)
    for year, cents in invoiced.items():
        InvoicedAmount.objects.create(contract=contract, year=year, amount_cents=cents)
    return contract


def build_simulation_world() -> SimulationWorld:
    """Create the call described in the module's docstring (needs the database)."""
    call = make_call(2026)
    call.parameter_overrides = {"envelope": "7520000.00"}
    call.save(update_fields=["parameter_overrides"])
    officer = make_user(Role.PROGRAMME_OFFICER, "charge")
    association = make_user(Role.ASSOCIATION_STAFF, "association")
    coordinator = make_user(Role.COORDINATOR, "coordo")
    other_coordinator = make_user(Role.COORDINATOR, "autre-coordo")
    unit_lead = make_user(Role.UNIT_LEAD, "responsable")
    unistra, uha = _structure("unistra"), _structure("uha")
    cnrs = _structure("cnrs", "epst", "Île-de-France")
    inserm = _structure("inserm", "epst", "Île-de-France")
    uca = _structure("uca", region="Auvergne-Rhône-Alpes")
    pui = make_pui("pui-strasbourg", [unistra])
    pui.partners.set([uha])
    shared, own = _unit(SHARED, [unistra, cnrs]), _unit(OWN, [uha])
    them_own = _unit(THEM_OWN, [cnrs, uha])
    mica_a, mica_b = _unit(MICA_A, [uca]), _unit(MICA_B, [uca, cnrs])
    extra = _unit(EXTRA, [uha, inserm])
    own.leads.add(unit_lead)

    terr = Application.objects.create(call=call, code="terr-alsace", name="Carnot Alsace",
                                      kind="territorial", coordinator=unistra)
    terr.puis.set([pui])
    terr.owners.add(coordinator)
    them = Application.objects.create(call=call, code="them-materiaux", name="Matériaux",
                                      kind="thematic", coordinator=cnrs,
                                      theme="Matériaux avancés")
    them.owners.add(other_coordinator)
    them.alignments.create(kind="PEPR", name="DIADEM")
    mica = Application.objects.create(call=call, code="carnot4-mica", name="Carnot MICA",
                                      kind="former_carnot", coordinator=uca)
    FormerCarnotReference.objects.create(
        application=mica, perimeter_2019={MICA_A: 60, MICA_B: 40},
        units_by_year={str(year): [MICA_A, MICA_B] for year in (2023, 2024, 2025, 2026)},
        reference_abondement_cents=123_456_789)
    _declare(terr, shared, "60", "Anne Martin", shared_with=them)
    _declare(terr, own, "20", "Luc Weber")
    _declare(them, shared, "60", "Anne Martin", shared_with=terr)
    _declare(them, them_own, "30", "Sophie Lambert")
    _declare(mica, mica_a, "50", "Paul Durand")
    _declare(mica, mica_b, "36", "Julie Roux")
    _sign(terr, unistra, cnrs, uha)
    _sign(them, unistra, cnrs, uha)
    _sign(mica, uca, cnrs)

    _contract(shared, "C-S1", "large", 300_000_000, {2025: 200_000_000})
    _contract(own, "C-O1", "sme", 150_000_000, {2025: 100_000_000})
    _contract(own, "C-O2", "sme", 2_000_000, {2025: 2_000_000})
    _contract(them_own, "C-T1", "large", 200_000_000, {2025: 150_000_000})
    for unit in (mica_a, mica_b):
        _contract(unit, "C-MICA", "large", 2_000_000_000,
                  {2023: 150_000_000, 2024: 150_000_000, 2025: 150_000_000,
                   2026: 136_500_000})
    _contract(extra, "C-E1", "sme", 10_000_000, {2025: 10_000_000})
    return SimulationWorld(call=call, officer=officer, association=association,
                           coordinator=coordinator, other_coordinator=other_coordinator,
                           unit_lead=unit_lead, terr=terr, them=them, mica=mica)
