"""The demo decided in memory, with no database: units with their RNSR, names and FTE, and
applications with their declarations, sharing, statuses and the rules a few break on purpose.
One ``random.Random(seed)`` makes every choice: same seed, same plan."""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from carnot.applications.workflow import Status
from carnot.demo.accounts import (
    BROKEN,
    COORDINATOR_APPLICATIONS,
    COORDINATOR_USERNAME,
    SUBMITTED_FOR_COORDINATOR,
)
from carnot.demo.network import (
    DOMAIN_WEIGHTS,
    DOMAINS,
    ENGINEER_KINDS,
    FIRST_NAMES,
    FORMER,
    FORMERS,
    HEADS,
    LAST_NAMES,
    PARTIAL_TEAMS,
    SITE_UNITS,
    SITES,
    SPECIAL_UNITS,
    TERRITORIAL,
    THEMATIC,
    THEMATICS,
    UNIT_NUMBERS,
    FormerSpec,
    K,
    Site,
    ThematicSpec,
    structure_specs,
)
from carnot.rules.domain import StructureKind

# --- the plan: everything decided in memory, then written -------------------------------------

@dataclass(eq=False)
class UnitPlan:
    rnsr: str
    name: str
    tutelles: tuple[str, ...]
    managing: str
    lead: str
    fte: Decimal
    engineers: Decimal = Decimal(0)
    domain: str = ""
    site: str | None = None
    group: str = ""
    teams: tuple[str, ...] = ()


@dataclass(eq=False)
class DeclarationPlan:
    unit: UnitPlan
    fte: Decimal
    shared_with: str | None = None
    teams: tuple[str, ...] = ()


@dataclass(eq=False)
class ApplicationPlan:
    code: str
    name: str
    kind: str
    coordinator: str
    pui: str | None = None
    theme: str = ""
    justification: str = ""
    alignments: tuple[tuple[str, str], ...] = ()
    declarations: list[DeclarationPlan] = field(default_factory=list)
    status: str = Status.DRAFT
    owner: str = ""
    missing_signature: str | None = None
    unempowered_signature: str | None = None
    former: dict[str, Any] | None = None


class Names:
    """Unique person names: first × last name, shuffled once, then double-barrelled ones."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pool = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(self._pool)
        self._next = 0
        self._extra: set[str] = set()

    def take(self) -> str:
        if self._next < len(self._pool):
            self._next += 1
            return self._pool[self._next - 1]
        while True:
            name = (f"{self._rng.choice(FIRST_NAMES)} {self._rng.choice(LAST_NAMES)}-"
                    f"{self._rng.choice(LAST_NAMES)}")
            if name not in self._extra:
                self._extra.add(name)
                return name


class _Identifiers:
    """RNSR numbers (a year 1970–2024, five digits, an upper-case letter) and unit numbers."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._rnsr: set[str] = set()
        self._numbers: dict[str, set[int]] = {prefix: set() for prefix in UNIT_NUMBERS}

    def rnsr(self) -> str:
        while True:
            value = (f"{self._rng.randint(1970, 2024)}{self._rng.randint(0, 99999):05d}"
                     f"{self._rng.choice(string.ascii_uppercase)}")
            if value not in self._rnsr:
                self._rnsr.add(value)
                return value

    def number(self, prefix: str) -> int:
        low, high = UNIT_NUMBERS[prefix]
        used = self._numbers[prefix]
        for _ in range(50):
            value = self._rng.randint(low, high)
            if value not in used:
                used.add(value)
                return value
        return self._rng.randint(low, high)  # the range is exhausted (large scales): repeat


def _elide(word: str) -> str:
    return "d'" if word[:1].lower() in "aeéèêiîoôuh" else "de "


def _half(value: float) -> Decimal:
    """Round to the half FTE, as declared."""
    return Decimal(round(value * 2)) / 2


@dataclass(frozen=True)
class _Ctx:
    """What every planning step needs: randomness, identifiers, names, structures' kinds."""

    rng: random.Random
    ids: _Identifiers
    names: Names
    kinds: dict[str, StructureKind]


