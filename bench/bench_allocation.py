"""Benchmark: a national allocation run on the demo dataset ×10 in PostgreSQL, against a bare
SQL read of the same contract rows.

Issue 4's target: ``carnot.allocation.services.allocation_run`` — read the national call and its
contracts, evaluate every rule, store the run (parameters, inputs fingerprint, results with
their traces, one line per consortium) — takes under 3× the time of a bare SQL read of the
contract rows it evaluates: the contracts of every unit declared in the call, with their unit,
partner and category, and their invoiced amounts, fetched with a cursor.

    uv run python bench/bench_allocation.py              # a throwaway PostgreSQL, demo ×10
    CARNOT_BENCH_POSTGRES_URL=postgres://… uv run python bench/bench_allocation.py
    uv run python bench/bench_allocation.py --scale 2 --rounds 3 --profile 30

The demo (``build_demo(scale=10)``: 400 applications, ~6,400 declared units and their ledgers,
2023–2026) is loaded once on an empty database. Then, after one untimed warm-up of each, the two
are measured side by side, interleaved round by round (the order alternates), ``gc.collect()``
before each; the report gives the median of each, the phases of the run, the ratio, and the
number of SQL queries of a run. Each run stores a new draft run (numbers 2, 3…), as an officer's
would. This is a benchmark, never a timed unit test (``tests/allocation/test_bench_allocation.py``
only runs these functions on a small demo).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from carnot.registry.models import Call

TARGET_RATIO = 3.0
PHASES = {"national_call": "carnot.allocation.inputs",
          "national_contracts": "carnot.allocation.inputs",
          "evaluate_call": "carnot.allocation.services",
          "evaluation_as_dict": "carnot.allocation.services",
          "inputs_fingerprint": "carnot.allocation.services"}
"""What ``allocation_run`` calls, timed apart, by the module that looks each name up; the rest
of the run is storing it."""

CONTRACTS_SQL = """
SELECT c.id, u.rnsr, c.reference, p.name, c.partner_category, c.total_cents, c.signed_on,
       c.cifre, c.in_theme
FROM funding_researchcontract c
JOIN registry_unit u ON u.id = c.unit_id
JOIN funding_partner p ON p.id = c.partner_id
WHERE c.unit_id IN (SELECT d.unit_id FROM applications_applicationunit d
                    JOIN applications_application a ON a.id = d.application_id
                    WHERE a.call_id = %s)
ORDER BY u.rnsr, c.reference
"""
INVOICED_SQL = """
SELECT i.contract_id, i.year, i.amount_cents
FROM funding_invoicedamount i
JOIN funding_researchcontract c ON c.id = i.contract_id
WHERE c.unit_id IN (SELECT d.unit_id FROM applications_applicationunit d
                    JOIN applications_application a ON a.id = d.application_id
                    WHERE a.call_id = %s)
"""


# --- the database ---------------------------------------------------------------------------------

def setup_django() -> str:
    """PostgreSQL: ``CARNOT_BENCH_POSTGRES_URL``, else ``DATABASE_URL``, else a throwaway
    cluster (as ``bench_national_view.py`` starts one); returns the database's vendor."""
    url = os.environ.get("CARNOT_BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL")
    if not url:
        from bench_national_view import throwaway_postgres  # bench/ is on sys.path

        url = throwaway_postgres()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "carnot.web.settings"
    os.environ.setdefault("CARNOT_DATA_DIR", tempfile.mkdtemp(prefix="carnot-bench-"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


@dataclass(frozen=True)
class Loaded:
    call: Call
    officer: User
    scale: int
    seconds: float
    applications: int
    units: int
    contracts: int
    invoiced: int


def load(scale: int, seed: int = 2026) -> Loaded:
    """The demo at ``scale`` (with its ledgers) on an emptied database, then ``ANALYZE``."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from carnot.applications.models import Application, ApplicationUnit
    from carnot.demo.accounts import DEMO_CALL_YEAR, OFFICER_USERNAME
    from carnot.demo.national import build_demo
    from carnot.ledgers.models import InvoicedAmount, ResearchContract
    from carnot.registry.models import Call

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    build_demo(scale=scale, seed=seed)
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    call = Call.objects.get(year=DEMO_CALL_YEAR)
    return Loaded(
        call=call, officer=User.objects.get(username=OFFICER_USERNAME), scale=scale,
        seconds=seconds, applications=Application.objects.filter(call=call).count(),
        units=ApplicationUnit.objects.filter(application__call=call).values("unit").distinct()
        .count(),
        contracts=ResearchContract.objects.count(), invoiced=InvoicedAmount.objects.count())


# --- what is timed --------------------------------------------------------------------------------

@contextmanager
def phase_timers(into: dict[str, float]) -> Iterator[None]:
    """Time the functions ``allocation_run`` calls (by wrapping the names it looks up)."""
    modules = {name: importlib.import_module(module) for name, module in PHASES.items()}
    originals = {name: getattr(modules[name], name) for name in PHASES}

    def timer(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into[name] = into.get(name, 0.0) + time.perf_counter() - started
        return timed

    for name, function in originals.items():
        setattr(modules[name], name, timer(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(modules[name], name, function)


def run_allocation(loaded: Loaded) -> dict[str, float]:
    """(a) One national allocation run, phase by phase."""
    from carnot.allocation.services import allocation_run

    phases: dict[str, float] = {}
    with phase_timers(phases):
        started = time.perf_counter()
        allocation_run(call=loaded.call, envelope_cents=None, overrides=None, by=loaded.officer)
        total = time.perf_counter() - started
    phases["storing the run"] = total - sum(phases.values())
    return {"allocation run": total, **phases}


def read_contracts(loaded: Loaded) -> tuple[int, int]:
    """(b) The same contract rows, bare: two queries fetched with a cursor."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(CONTRACTS_SQL, [loaded.call.pk])
        contracts = cursor.fetchall()
        cursor.execute(INVOICED_SQL, [loaded.call.pk])
        invoiced = cursor.fetchall()
    return len(contracts), len(invoiced)


def run_bare_read(loaded: Loaded) -> dict[str, float]:
    started = time.perf_counter()
    read_contracts(loaded)
    return {"bare SQL read": time.perf_counter() - started}


def timed(step: Callable[[Loaded], dict[str, float]], loaded: Loaded) -> dict[str, float]:
    gc.collect()
    return step(loaded)


@dataclass
class Samples:
    times: dict[str, list[float]] = field(default_factory=dict)

    def add(self, phases: dict[str, float]) -> None:
        for name, seconds in phases.items():
            self.times.setdefault(name, []).append(seconds)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])


