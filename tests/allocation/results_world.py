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
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from carnot.accounts.models import Role
from carnot.allocation.models import AllocationRun, Grant
from carnot.allocation.services import allocation_publish, allocation_run
from carnot.applications.models import (
    Application,
    FormerCarnotReference,
)
from carnot.registry.models import Call, CallStatus, Unit
from tests.builders import declare_unit, new_contract, new_structure, sign_for
from tests.web.factories import make_call, make_pui, make_unit, make_user

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







def build_results_world() -> ResultsWorld:
    """The call above in the database (needs ``django_db``); no run yet."""
    call = make_call(2026)
    officer = make_user(Role.PROGRAMME_OFFICER, "charge")
    coordinator = make_user(Role.COORDINATOR, "coordo")
    other_coordinator = make_user(Role.COORDINATOR, "coordo-them")
    unistra = new_structure("unistra", name="Université de Strasbourg")
    uha = new_structure("uha", name="Université de Haute-Alsace")
    cnrs = new_structure("cnrs", "epst", name="CNRS")
    uca = new_structure("uca", name="Université Clermont Auvergne")
    pui = make_pui("pui-strasbourg", [unistra])
    pui.partners.set([uha])
    shared, own = make_unit(SHARED, [unistra, cnrs]), make_unit(TERR_OWN, [uha])
    mica_a, mica_b = make_unit(MICA_A, [uca]), make_unit(MICA_B, [uca, cnrs])

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
    declare_unit(terr, shared, "60", shared_with=them)
    declare_unit(terr, own, "20")
    declare_unit(them, shared, "60", shared_with=terr)
    declare_unit(mica, mica_a, "50")
    declare_unit(mica, mica_b, "36")
    sign_for(terr, unistra, cnrs, uha)
    sign_for(them, unistra, cnrs)
    sign_for(mica, uca, cnrs)

    new_contract(shared, "C-PART-1", "large", 250_000_000, {2025: 200_000_000})
    new_contract(shared, "C-PART-2", "sme", 120_000_001, {2025: 100_000_001})
    new_contract(own, "C-PROPRE", "midcap", 150_000_000, {2024: 40_000_000, 2025: 100_000_000})
    new_contract(own, "C-PETIT", "large", 2_000_000, {2025: 2_000_000})
    for unit in (mica_a, mica_b):
        new_contract(unit, "C-MICA", "large", 2_000_000_000,
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