def _site_unit(ctx: _Ctx, site: Site, domain: str, schools_first: bool) -> UnitPlan:
    rng = ctx.rng
    universities = [code for code, _ in site.universities]
    agro_schools = [code for code, _, _ in site.schools
                    if code.startswith(("institut-agro", "vetagro"))]
    schools = [code for code, _, kind in site.schools
               if kind is K.SCHOOL and code not in agro_schools]
    local = [rng.choice(universities)]
    if schools and rng.random() < (0.45 if schools_first else 0.15):
        local.append(rng.choice(schools))
    national: list[str] = []

    def maybe(code: str, probability: float) -> None:
        if rng.random() < probability and code not in national:
            national.append(code)

    if domain == "sante":
        maybe("inserm", 0.85)
        maybe("cnrs", 0.25)
        if site.hospital:
            maybe(site.hospital[0], 0.3)
        if site.code == "paris-cite":
            maybe("institut-pasteur", 0.2)
    elif domain == "agro":
        maybe("inrae", 0.9)
        if agro_schools and rng.random() < 0.6:
            local.append(agro_schools[0])
        maybe("cnrs", 0.1)
        if site.code == "montpellier":
            maybe("cirad", 0.35)
    elif domain == "environnement":
        maybe("cnrs", 0.7)
        if site.code in {"montpellier", "aix-marseille"}:
            maybe("ird", 0.45)
        if site.code == "brest":
            maybe("ifremer", 0.35)
        maybe("inrae", 0.15)
    else:
        maybe("cnrs", 0.85 if domain in {"chimie", "physique"} else 0.7)
        if domain == "numerique":
            maybe("inria", 0.3)
        if domain in {"physique", "energie"}:
            maybe("cea", 0.12)
        if domain == "ingenierie" and site.code == "lille":
            maybe("junia", 0.15)
    tutelles = tuple(dict.fromkeys(local + national))
    managing = national[0] if national and rng.random() < 0.4 else local[0]
    return UnitPlan(ctx.ids.rnsr(), _unit_name(ctx, site, domain, national), tutelles, managing,
                    ctx.names.take(), _half(rng.triangular(6, 150, 28)), domain=domain,
                    site=site.code)


def _unit_name(ctx: _Ctx, site: Site, domain: str, national: list[str]) -> str:
    rng = ctx.rng
    topic = rng.choice(DOMAINS[domain])
    head = rng.choice(HEADS)
    name = f"{head} {topic}" if head.endswith(" en") else f"{head} {_elide(topic)}{topic}"
    if rng.random() < 0.6:
        name += f" {site.city}"
    if "cnrs" in national or "ird" in national:
        code = f"UMR {ctx.ids.number('UMR')}"
    elif "inserm" in national:
        code = f"UMR_S {ctx.ids.number('UMR_S')}"
    elif "inrae" in national:
        code = f"UMR {ctx.ids.number('UMR_S')}"
    else:
        code = f"UR {ctx.ids.number('UR')}"
    return f"{name} ({code})"


def _special_unit(ctx: _Ctx, spec: tuple[str, str, tuple[str, ...], str, str | None]) -> UnitPlan:
    group, name, tutelles, domain, site = spec
    rng = ctx.rng
    engineers = Decimal(0)
    if len(tutelles) == 1 and ctx.kinds[tutelles[0]] in ENGINEER_KINDS:
        if ctx.kinds[tutelles[0]] is K.EPIC:
            fte, engineers = _half(rng.uniform(25, 90)), _half(rng.uniform(10, 50))
        else:
            fte, engineers = _half(rng.uniform(3, 15)), _half(rng.uniform(12, 45))
    else:
        fte = _half(rng.triangular(10, 120, 35))
    teams = PARTIAL_TEAMS if any(spec.partial_unit == name for spec in FORMERS) else ()
    return UnitPlan(ctx.ids.rnsr(), name, tutelles, tutelles[0], ctx.names.take(), fte,
                    engineers, domain, site, group, teams)


