"""The demo's plan written with bulk inserts: structures, PUIs, accounts, people, units,
applications, declarations, signatures and history (the caller holds the transaction)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils.text import slugify

from carnot.accounts.models import Profile, Role
from carnot.applications.models import (
    Alignment,
    Application,
    ApplicationUnit,
    FormerCarnotReference,
    Signature,
)
from carnot.applications.workflow import TRANSITION_EVENTS, Status
from carnot.audit.models import AuditEvent, EventKind
from carnot.demo.accounts import (
    CLEAN_APPLICATION,
    DEMO_ACCOUNTS,
    DEMO_CALL_YEAR,
    DEMO_EMAIL_DOMAIN,
    OFFICER_USERNAME,
    UNIT_LEAD_USERNAME,
)
from carnot.demo.network import (
    EMPOWERMENT,
    NOT_EMPOWERED,
    SITES,
    K,
    structure_specs,
)
from carnot.demo.plan import (
    ApplicationPlan,
    Names,
    UnitPlan,
)
from carnot.registry.models import Call, Person, Pui, Structure, Team, Unit


@dataclass
class Written:
    structures: dict[str, Structure] = field(default_factory=dict)
    puis: dict[str, Pui] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)


def _through(model: type[Model], rows: Iterable[dict[str, int]]) -> None:
    model._default_manager.bulk_create([model(**row) for row in rows], batch_size=2000)


def write_structures(rng: random.Random, written: Written) -> None:
    created = Structure.objects.bulk_create(
        Structure(code=code, name=name, kind=kind.value, region=region, siren=siren)
        for code, name, kind, region, siren in structure_specs(rng))
    written.structures = {structure.code: structure for structure in created}


def write_puis(written: Written) -> None:
    created = Pui.objects.bulk_create(
        Pui(code=f"pui-{site.code}", name=f"PUI {site.label}", region=site.region)
        for site in SITES)
    written.puis = {pui.code: pui for pui in created}
    structures = written.structures
    _through(Pui.founders.through, (
        {"pui_id": written.puis[f"pui-{site.code}"].pk, "structure_id": structures[code].pk}
        for site in SITES for code in dict.fromkeys(site.founders)))
    _through(Pui.partners.through, (
        {"pui_id": written.puis[f"pui-{site.code}"].pk, "structure_id": structures[code].pk}
        for site in SITES for code in site.partners))


def write_accounts(plans: list[ApplicationPlan], written: Written, password: str) -> None:
    users = []
    for account in DEMO_ACCOUNTS:
        first, _, last = account.full_name.partition(" ")
        superuser = account.role is Role.ADMINISTRATOR
        users.append(User(username=account.username, first_name=first, last_name=last,
                          email=f"{account.username}@{DEMO_EMAIL_DOMAIN}", password=password,
                          is_staff=superuser, is_superuser=superuser))
    demo_usernames = {account.username for account in DEMO_ACCOUNTS}
    for plan in plans:
        if plan.owner not in demo_usernames:
            users.append(User(username=plan.owner, email=f"{plan.owner}@{DEMO_EMAIL_DOMAIN}",
                              last_name=f"Coordination {plan.code}",
                              password="!compte-de-demonstration-sans-mot-de-passe"))
    created = User.objects.bulk_create(users)
    written.users = {user.username: user for user in created}
    roles = {account.username: account.role for account in DEMO_ACCOUNTS}
    Profile.objects.bulk_create(
        Profile(user=user, role=roles.get(user.username, Role.COORDINATOR).value)
        for user in created)


def write_people(units: list[UnitPlan], plans: list[ApplicationPlan], names: Names,
                  written: Written) -> dict[str, str]:
    """Scientific leads (one per unit) and signatories (one per tutelle, and a unit director
    without delegation per faulty application); returns the signatory of each structure."""
    people = [Person(full_name=unit.lead, email=_email(unit.lead, unit.managing),
                     structure=written.structures[unit.managing]) for unit in units]
    signatories: dict[str, str] = {}
    for code in written.structures:
        signatories[code] = names.take()
        people.append(Person(full_name=signatories[code], email=_email(signatories[code], code),
                             structure=written.structures[code]))
    for plan in plans:
        if plan.unempowered_signature:
            director = names.take()
            signatories[f"{plan.code}:{plan.unempowered_signature}"] = director
            people.append(Person(full_name=director,
                                 email=_email(director, plan.unempowered_signature),
                                 structure=written.structures[plan.unempowered_signature]))
    created = Person.objects.bulk_create(people, batch_size=2000)
    written.people = {person.full_name: person for person in created}
    return signatories


def _email(full_name: str, structure: str) -> str:
    return f"{slugify(full_name).replace('-', '.')}@{structure}.example"


def write_units(units: list[UnitPlan], written: Written) -> None:
    structures = written.structures
    created = Unit.objects.bulk_create(
        (Unit(rnsr=unit.rnsr, name=unit.name, managing_tutelle=structures[unit.managing])
         for unit in units), batch_size=2000)
    written.units = {unit.rnsr: unit for unit in created}
    _through(Unit.tutelles.through, (
        {"unit_id": written.units[unit.rnsr].pk, "structure_id": structures[code].pk}
        for unit in units for code in unit.tutelles))
    Team.objects.bulk_create(Team(unit=written.units[unit.rnsr], name=team)
                             for unit in units for team in unit.teams)


def write_applications(call: Call, plans: list[ApplicationPlan], written: Written) -> None:
    created = Application.objects.bulk_create(
        (Application(call=call, code=plan.code, name=plan.name, kind=plan.kind,
                     coordinator=written.structures[plan.coordinator], theme=plan.theme,
                     theme_justification=plan.justification, status=plan.status,
                     reference_fte=sum((Decimal(v) for v in plan.former["perimeter_2019"]
                                        .values()), start=Decimal(0)) if plan.former else None)
         for plan in plans), batch_size=1000)
    written.applications = {application.code: application for application in created}
    apps = written.applications
    _through(Application.puis.through, (
        {"application_id": apps[plan.code].pk, "pui_id": written.puis[plan.pui].pk}
        for plan in plans if plan.pui))
    _through(Application.owners.through, (
        {"application_id": apps[plan.code].pk, "user_id": written.users[plan.owner].pk}
        for plan in plans))
    Alignment.objects.bulk_create(Alignment(application=apps[plan.code], kind=kind, name=name)
                                  for plan in plans for kind, name in plan.alignments)
    FormerCarnotReference.objects.bulk_create(
        FormerCarnotReference(application=apps[plan.code], **plan.former)
        for plan in plans if plan.former)


def write_declarations(plans: list[ApplicationPlan], written: Written) -> None:
    rows = [(plan, declaration) for plan in plans for declaration in plan.declarations]
    structures, apps = written.structures, written.applications
    created = ApplicationUnit.objects.bulk_create(
        (ApplicationUnit(
            application=apps[plan.code], unit=written.units[declaration.unit.rnsr],
            scientific_lead=written.people[declaration.unit.lead],
            managing_tutelle=structures[declaration.unit.managing],
            permanent_researchers_fte=declaration.fte,
            research_engineers_fte=declaration.unit.engineers,
            research_engineers_do_research=declaration.unit.engineers > 0,
            shared_with=apps[declaration.shared_with] if declaration.shared_with else None,
            partial=bool(declaration.teams))
         for plan, declaration in rows), batch_size=2000)
    _through(ApplicationUnit.tutelles.through, (
        {"applicationunit_id": saved.pk, "structure_id": structures[code].pk}
        for saved, (_, declaration) in zip(created, rows, strict=True)
        for code in declaration.unit.tutelles))
    partial = [(saved, declaration) for saved, (_, declaration) in zip(created, rows, strict=True)
               if declaration.teams]
    teams = {(team.unit_id, team.name): team.pk
             for team in Team.objects.filter(unit__in=[saved.unit_id for saved, _ in partial])}
    _through(ApplicationUnit.teams.through, (
        {"applicationunit_id": saved.pk, "team_id": teams[(saved.unit_id, name)]}
        for saved, declaration in partial for name in declaration.teams))


def write_signatures(rng: random.Random, plans: list[ApplicationPlan], written: Written,
                      signatories: dict[str, str]) -> None:
    signatures = []
    for plan in plans:
        required = sorted({code for d in plan.declarations for code in d.unit.tutelles})
        for code in required:
            if code == plan.missing_signature:
                continue
            structure = written.structures[code]
            empowered = code != plan.unempowered_signature
            person = signatories[code if empowered else f"{plan.code}:{code}"]
            signatures.append(Signature(
                application=written.applications[plan.code], structure=structure,
                signatory=written.people[person], empowered=empowered,
                empowerment=EMPOWERMENT.get(K(structure.kind), "Direction générale")
                if empowered else NOT_EMPOWERED,
                signed_on=date(2026, 1, 5) + timedelta(days=rng.randint(0, 290))))
    Signature.objects.bulk_create(signatures, batch_size=2000)


TRAIL = {Status.SUBMITTED: (Status.SUBMITTED,),
         Status.ADMISSIBLE: (Status.SUBMITTED, Status.ADMISSIBLE),
         Status.SELECTED: (Status.SUBMITTED, Status.ADMISSIBLE, Status.SELECTED)}


def write_history(plans: list[ApplicationPlan], written: Written) -> None:
    """Each application's creation and transitions in the audit log, as the services record
    them, written in bulk (a national call has thousands)."""
    officer = written.users[OFFICER_USERNAME]
    application_type = ContentType.objects.get_for_model(Application)
    events = []
    for plan in plans:
        application, owner = written.applications[plan.code], written.users[plan.owner]
        filed = {"content_type": application_type, "object_id": str(application.pk),
                 "object_label": str(application), "application_code": plan.code,
                 "call_year": DEMO_CALL_YEAR}
        events.append(AuditEvent(
            acting_user=owner, kind=EventKind.APPLICATION_CREATED, **filed,
            after={"code": plan.code, "name": plan.name, "kind": plan.kind,
                   "coordinator": plan.coordinator}))
        source = Status.DRAFT
        for target in TRAIL.get(Status(plan.status), ()):
            events.append(AuditEvent(
                acting_user=owner if target is Status.SUBMITTED else officer,
                kind=TRANSITION_EVENTS[target], **filed,
                before={"status": source.value}, after={"status": target.value},
                reason="" if target is Status.SUBMITTED else "Dossier complet et recevable."
                if target is Status.ADMISSIBLE else "Retenue par le comité de sélection."))
            source = target
    AuditEvent.objects.bulk_create(events, batch_size=2000)


def write_unit_leads(written: Written) -> None:
    """The demo unit lead heads three units of the demo coordinator's clean application."""
    clean = written.applications[CLEAN_APPLICATION]
    units = list(ApplicationUnit.objects.filter(application=clean)
                 .order_by("unit__rnsr").values_list("unit_id", flat=True)[:3])
    lead = written.users[UNIT_LEAD_USERNAME]
    _through(Unit.leads.through, ({"unit_id": unit, "user_id": lead.pk} for unit in units))
