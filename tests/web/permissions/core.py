"""The route matrix's shared format: who gets which status code on every URL and API route.

``tests/web/test_permissions.py`` enumerates every URL pattern of the URL conf (pages, and the
django-ninja API under ``/api/``, which registers its operations as URL patterns too) and fails
when one has no expectation. Expectations live in the other modules of this package, each a
list named ``EXPECTATIONS`` (every module here but ``core`` is loaded):

* ``core_routes.py`` — ``src/carnot/web/urls.py`` itself (home, login, logout, FAQ, health) and
  the API's built-in routes (``api:api-root``, ``api:openapi-json``, ``api:openapi-view``);
* ``pages.py`` — every page (``applications:…`` and the other page apps);
* ``api.py`` — every API operation (``api:<operation view function name>``).

One expectation is one request, sent by every role, with the exact status each must get::

    from tests.web.permissions.core import Expect, statuses

    EXPECTATIONS = [
        Expect("applications:detail",
               statuses(anonymous=302, other_coordinator=404, default=200)),
        Expect("applications:unit-edit", method="POST",
               kwargs=lambda w: {"code": w.application.code, "rnsr": w.unit.rnsr},
               data=lambda w: {"permanent_researchers_fte": "12.5"},
               expected=statuses(anonymous=302, other_coordinator=404,
                                 programme_officer=403, association_staff=403, default=302)),
        Expect("api:get_application", statuses(anonymous=401, other_coordinator=404,
                                               default=200)),
        Expect("api:update_unit", method="PATCH", json=True,
               data=lambda w: {"permanent_researchers_fte": "12.5"}, expected=...),
    ]

* ``route`` is the URL name with its namespaces, as for ``reverse()``; for ninja operations the
  name is the view function's name (or its ``url_name=``), in the ``api`` namespace.
* ``expected`` maps **every** role of ``ROLES`` to a status; ``statuses(default=…, **role)``
  builds it and refuses unknown or missing roles.
* ``kwargs(world)`` gives the URL's kwargs; without it, each kwarg is taken by name from
  ``World.url_kwargs()`` (``year``, ``code``, ``rnsr``, ``structure_code``, ``application_id``,
  ``declaration_id``, ``signature_id``, ``team_id``, ``contract_id``, ``number`` — the
  published run's —, ``vintage`` — the target's grant year). ``pk`` has no default on purpose:
  say whose pk it is.
* ``data(world)`` is the body (a form dict, files as ``SimpleUploadedFile``; or, with
  ``json=True``, any JSON value sent as ``application/json``) — or the query of a GET. It is
  called once per role, so files are fresh each time.
* ``case`` distinguishes two expectations of one route and method (e.g. ``"other
  application"`` with ``kwargs=lambda w: {"code": w.other_application.code}``).
* Each role's request runs in a savepoint rolled back afterwards: every role sees the world as
  ``build_world()`` made it, whatever an earlier role's POST did.
* The test client does not check CSRF tokens here (``test_security.py`` does).

A URL pattern's methods not declared by any expectation must answer 405 to the administrator
(``test_undeclared_methods_are_refused``): no hidden write route. Restrict each view's methods
(``require_GET``, ``require_http_methods``, ``require_POST``). A module may exempt a route with
``ANY_METHOD = {"route": "reason"}`` (only for views that cannot be restricted).

The world (``build_world()``): a call of 2026 open for 60 more days; the target application
``terr-strasbourg`` (territorial, draft, on the PUI of Strasbourg, coordinated by the Université
de Strasbourg) with one unit declared (``201923456A``, tutelles Université de Strasbourg and
CNRS, one team) and the university's signature (no document); and ``other_application``
``them-materiaux`` (thematic, draft, CNRS) of ``other_coordinator`` with its own unit. Roles:

* ``anonymous`` — not signed in;
* ``coordinator`` — owner of the target application;
* ``other_coordinator`` — owner of ``other_application`` only;
* ``unit_lead`` — lead of the target application's unit;
* ``programme_officer``, ``association_staff`` — profiles of those roles;
* ``administrator`` — profile ``administrator``, staff and superuser.

``world.user("coordinator")`` is a signed-in role's ``User`` (``world.users`` also maps
``anonymous`` to None). Users have no usable password: the matrix signs in with
``force_login``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from carnot.accounts.models import Profile, Role
from carnot.allocation.models import Grant
from carnot.allocation.services import allocation_publish, allocation_run
from carnot.applications.models import Application, ApplicationUnit, Signature
from carnot.ledgers.models import InvoicedAmount, Partner, ResearchContract
from carnot.registry.models import Call, CallStatus, Person, Pui, Structure, Team, Unit

ROLES: tuple[str, ...] = ("anonymous", "coordinator", "other_coordinator", "unit_lead",
                          "programme_officer", "association_staff", "administrator")
METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")

EXCLUDED_PREFIXES: dict[str, str] = {
    "admin/": "Django's admin: staff only, guarded by Django itself (is_staff), not by our "
              "roles; tested by Django.",
    "static/": "static files (whitenoise), public by nature.",
    "media/": "uploaded files are never served directly; signed documents go through a view "
              "that checks the permission.",
}
"""URL prefixes left out of the matrix, each with the reason."""


def statuses(default: int | None = None, **by_role: int) -> dict[str, int]:
    """Every role's expected status: the named ones, the others ``default``."""
    unknown = set(by_role) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {ROLES}")
    missing = [role for role in ROLES if role not in by_role and default is None]
    if missing:
        raise ValueError(f"no status for {missing}: name them or give default=")
    return {role: by_role[role] if role in by_role else int(default or 0) for role in ROLES}