def _declare(application: ApplicationPlan, unit: UnitPlan, *, shared_with: str | None = None,
             fte: Decimal | None = None) -> DeclarationPlan:
    declaration = DeclarationPlan(unit, unit.fte if fte is None else fte, shared_with)
    application.declarations.append(declaration)
    return declaration


@dataclass
class _CopyPlan:
    units: list[UnitPlan]
    applications: list[ApplicationPlan]


def _plan_copy(ctx: _Ctx, copy: int) -> _CopyPlan:
    """One national set: site and special units, 40 applications, their sharing and faults."""
    rng = ctx.rng
    suffix = "" if copy == 0 else f"-{copy + 1}"
    total_weight = sum(site.weight for site in SITES)
    by_site: dict[str, list[UnitPlan]] = {}
    for site in SITES:
        weights = [DOMAIN_WEIGHTS[d] * (3 if d in site.specialties else 1) for d in DOMAINS]
        count = round(SITE_UNITS * site.weight / total_weight)
        by_site[site.code] = [
            _site_unit(ctx, site, rng.choices(list(DOMAINS), weights)[0],
                       schools_first=len(site.schools) > 1)
            for _ in range(count)]
    specials = [_special_unit(ctx, spec) for spec in SPECIAL_UNITS]
    for unit in specials:
        if unit.site is not None:
            by_site[unit.site].append(unit)
    units = [unit for site in SITES for unit in by_site[site.code] if not unit.group] + specials
    taken: set[int] = set()

    def take(application: ApplicationPlan, unit: UnitPlan, **options: Any) -> DeclarationPlan:
        taken.add(id(unit))
        return _declare(application, unit, **options)

    formers = [_former(ctx, spec, suffix, specials, take) for spec in FORMERS]
    territorials = [_territorial(ctx, site, suffix, by_site[site.code], take)
                    for site in SITES if site.territorial]
    by_code = {application.code.removesuffix(suffix): application
               for application in territorials}
    # Broken on purpose: an IRT is a tutelle (FAQ-2.10); a unit from Toulouse (FAQ-2.3).
    take(by_code["terr-lille"], next(u for u in specials if u.group == "irt"))
    toulouse = [u for u in by_site["toulouse"] if id(u) not in taken and not u.group]
    take(by_code["terr-bordeaux"], toulouse[0])
    thematics = [_thematic(ctx, spec, suffix, by_site, specials, taken, take)
                 for spec in THEMATICS]
    by_code.update({application.code.removesuffix(suffix): application
                    for application in thematics})
    _share_units(ctx, territorials, thematics)
    _break_sharing(by_code)
    applications = formers + territorials + thematics
    _assign_statuses(ctx, applications, copy)
    return _CopyPlan(units, applications)


Take = Callable[..., DeclarationPlan]


def _former(ctx: _Ctx, spec: FormerSpec, suffix: str, specials: list[UnitPlan],
            take: Take) -> ApplicationPlan:
    rng = ctx.rng
    application = ApplicationPlan(spec.code + suffix, spec.name + _label(suffix), FORMER,
                                  spec.coordinator)
    members = [unit for unit in specials if unit.group == spec.group]
    for unit in members:
        declaration = take(application, unit)
        if unit.teams:
            declaration.teams = unit.teams[:2]
    newcomer = members[-1] if len(members) > 4 and not members[-1].teams else None
    departed = ctx.ids.rnsr()
    # The 2019 perimeter counts FTE as the rules do today (research engineers who do research
    # included, FAQ-2.16): each staying unit within ±8 % of its current FTE, and a unit that
    # left since, sized so that the whole is 92–106 % of today's (constant perimeter, FAQ-3.6).
    perimeter = {unit.rnsr: str(_half(float(_research_fte(unit)) * rng.uniform(0.92, 1.08)))
                 for unit in members if unit is not newcomer}
    wanted = float(sum(_research_fte(unit) for unit in members)) * rng.uniform(0.92, 1.06)
    kept = float(sum(Decimal(fte) for fte in perimeter.values()))
    perimeter[departed] = str(max(_half(wanted - kept), Decimal(5)))
    before = [unit.rnsr for unit in members if unit is not newcomer] + [departed]
    now = [unit.rnsr for unit in members]
    application.former = {
        "perimeter_2019": perimeter,
        "units_by_year": {"2023": before, "2024": before, "2025": now, "2026": now},
        "reference_abondement_cents": rng.randint(40, 160) * 1_000_000,
    }
    return application


