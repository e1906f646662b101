"""A small national call whose allocation gives money, for the tests of published results
(pages, letter, charts, API). Figures by hand (call 2026, envelope 62 000 000,00 €):

* terr-alsace (territorial, PUI Strasbourg, coordinated by the Université de Strasbourg): unit
  200919143B shared with them-materiaux, and its own unit 201119876B. them-materiaux (thematic,
  CNRS): the shared unit only. Shared unit: 3 000 000,01 € invoiced in 2025; own unit:
  1 000 000,00 €. FAQ-2.22 — threshold bases count the shared unit in full: terr
  4 000 000,01 €, them 3 000 000,01 €; abondement bases split it 50/50 (the odd cent to the
  first by id): terr 2 500 000,01 €, them 1 500 000,00 €.
* carnot4-mica (former Carnot 4): 86 % of its 2019 FTE kept, 2026 revenue 91 % of 2023–2025:
  guaranteed 80 % of 1 234 567,89 € = 987 654,31 €; abondement base 3 000 000,00 €.
* Pro rata of the envelope over 7 000 000,01 € of bases (largest remainders): terr
  22 142 857,20 €, them 13 285 714,27 €, mica 26 571 428,53 € — every share above the floor.

``terr-alsace`` also has a grant of 2025 (an earlier call, 1 000 000,00 €) for the charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from carnot.accounts.models import Role
from carnot.applications.models import (
    Application,
    ApplicationUnit,
    FormerCarnotReference,
    Signature,
)
from carnot.funding.models import AllocationRun, Grant, InvoicedAmount, Partner, ResearchContract
from carnot.funding.services import allocation_publish, allocation_run
from carnot.registry.models import Call, CallStatus, Person, Structure, Unit
from tests.web.factories import make_call, make_pui, make_user

SHARED, TERR_OWN, MICA_A, MICA_B = "200919143B", "201119876B", "201420777F", "201220344C"
ENVELOPE = 6_200_000_000
TERR_AMOUNT = 2_214_285_720
THEM_AMOUNT = 1_328_571_427
MICA_AMOUNT = 2_657_142_853
MICA_FLOOR = 98_765_431
EARLIER_GRANT = 100_000_000


@dataclass
class ResultsWorld:
    call: Call
    officer: User
    coordinator: User
    other_coordinator: User
    terr: Application
    them: Application
    mica: Application
    shared: Unit
    own: Unit

    def run(self, *, publish: bool = True) -> AllocationRun:
        """A run of the call (published unless told otherwise)."""
        run = allocation_run(call=self.call, envelope_cents=None, overrides=None,
                             by=self.officer)
        return allocation_publish(run=run, by=self.officer) if publish else run


def _structure(code: str, kind: str = "university", name: str = "") -> Structure:
    return Structure.objects.create(code=code, name=name or code.upper(), kind=kind,
                                    region="Grand Est")


def _unit(rnsr: str, tutelles: list[Structure]) -> Unit:
    unit = Unit.objects.create(rnsr=rnsr, name=f"Unité {rnsr}", managing_tutelle=tutelles[0])
    unit.tutelles.set(tutelles)
    return unit


def _declare(application: Application, unit: Unit, fte: str,
             shared_with: Application | None = None) -> None:
    declaration = ApplicationUnit.objects.create(
        application=application, unit=unit, managing_tutelle=unit.managing_tutelle,
        scientific_lead=Person.objects.create(full_name=f"Responsable {unit.rnsr}"),
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
        signed_on=date(2022, 6, 1), partner_category=category, partner_category_year=2024)
    for year, cents in invoiced.items():
        InvoicedAmount.objects.create(contract=contract, year=year, amount_cents=cents)
    return contract


def build_results_world() -> ResultsWorld:
    """The call above in the database (needs ``django_db``); no run yet."""
    call = make_call(2026)
    officer = make_user(Role.PROGRAMME_OFFICER, "charge")
    coordinator = make_user(Role.COORDINATOR, "coordo")
    other_coordinator = make_user(Role.COORDINATOR, "coordo-them")
    unistra = _structure("unistra", name="Université de Strasbourg")
    uha = _structure("uha", name="Université de Haute-Alsace")
    cnrs = _structure("cnrs", "epst", "CNRS")
    uca = _structure("uca", name="Université Clermont Auvergne")
    pui = make_pui("pui-strasbourg", [unistra])
    pui.partners.set([uha])
    shared, own = _unit(SHARED, [unistra, cnrs]), _unit(TERR_OWN, [uha])
    mica_a, mica_b = _unit(MICA_A, [uca]), _unit(MICA_B, [uca, cnrs])

    terr = Application.objects.create(call=call, code="terr-alsace", name="Carnot Alsace",
                                      kind="territorial", coordinator=unistra)
    terr.puis.set([pui])
    terr.owners.add(coordinator)
    them = Application.objects.create(call=call, code="them-materiaux", name="Matériaux",
                                      kind="thematic", coordinator=cnrs,
                                      theme="Matériaux avancés")
    them.alignments.create(kind="PEPR", name="DIADEM")
    them.alignments.create(kind="CSF", name="Industries pour la construction")
    them.owners.add(other_coordinator)
    mica = Application.objects.create(call=call, code="carnot4-mica", name="Carnot MICA",
                                      kind="former_carnot", coordinator=uca)
    FormerCarnotReference.objects.create(
        application=mica, perimeter_2019={MICA_A: 60, MICA_B: 40},
        units_by_year={str(year): [MICA_A, MICA_B] for year in (2023, 2024, 2025, 2026)},
        reference_abondement_cents=123_456_789)
    _declare(terr, shared, "60", shared_with=them)
    _declare(terr, own, "20")
    _declare(them, shared, "60", shared_with=terr)
    _declare(mica, mica_a, "50")
    _declare(mica, mica_b, "36")
    _sign(terr, unistra, cnrs, uha)
    _sign(them, unistra, cnrs)
    _sign(mica, uca, cnrs)

    _contract(shared, "C-PART-1", "large", 250_000_000, {2025: 200_000_000})
    _contract(shared, "C-PART-2", "sme", 120_000_001, {2025: 100_000_001})
    _contract(own, "C-PROPRE", "midcap", 150_000_000, {2024: 40_000_000, 2025: 100_000_000})
    _contract(own, "C-PETIT", "large", 2_000_000, {2025: 2_000_000})
    for unit in (mica_a, mica_b):
        _contract(unit, "C-MICA", "large", 2_000_000_000,
                  {2023: 150_000_000, 2024: 150_000_000, 2025: 150_000_000,
                   2026: 136_500_000})

    earlier = Call.objects.create(year=2025, deadline=timezone.now() - timedelta(days=300),
                                  status=CallStatus.CLOSED)
    earlier_terr = Application.objects.create(call=earlier, code="terr-alsace",
                                              name="Carnot Alsace", kind="territorial",
                                              coordinator=unistra)
    Grant.objects.create(application=earlier_terr, year=2025, amount_cents=EARLIER_GRANT)
    return ResultsWorld(call, officer, coordinator, other_coordinator, terr, them, mica,
                        shared, own)