def measure(loaded: Loaded, rounds: int) -> Samples:
    """One untimed warm-up of each, then ``rounds`` interleaved rounds, order alternating."""
    steps = [run_allocation, run_bare_read]
    for step in steps:
        step(loaded)
    samples = Samples()
    for index in range(rounds):
        for step in steps if index % 2 == 0 else reversed(steps):
            samples.add(timed(step, loaded))
    return samples


def queries_of_a_run(loaded: Loaded) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from carnot.allocation.services import allocation_run

    with CaptureQueriesContext(connection) as queries:
        allocation_run(call=loaded.call, envelope_cents=None, overrides=None, by=loaded.officer)
    return len(queries)


# --- report ---------------------------------------------------------------------------------------

def report(loaded: Loaded, samples: Samples, rounds: int, queries: int, vendor: str) -> float:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    console.print(f"demo ×{loaded.scale} on {vendor}, loaded in {loaded.seconds:.1f} s: "
                  f"{loaded.applications} applications, {loaded.units:,} declared units, "
                  f"{loaded.contracts:,} contracts, {loaded.invoiced:,} invoiced amounts")
    baseline = samples.median("bare SQL read")
    table = Table(title=f"allocation run vs bare SQL read — medians of {rounds} interleaved "
                        "rounds")
    table.add_column("measure")
    for column in ("median (s)", "min (s)", "max (s)", "× bare read"):
        table.add_column(column, justify="right")
    for name, times in samples.times.items():
        label = name if name in {"allocation run", "bare SQL read"} else f"  └ {name}"
        table.add_row(label, f"{statistics.median(times):.3f}", f"{min(times):.3f}",
                      f"{max(times):.3f}", f"{statistics.median(times) / baseline:.2f}×")
    console.print(table)
    ratio = samples.median("allocation run") / baseline
    per_round = [run / read for run, read in zip(samples.times["allocation run"],
                                                 samples.times["bare SQL read"], strict=True)]
    verdict = "atteint" if ratio <= TARGET_RATIO else "manque"
    console.print(f"ratio répartition / lecture SQL nue (médianes) : {ratio:.2f}× — {verdict} "
                  f"la cible ≤ {TARGET_RATIO:g}× (par manche : {min(per_round):.2f}–"
                  f"{max(per_round):.2f}×) ; {queries} requêtes SQL par répartition")
    return ratio


def profile_run(loaded: Loaded, top: int) -> None:
    from carnot.allocation.services import allocation_run

    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    allocation_run(call=loaded.call, envelope_cents=None, overrides=None, by=loaded.officer)
    profiler.disable()
    for sort in ("tottime", "cumulative"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(sort).print_stats(top)
        print(f"\ncProfile of one allocation run, top {top} by {sort}")
        print(stream.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", type=int, metavar="TOP", default=0,
                        help="after timing, profile one run and print the TOP lines")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when the ratio misses the target")
    args = parser.parse_args(argv)
    vendor = setup_django()
    loaded = load(args.scale, args.seed)
    samples = measure(loaded, args.rounds)
    ratio = report(loaded, samples, args.rounds, queries_of_a_run(loaded), vendor)
    if args.profile:
        profile_run(loaded, args.profile)
    return 1 if args.strict and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
