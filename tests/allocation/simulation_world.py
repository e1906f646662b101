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

from django.contrib.auth.models import User

from carnot.accounts.models import Role
from carnot.applications.models import (
    Application,
    FormerCarnotReference,
)
from carnot.registry.models import Call
from tests.builders import declare_unit, new_contract, new_structure, sign_for
from tests.web.factories import make_call, make_pui, make_unit, make_user

SHARED, OWN, THEM_OWN = "200919143B", "201119876B", "201522222C"
MICA_A, MICA_B, EXTRA = "201420777F", "201220344C", "201733333D"
ENVELOPE = 752_000_000
BASES = {"terr-alsace": 202_000_000, "them-materiaux": 250_000_000,
         "carnot4-mica": 300_000_000}

SIGNED = date(2024, 6, 1)
"""When the contracts of this world were signed."""


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
    unistra, uha = new_structure("unistra"), new_structure("uha")
    cnrs = new_structure("cnrs", "epst", region="Île-de-France")
    inserm = new_structure("inserm", "epst", region="Île-de-France")
    uca = new_structure("uca", region="Auvergne-Rhône-Alpes")
    pui = make_pui("pui-strasbourg", [unistra])
    pui.partners.set([uha])
    shared, own = make_unit(SHARED, [unistra, cnrs]), make_unit(OWN, [uha])
    them_own = make_unit(THEM_OWN, [cnrs, uha])
    mica_a, mica_b = make_unit(MICA_A, [uca]), make_unit(MICA_B, [uca, cnrs])
    extra = make_unit(EXTRA, [uha, inserm])
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
    declare_unit(terr, shared, "60", "Anne Martin", shared_with=them)
    declare_unit(terr, own, "20", "Luc Weber")
    declare_unit(them, shared, "60", "Anne Martin", shared_with=terr)
    declare_unit(them, them_own, "30", "Sophie Lambert")
    declare_unit(mica, mica_a, "50", "Paul Durand")
    declare_unit(mica, mica_b, "36", "Julie Roux")
    sign_for(terr, unistra, cnrs, uha)
    sign_for(them, unistra, cnrs, uha)
    sign_for(mica, uca, cnrs)

    new_contract(shared, "C-S1", "large", 300_000_000, {2025: 200_000_000},
                 signed_on=SIGNED)
    new_contract(own, "C-O1", "sme", 150_000_000, {2025: 100_000_000},
                 signed_on=SIGNED)
    new_contract(own, "C-O2", "sme", 2_000_000, {2025: 2_000_000},
                 signed_on=SIGNED)
    new_contract(them_own, "C-T1", "large", 200_000_000, {2025: 150_000_000},
                 signed_on=SIGNED)
    for unit in (mica_a, mica_b):
        new_contract(unit, "C-MICA", "large", 2_000_000_000,
                  {2023: 150_000_000, 2024: 150_000_000, 2025: 150_000_000,
                   2026: 136_500_000},
                 signed_on=SIGNED)
    new_contract(extra, "C-E1", "sme", 10_000_000, {2025: 10_000_000},
                 signed_on=SIGNED)
    return SimulationWorld(call=call, officer=officer, association=association,
                           coordinator=coordinator, other_coordinator=other_coordinator,
                           unit_lead=unit_lead, terr=terr, them=them, mica=mica)