@dataclass(frozen=True)
class Expect:
    """One request (route, method, URL kwargs, body) and the exact status of each role."""

    route: str
    expected: Mapping[str, int]
    method: str = "GET"
    kwargs: Callable[[World], Mapping[str, Any]] | None = None
    data: Callable[[World], Any] | None = None
    json: bool = False
    case: str = ""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"{self.route}: method {self.method!r} not in {METHODS}")
        if set(self.expected) != set(ROLES):
            raise ValueError(f"{self.route} {self.method}: expected must name every role "
                             f"{ROLES} (use statuses())")

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.route, self.method, self.case) if part)


@dataclass
class World:
    """The objects every expectation's request is made against (see the module's docstring)."""

    call: Any
    university: Any
    cnrs: Any
    pui: Any
    unit: Any
    team: Any
    scientific_lead: Any
    application: Any
    declaration: Any
    signature: Any
    other_application: Any
    other_unit: Any
    other_declaration: Any
    partner: Any = None
    contract: Any = None
    other_contract: Any = None
    published_run: Any = None
    draft_run: Any = None
    grant: Any = None
    other_grant: Any = None
    users: dict[str, User | None] = field(default_factory=dict)

    def user(self, role: str) -> User:
        """The signed-in user of a role (not ``anonymous``)."""
        user = self.users[role]
        if user is None:
            raise ValueError(f"{role} has no user")
        return user

    def url_kwargs(self) -> dict[str, Any]:
        """Default URL kwargs, by name, all pointing at the target application."""
        return {
            "year": self.call.year,
            "code": self.application.code,
            "rnsr": self.unit.rnsr,
            "structure_code": self.university.code,
            "application_id": self.application.pk,
            "declaration_id": self.declaration.pk,
            "signature_id": self.signature.pk,
            "team_id": self.team.pk,
            "contract_id": self.contract.pk,
            "number": self.published_run.number,
            "vintage": self.grant.year,
        }


def _user(username: str, role: str | None, **flags: bool) -> User:
    user = User.objects.create(username=username, email=f"{username}@example.fr", **flags)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if role is not None:
        Profile.objects.create(user=user, role=role)
    return user


def build_world() -> World:
    """Create the matrix's world in the database (needs ``django_db``)."""
    signed_in: dict[str, User] = {
        "coordinator": _user("coordinator", Role.COORDINATOR),
        "other_coordinator": _user("other_coordinator", Role.COORDINATOR),
        "unit_lead": _user("unit_lead", Role.UNIT_LEAD),
        "programme_officer": _user("programme_officer", Role.PROGRAMME_OFFICER),
        "association_staff": _user("association_staff", Role.ASSOCIATION_STAFF),
        "administrator": _user("administrator", Role.ADMINISTRATOR, is_staff=True,
                               is_superuser=True),
    }
    users: dict[str, User | None] = {"anonymous": None, **signed_in}
    call = Call.objects.create(year=2026, deadline=timezone.now() + timedelta(days=60),
                               status=CallStatus.OPEN)
    university = Structure.objects.create(code="unistra", name="Université de Strasbourg",
                                          kind="university", region="Grand Est")
    cnrs = Structure.objects.create(code="cnrs", name="CNRS", kind="epst")
    pui = Pui.objects.create(code="pui-strasbourg", name="PUI de Strasbourg", region="Grand Est")
    pui.founders.add(university)
    pui.partners.add(cnrs)

    unit = Unit.objects.create(rnsr="201923456A", name="ICube", managing_tutelle=university)
    unit.tutelles.set([university, cnrs])
    unit.leads.add(signed_in["unit_lead"])
    team = Team.objects.create(unit=unit, name="Imagerie médicale")
    lead = Person.objects.create(full_name="Claire Muller", email="claire.muller@example.fr",
                                 structure=university)
    signatory = Person.objects.create(full_name="Michel Deneken", structure=university)

    application = Application.objects.create(
        call=call, code="terr-strasbourg", name="Carnot Alsace Innovation",
        kind="territorial", coordinator=university, reference_fte=Decimal("120"))
    application.puis.add(pui)
    application.owners.add(signed_in["coordinator"])
    declaration = ApplicationUnit.objects.create(
        application=application, unit=unit, scientific_lead=lead,
        managing_tutelle=university, permanent_researchers_fte=Decimal("120"))
    declaration.tutelles.set([university, cnrs])
    signature = Signature.objects.create(application=application, structure=university,
                                         signatory=signatory,
                                         empowerment="Président de l'université")

    other_unit = Unit.objects.create(rnsr="201822222B", name="Institut Jean Lamour",
                                     managing_tutelle=cnrs)
    other_unit.tutelles.set([cnrs])
    other_application = Application.objects.create(
        call=call, code="them-materiaux", name="Carnot Matériaux Avancés", kind="thematic",
        coordinator=cnrs, theme="Matériaux pour l'énergie")
    other_application.owners.add(signed_in["other_coordinator"])
    other_declaration = ApplicationUnit.objects.create(
        application=other_application, unit=other_unit, managing_tutelle=cnrs,
        scientific_lead=Person.objects.create(full_name="Sophie Lambert", structure=cnrs),
        permanent_researchers_fte=Decimal("80"))
    other_declaration.tutelles.set([cnrs])

    world = World(call=call, university=university, cnrs=cnrs, pui=pui, unit=unit, team=team,
                  scientific_lead=lead, application=application, declaration=declaration,
                  signature=signature, other_application=other_application,
                  other_unit=other_unit, other_declaration=other_declaration, users=users)
    _add_funding(world)
    return world


