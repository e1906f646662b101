"""A deterministic national demo dataset for the 2026 call, and its demo accounts.

``build_demo(scale=1, seed=2026)`` writes, with bulk inserts in one transaction: the 2026 call
(open, deadline in the future), ~140 structures (25 university sites, CNRS, Inserm, INRAE, CEA,
Inria, IFPEN, BRGM, ONERA, Ifremer, IMT, engineering schools, CTIs, CRTs, an EESPIG, a GIP and
one IRT), 25 PUIs, ~1,000 units with well-formed RNSR ids, and 40 applications (20
territorial, 14 thematic national, 6 former Carnot 4) with their scientific leads, 2025 FTE,
shared units declared on both sides, and the signatures of every tutelle. Eight applications
break a rule on purpose (``BROKEN``) so that the admissibility panel has something to show;
every other one passes every rule. Then the funding side (``carnot.demo.funding``): the contract
ledgers of every declared unit (2023–2026), on which every application passes the 2,5 M€
threshold, and the 2026 allocation run, published and turned into grants, with a few
expenditures of the demo coordinator.

``scale`` repeats the applications and their units (codes suffixed ``-2``, ``-3``…) for the
benchmarks; the structures and PUIs stay the same. Same seed, same data: every random choice
of the registry comes from one ``random.Random(seed)``, those of the ledgers from another one
seeded from the same seed.

The modules of ``carnot.demo``: ``accounts`` (the call, the accounts, the broken
applications), ``network`` (structures, sites, names), ``plan`` (everything decided in memory),
``writing`` (the bulk inserts), ``ledger_names``, ``ledger_plan`` and ``funding`` (the contract
ledgers and the published allocation); this one builds the demo and removes it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carnot.applications.models import (
    Application,
    ApplicationUnit,
    Signature,
)
from carnot.audit.services import audit_forget
from carnot.demo.accounts import (
    BROKEN,
    CLEAN_APPLICATION,
    COORDINATOR_APPLICATIONS,
    COORDINATOR_USERNAME,
    DEADLINE_IN_DAYS,
    DEMO_ACCOUNTS,
    DEMO_CALL_YEAR,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    OFFICER_USERNAME,
    BrokenApplication,
    DemoAccount,
)
from carnot.demo.funding import (
    publish_demo_allocation,
    remove_demo_funding,
    remove_orphan_ledgers,
    summarise,
    write_ledgers,
)
from carnot.demo.ledger_plan import FundingSummary, plan_ledgers
from carnot.demo.network import (
    FORMER,
    TERRITORIAL,
    THEMATIC,
    structure_specs,
)
from carnot.demo.plan import (
    plan_with_context,
)
from carnot.demo.writing import (
    Written,
    write_accounts,
    write_applications,
    write_declarations,
    write_history,
    write_people,
    write_puis,
    write_signatures,
    write_structures,
    write_unit_leads,
    write_units,
)
from carnot.registry.models import Call, CallStatus, Person, Pui, Structure, Unit

STEPS = ("Appel et structures", "PUI", "Comptes de démonstration", "Personnes", "Unités",
         "Candidatures", "Unités déclarées", "Signatures", "Historique", "Registres de contrats",
         "Répartition 2026")
"""What ``build_demo`` tells ``on_step`` it is writing, in order."""


@dataclass(frozen=True)
class DemoSummary:
    call_year: int
    deadline: datetime
    structures: int
    puis: int
    units: int
    applications: dict[str, int]
    declarations: int
    shared_units: int
    broken: tuple[BrokenApplication, ...]
    clean_application: str
    accounts: tuple[DemoAccount, ...]
    password: str
    seconds: float
    funding: FundingSummary | None = None

    @property
    def application_count(self) -> int:
        return sum(self.applications.values())

def build_demo(*, scale: int = 1, seed: int = 2026,
               on_step: Callable[[int, str], None] | None = None) -> DemoSummary:
    """Write the whole demo dataset in one transaction; ``on_step(index, label)`` is called
    before each of the ``STEPS``. Fails if the demo call already exists."""
    started = time.monotonic()
    step = on_step or (lambda index, label: None)
    units, plans, ctx = plan_with_context(scale, seed)
    ledgers = plan_ledgers(units, plans, seed=seed, year=DEMO_CALL_YEAR)
    for plan in plans:
        if plan.former:  # the previous abondement, consistent with the ledgers' revenue
            plan.former["reference_abondement_cents"] = \
                ledgers.reference_abondement_cents[plan.code]
    written = Written()
    deadline = (timezone.localtime() + timedelta(days=DEADLINE_IN_DAYS)).replace(
        hour=12, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        step(0, STEPS[0])
        call = Call.objects.create(year=DEMO_CALL_YEAR, deadline=deadline,
                                   status=CallStatus.OPEN)
        write_structures(random.Random(seed), written)
        step(1, STEPS[1])
        write_puis(written)
        step(2, STEPS[2])
        write_accounts(plans, written, make_password(DEMO_PASSWORD))
        step(3, STEPS[3])
        signatories = write_people(units, plans, ctx.names, written)
        step(4, STEPS[4])
        write_units(units, written)
        step(5, STEPS[5])
        write_applications(call, plans, written)
        step(6, STEPS[6])
        write_declarations(plans, written)
        write_unit_leads(written)
        step(7, STEPS[7])
        write_signatures(ctx.rng, plans, written, signatories)
        step(8, STEPS[8])
        write_history(plans, written)
        step(9, STEPS[9])
        counts = write_ledgers(ledgers, units=written.units, structures=written.structures)
        step(10, STEPS[10])
        run, grants, expenditures = publish_demo_allocation(
            call=call, officer=written.users[OFFICER_USERNAME],
            coordinator=written.users[COORDINATOR_USERNAME],
            coordinator_applications=COORDINATOR_APPLICATIONS)
        funding = summarise(plan=ledgers, written=counts, run=run, grants=grants,
                            expenditures=expenditures)
    kinds = {kind: sum(1 for plan in plans if plan.kind == kind)
             for kind in (TERRITORIAL, THEMATIC, FORMER)}
    return DemoSummary(
        call_year=DEMO_CALL_YEAR, deadline=deadline, structures=len(written.structures),
        puis=len(written.puis), units=len(units), applications=kinds,
        declarations=sum(len(plan.declarations) for plan in plans),
        shared_units=len({d.unit.rnsr for plan in plans for d in plan.declarations
                          if d.shared_with}),
        broken=BROKEN, clean_application=CLEAN_APPLICATION, accounts=DEMO_ACCOUNTS,
        password=DEMO_PASSWORD, seconds=time.monotonic() - started, funding=funding)


# --- is it there, and removing it --------------------------------------------------------------

def demo_is_loaded() -> bool:
    """The demo call exists."""
    return Call.objects.filter(year=DEMO_CALL_YEAR).exists()


def database_is_empty() -> bool:
    """No call, structure, unit nor application: the demo may be loaded without conflict."""
    return not (Call.objects.exists() or Structure.objects.exists() or Unit.objects.exists()
                or Application.objects.exists())


def demo_conflicts() -> list[str]:
    """What already in the database would stop the demo from loading (French)."""
    problems = []
    if demo_is_loaded():
        problems.append(f"l'appel {DEMO_CALL_YEAR} existe déjà")
    usernames = sorted(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
                       .values_list("username", flat=True))
    if usernames:
        problems.append(f"comptes déjà présents : {', '.join(usernames)}")
    codes = [spec[0] for spec in structure_specs(random.Random(0))]
    clashes = Structure.objects.filter(code__in=codes).count()
    if clashes:
        problems.append(f"{clashes} structure(s) du jeu de démonstration déjà présentes")
    return problems


@transaction.atomic
def demo_reset() -> None:
    """Remove the demo: the demo call and all its applications, the demo accounts and what they
    did in the audit log (``audit_forget``: what others did to the demo stays), then every
    structure, PUI, unit and person that no remaining application uses; with them, the call's
    allocation runs, grants and expenditures, and the ledgers of the removed units."""
    remove_demo_funding(call_year=DEMO_CALL_YEAR, email_domain=DEMO_EMAIL_DOMAIN)
    Application.objects.filter(call__year=DEMO_CALL_YEAR).delete()
    Call.objects.filter(year=DEMO_CALL_YEAR).delete()
    accounts = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    audit_forget(users=accounts, reason="Jeu de démonstration retiré (carnot demo --reset).")
    accounts.delete()
    remove_orphan_ledgers()
    declared = ApplicationUnit.objects.values("unit_id")
    Unit.objects.exclude(pk__in=declared).delete()
    Person.objects.exclude(pk__in=ApplicationUnit.objects.exclude(scientific_lead=None)
                           .values("scientific_lead_id")).exclude(
        pk__in=Signature.objects.values("signatory_id")).delete()
    Pui.objects.exclude(pk__in=Application.puis.through.objects.values("pui_id")).delete()
    used = (Q(pk__in=Application.objects.values("coordinator_id"))
            | Q(pk__in=Unit.objects.values("managing_tutelle_id"))
            | Q(pk__in=Unit.tutelles.through.objects.values("structure_id"))
            | Q(pk__in=ApplicationUnit.objects.values("managing_tutelle_id"))
            | Q(pk__in=Signature.objects.values("structure_id"))
            | Q(pk__in=Pui.founders.through.objects.values("structure_id"))
            | Q(pk__in=Pui.partners.through.objects.values("structure_id")))
    Structure.objects.exclude(used).delete()