def _research_fte(unit: UnitPlan) -> Decimal:
    """The unit's research FTE as declared: its engineers do research whenever it has some."""
    return unit.fte + unit.engineers


def _label(suffix: str) -> str:
    return f" ({suffix.lstrip('-')})" if suffix else ""


def _territorial(ctx: _Ctx, site: Site, suffix: str, pool: list[UnitPlan],
                 take: Take) -> ApplicationPlan:
    rng = ctx.rng
    application = ApplicationPlan(f"terr-{site.code}{suffix}",
                                  f"Carnot territorial {site.label}{_label(suffix)}",
                                  TERRITORIAL, site.universities[0][0], pui=f"pui-{site.code}")
    local = [unit for unit in pool if unit.group in {"", "crt"}]
    size = min(rng.randint(14, 28), round(len(local) * 0.65))
    chosen = rng.sample(local, size)
    crt = [unit for unit in local if unit.group == "crt"]
    if crt and crt[0] not in chosen:
        chosen[-1] = crt[0]
    if site.code == "montpellier" and not any("inserm" in u.tutelles for u in chosen):
        chosen[0] = next(u for u in local if "inserm" in u.tutelles and u not in chosen)
    for unit in sorted(chosen, key=lambda u: u.rnsr):
        take(application, unit)
    return application


def _thematic(ctx: _Ctx, spec: ThematicSpec, suffix: str, by_site: dict[str, list[UnitPlan]],
              specials: list[UnitPlan], taken: set[int], take: Take) -> ApplicationPlan:
    rng = ctx.rng
    application = ApplicationPlan(
        spec.code + suffix, spec.name + _label(suffix), THEMATIC, spec.coordinator,
        theme=spec.theme, alignments=spec.alignments)
    for unit in specials:
        if unit.group in spec.groups:
            take(application, unit)
    candidates = [unit for site in SITES for unit in by_site[site.code]
                  if unit.domain in spec.domains and not unit.group and id(unit) not in taken]
    rng.shuffle(candidates)
    candidates.sort(key=lambda u: spec.coordinator not in u.tutelles)  # stable: theirs first
    wanted = rng.randint(10, 20)
    for unit in candidates[:max(0, wanted - len(application.declarations))]:
        take(application, unit)
    application.declarations.sort(key=lambda d: d.unit.rnsr)
    application.justification = _justification(spec)
    return application


def _justification(spec: ThematicSpec) -> str:
    if not spec.alignments:
        return (f"« {spec.theme} » : une thématique portée par les industriels du secteur, "
                "partout en France ; les alignements restent à préciser.")
    aligned = " ; ".join(f"{kind} « {name} »" for kind, name in spec.alignments)
    return (f"« {spec.theme} » : une thématique nationale, portée par des unités de toute la "
            f"France et par leurs partenaires industriels, alignée sur {aligned}.")


def _share_units(ctx: _Ctx, territorials: list[ApplicationPlan],
                 thematics: list[ApplicationPlan]) -> None:
    """A few percent of units shared by a territorial and a thematic consortium, declared on
    both sides with the same FTE (FAQ-2.17, FAQ-2.21)."""
    rng = ctx.rng
    held = sum(len(a.declarations) for a in territorials + thematics)
    wanted = max(2, round(held * 0.03))
    candidates = [(territorial, declaration) for territorial in territorials
                  for declaration in territorial.declarations
                  if not declaration.unit.group
                  and f"pui-{declaration.unit.site}" == territorial.pui
                  and _base(territorial.code) not in {"terr-rennes", "terr-nantes"}]
    rng.shuffle(candidates)
    shared = 0
    for territorial, declaration in candidates:
        if shared == wanted:
            break
        unit = declaration.unit
        partners = [t for t in thematics if unit.domain in THEMATIC_DOMAINS[_base(t.code)]]
        if not partners:
            continue
        thematic = rng.choice(partners)
        declaration.shared_with = thematic.code
        _declare(thematic, unit, shared_with=territorial.code)
        shared += 1