def _add_funding(world: World) -> None:
    """Ledgers, a published run turned into grants, a later draft run.

    ``contract`` (unit 201923456A, an SME, 600 000 € invoiced in 2025) counts;
    ``other_contract`` (unit 201822222B, an SME, 400 000 €) counts for ``other_application``.
    Run n° 1 is published; run n° 2, with a smaller envelope, is a draft. Neither application
    is admissible (the CNRS has not signed, and 2,5 M€ are not reached), so the run gives them
    0 €: their 2026 grants (``grant``: the target application's, ``other_grant``: the other's)
    are written directly, from the run's lines, with made-up amounts.
    """
    officer = world.user("programme_officer")
    world.partner = Partner.objects.create(
        key="552100554", name="Optique Rhénane", siren="552100554", category="sme",
        category_year=2025)
    world.contract = ResearchContract.objects.create(
        unit=world.unit, partner=world.partner, reference="ICUBE-2025-001",
        total_cents=60_000_000, signed_on=date(2025, 3, 14), partner_category="sme",
        partner_category_year=2025)
    InvoicedAmount.objects.create(contract=world.contract, year=2025, amount_cents=60_000_000)
    world.other_contract = ResearchContract.objects.create(
        unit=world.other_unit, partner=world.partner, reference="IJL-2025-007",
        total_cents=40_000_000, signed_on=date(2025, 5, 2), partner_category="sme",
        partner_category_year=2025)
    InvoicedAmount.objects.create(contract=world.other_contract, year=2025,
                                  amount_cents=40_000_000)
    world.published_run = allocation_publish(
        run=allocation_run(call=world.call, envelope_cents=None, overrides=None, by=officer),
        by=officer)
    lines = {line.application_code: line for line in world.published_run.lines.all()}
    world.grant = Grant.objects.create(application=world.application, year=world.call.year,
                                       amount_cents=150_000_000,
                                       source=lines[world.application.code])
    world.other_grant = Grant.objects.create(application=world.other_application,
                                             year=world.call.year, amount_cents=90_000_000,
                                             source=lines[world.other_application.code])
    world.draft_run = allocation_run(call=world.call, envelope_cents=50_000_000_00,
                                     overrides=None, by=officer)


@dataclass(frozen=True)
class Route:
    """One URL pattern of the URL conf: its qualified name and its full pattern."""

    name: str
    pattern: str
    kwargs: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str, namespace: str,
          kwargs: tuple[str, ...]) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        names = kwargs + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, pattern, inner, names)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {pattern!r}>"
            yield Route(f"{namespace}:{name}" if namespace else name, pattern, names)


def excluded(route: Route) -> bool:
    return route.pattern.startswith(tuple(EXCLUDED_PREFIXES))


def all_routes() -> list[Route]:
    """Every URL pattern of the URL conf but the excluded prefixes, recursively."""
    return [route for route in _walk(get_resolver(), "", "", ()) if not excluded(route)]


def _modules() -> Iterator[Any]:
    package = importlib.import_module(__package__ or "tests.web.permissions")
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name != "core":
            yield importlib.import_module(f"{package.__name__}.{module_info.name}")


def any_method_routes() -> dict[str, str]:
    """Routes exempt from the 405 check (``ANY_METHOD`` of the modules), with the reason."""
    return {route: reason for module in _modules()
            for route, reason in getattr(module, "ANY_METHOD", {}).items()}


def all_expectations() -> list[Expect]:
    """The ``EXPECTATIONS`` of every module of this package but ``core``."""
    found: list[Expect] = []
    seen: dict[tuple[str, str, str], str] = {}
    for module in _modules():
        expectations = getattr(module, "EXPECTATIONS", None)
        if expectations is None:
            raise AssertionError(f"{module.__name__} has no EXPECTATIONS list")
        for expect in expectations:
            key = (expect.route, expect.method, expect.case)
            if key in seen:
                raise AssertionError(f"{expect.label} declared twice ({seen[key]} and "
                                     f"{module.__name__}); give one a case=")
            seen[key] = module.__name__
            found.append(expect)
    return found