THEMATIC_DOMAINS = {spec.code: spec.domains for spec in THEMATICS}


def _base(code: str) -> str:
    """The code without its copy suffix (them-agro-3 → them-agro)."""
    head, _, tail = code.rpartition("-")
    return head if tail.isdigit() else code


def _break_sharing(by_code: dict[str, ApplicationPlan]) -> None:
    """Faults on shared units: one side only (FAQ-2.17), different FTE (FAQ-2.17), two
    thematic consortia (FAQ-2.21)."""
    def unshared(application: ApplicationPlan, domains: Iterable[str]) -> UnitPlan:
        free = [d.unit for d in application.declarations
                if d.shared_with is None and not d.unit.group]
        return next((u for u in free if u.domain in domains), free[0])

    rennes, agro = by_code["terr-rennes"], by_code["them-agro"]
    _declare(agro, unshared(rennes, ("agro",)), shared_with=rennes.code)

    nantes, construction = by_code["terr-nantes"], by_code["them-construction"]
    declaration = next(d for d in nantes.declarations
                       if d.unit is unshared(nantes, ("ingenierie", "environnement")))
    declaration.shared_with = construction.code
    _declare(construction, declaration.unit, shared_with=nantes.code,
             fte=declaration.fte - Decimal("4.5") if declaration.fte > 10
             else declaration.fte + Decimal("4.5"))

    ia, cyber = by_code["them-ia"], by_code["them-cyber"]
    declaration = next(d for d in ia.declarations if d.unit is unshared(ia, ("numerique",)))
    declaration.shared_with = cyber.code
    _declare(cyber, declaration.unit, shared_with=ia.code)

    by_code["terr-montpellier"].missing_signature = "inserm"
    by_code["them-cyber"].unempowered_signature = "cnrs"
    for application in by_code.values():
        application.declarations.sort(key=lambda d: d.unit.rnsr)


BROKEN_CODES = frozenset(broken.code for broken in BROKEN)


def _assign_statuses(ctx: _Ctx, applications: list[ApplicationPlan], copy: int) -> None:
    """Broken ones stay drafts; of the clean ones, some are submitted, a few admissible or
    selected. The demo coordinator's applications are fixed."""
    clean = [a for a in applications if _base(a.code) not in BROKEN_CODES
             and (copy > 0 or a.code not in COORDINATOR_APPLICATIONS)]
    ctx.rng.shuffle(clean)
    for application, status in zip(clean, [Status.SUBMITTED] * 7 + [Status.ADMISSIBLE] * 3
                                    + [Status.SELECTED] * 2, strict=False):
        application.status = status
    for application in applications:
        application.owner = f"coord-{application.code}"
        if copy == 0 and application.code in COORDINATOR_APPLICATIONS:
            application.owner = COORDINATOR_USERNAME
            application.status = (Status.SUBMITTED if application.code ==
                                  SUBMITTED_FOR_COORDINATOR else Status.DRAFT)

def plan_demo(*, scale: int = 1, seed: int = 2026) -> tuple[list[UnitPlan], list[ApplicationPlan]]:
    """The demo's units and applications, decided in memory (no database): deterministic."""
    units, applications, _ = plan_with_context(scale, seed)
    return units, applications


def plan_with_context(scale: int, seed: int) -> tuple[list[UnitPlan], list[ApplicationPlan], _Ctx]:
    if scale < 1:
        raise ValueError("scale doit valoir au moins 1")
    rng = random.Random(seed)
    kinds = {code: kind for code, _, kind, _, _ in structure_specs(random.Random(seed))}
    ctx = _Ctx(rng, _Identifiers(rng), Names(rng), kinds)
    units: list[UnitPlan] = []
    applications: list[ApplicationPlan] = []
    for copy in range(scale):
        planned = _plan_copy(ctx, copy)
        units += planned.units
        applications += planned.applications
    return units, applications, ctx
