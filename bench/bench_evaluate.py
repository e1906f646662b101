"""Benchmark: a full ``carnot evaluate`` of a national scenario against ``json.load`` of it.

The issue's target: evaluating the synthetic national scenario (60 consortia, 3,000 units,
200,000 contracts over 2022–2026) — parse, validate, evaluate, serialise — takes at most
3 × the time the standard library's ``json.load`` takes on the same file.

The machine is shared and noisy, so the two are measured side by side in one run, interleaved
round by round (the order alternates), after one untimed warm-up round; the report gives the
median of each and their ratio. Never a timed unit test.

    uv run python bench/bench_evaluate.py [--rounds 5] [--no-cli] [--profile 30]

Measured each round:
  (a) ``json.load`` of the file (opened in binary mode, as ``load_scenario`` reads bytes);
  (b) the in-process pipeline of ``carnot evaluate FILE --json -o OUT``: ``load_scenario`` +
      ``evaluate_call`` + ``evaluation_as_dict`` serialised with orjson and written out;
  (c) for information, the whole CLI as a subprocess (interpreter start-up and imports too).
The pipeline pauses the cyclic garbage collector exactly where the CLI does (``paused_gc``);
``json.load`` runs with the interpreter's defaults. ``gc.collect()`` runs before each
timed step so that no step pays for the garbage of another (``--gc-off`` disables it instead,
to show its share). Results are freed outside the timed regions.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from carnot.rules.evaluation import evaluate_call, evaluation_as_dict
from carnot.scenario.loader import load_scenario, paused_gc
from national_scenario import DEFAULT_SEED, write_national_scenario  # bench/ is on sys.path

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
GENERATOR = BENCH_DIR / "national_scenario.py"
TARGET_RATIO = 3.0


# --- the scenario file ------------------------------------------------------------------------

def scenario_file(console: Console, *, consortia: int, units: int, contracts: int, seed: int,
                  regenerate: bool) -> Path:
    """The generated scenario in ``bench/out/``, written again only when the generator or its
    arguments changed (a ``.meta`` file next to it records both)."""
    path = OUT_DIR / f"national_{consortia}c_{units}u_{contracts}k_s{seed}.json"
    meta_path = path.with_suffix(".meta")
    meta = json.dumps({"generator_sha256": hashlib.sha256(GENERATOR.read_bytes()).hexdigest(),
                       "consortia": consortia, "units": units, "contracts": contracts,
                       "seed": seed}, sort_keys=True)
    if regenerate or not path.exists() or not meta_path.exists() \
            or meta_path.read_text(encoding="utf-8") != meta:
        started = time.perf_counter()
        with console.status(f"generating {path.name}…"):
            write_national_scenario(path, consortia=consortia, units=units,
                                    contracts=contracts, seed=seed)
        meta_path.write_text(meta, encoding="utf-8")
        console.print(f"generated {path} in {time.perf_counter() - started:.1f} s")
    return path


# --- what is timed ----------------------------------------------------------------------------

def run_json_load(path: Path) -> tuple[dict[str, float], Any]:
    started = time.perf_counter()
    with path.open("rb") as stream:
        document = json.load(stream)
    return {"json.load": time.perf_counter() - started}, document


def run_pipeline(path: Path) -> tuple[dict[str, float], Any]:
    """What ``carnot evaluate PATH --json -o OUT`` does once its arguments are parsed
    (see ``carnot.cli._evaluate``), phase by phase."""
    started = time.perf_counter()
    loaded = load_scenario(path)
    loaded_at = time.perf_counter()
    with paused_gc():
        evaluation = evaluate_call(loaded.call, loaded.params)
    evaluated_at = time.perf_counter()
    with paused_gc():
        document = evaluation_as_dict(evaluation)
        as_dict_at = time.perf_counter()
        payload = orjson.dumps(document) + b"\n"
    Path(os.devnull).write_bytes(payload)
    finished = time.perf_counter()
    phases = {"pipeline": finished - started, "load_scenario": loaded_at - started,
              "evaluate_call": evaluated_at - loaded_at,
              "evaluation_as_dict": as_dict_at - evaluated_at,
              "orjson.dumps + write": finished - as_dict_at}
    return phases, (loaded, evaluation, document)


def source_revision() -> str:
    """The commit measured, and whether ``src/`` has uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR.parent,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"],
                               cwd=BENCH_DIR.parent, capture_output=True, text=True,
                               check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"
    return f"commit {commit}{' + uncommitted changes in src/' if dirty else ''}"


def cli_command(path: Path) -> list[str]:
    script = Path(sys.executable).with_name("carnot")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "carnot.cli"]
    return [*program, "evaluate", str(path), "--json", "-o", os.devnull]


def run_cli(path: Path) -> tuple[dict[str, float], Any]:
    command = cli_command(path)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return {"CLI (subprocess)": time.perf_counter() - started}, None


@dataclass
class Samples:
    times: dict[str, list[float]] = field(default_factory=dict)

    def add(self, phases: dict[str, float]) -> None:
        for name, seconds in phases.items():
            self.times.setdefault(name, []).append(seconds)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])


def timed(step: Callable[[Path], tuple[dict[str, float], Any]], path: Path,
          gc_off: bool) -> dict[str, float]:
    gc.collect()
    if gc_off:
        gc.disable()
    try:
        phases, result = step(path)
    finally:
        if gc_off:
            gc.enable()
    del result
    gc.collect()
    return phases


# --- report -----------------------------------------------------------------------------------

def describe_scenario(path: Path, evaluation_result: Any, console: Console) -> None:
    loaded, evaluation, _ = evaluation_result
    call = loaded.call
    units = {unit.rnsr for application in call.applications for unit in application.units}
    admissible = sum(result.admissible for result in evaluation.consortia)
    eligible = sum(eligibility.eligible for eligibility in evaluation.contracts)
    size = path.stat().st_size
    console.print(f"scenario: [bold]{path}[/bold] — {size / 1e6:.1f} MB ({size:,} bytes)")
    console.print(f"  {len(call.applications)} applications ({admissible} admissible), "
                  f"{len(units):,} units, {len(call.contracts):,} contracts "
                  f"({eligible:,} eligible), {len(call.structures)} structures, "
                  f"{len(call.puis)} PUIs; allocated "
                  f"{evaluation.allocated_cents / 100:,.2f} € of "
                  f"{evaluation.envelope_cents / 100:,.2f} €", soft_wrap=True)


def report(samples: Samples, rounds: int, gc_off: bool, console: Console) -> float:
    baseline = samples.median("json.load")
    table = Table(title=f"carnot evaluate vs json.load — median of {rounds} interleaved rounds"
                        f"{' (gc disabled)' if gc_off else ''}")
    table.add_column("measure")
    for column in ("median (s)", "min (s)", "max (s)", "× json.load"):
        table.add_column(column, justify="right")
    indented = {"load_scenario", "evaluate_call", "evaluation_as_dict", "orjson.dumps + write"}
    for name, times in samples.times.items():
        label = f"  └ {name}" if name in indented else name
        if name == "pipeline":
            label = "[bold]pipeline (in-process evaluate --json)[/bold]"
        table.add_row(label, f"{statistics.median(times):.3f}", f"{min(times):.3f}",
                      f"{max(times):.3f}", f"{statistics.median(times) / baseline:.2f}×")
    console.print(table)
    ratio = samples.median("pipeline") / baseline
    per_round = [pipeline / loaded for pipeline, loaded in
                 zip(samples.times["pipeline"], samples.times["json.load"], strict=True)]
    verdict = ("[bold green]meets[/bold green]" if ratio <= TARGET_RATIO
               else "[bold red]misses[/bold red]")
    console.print(f"ratio pipeline / json.load (medians): [bold]{ratio:.2f}×[/bold] — {verdict} "
                  f"the ≤ {TARGET_RATIO:g}× target (per-round ratios "
                  f"{min(per_round):.2f}–{max(per_round):.2f}×, median "
                  f"{statistics.median(per_round):.2f}×)")
    if "CLI (subprocess)" in samples.times:
        console.print(f"whole CLI as a subprocess (information): "
                      f"{samples.median('CLI (subprocess)') / baseline:.2f}× json.load")
    return ratio


def profile_pipeline(path: Path, top: int, gc_off: bool, console: Console) -> None:
    """One pipeline run under cProfile; the stats go to ``bench/out/pipeline.prof``.

    With the collector enabled, the time of each collection is charged to whatever function
    happened to allocate when it triggered (``dict.items``, ``_bool``…): profile with
    ``--gc-off`` to see where the work itself goes.
    """
    gc.collect()
    if gc_off:
        gc.disable()
    profiler = cProfile.Profile()
    profiler.enable()
    result = run_pipeline(path)
    profiler.disable()
    gc.enable()
    del result
    stats_path = OUT_DIR / "pipeline.prof"
    profiler.dump_stats(stats_path)
    for sort in ("tottime", "cumulative"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(sort).print_stats(top)
        console.print(f"\n[bold]cProfile, top {top} by {sort}"
                      f"{' (gc disabled)' if gc_off else ''}[/bold] (full stats: {stats_path})")
        console.print(stream.getvalue(), markup=False, highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--consortia", type=int, default=60)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--contracts", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--regenerate", action="store_true", help="write the scenario again")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess")
    parser.add_argument("--gc-off", action="store_true",
                        help="disable the cyclic GC inside the timed steps (both sides)")
    parser.add_argument("--profile", type=int, metavar="TOP", default=0,
                        help="after timing, profile one pipeline run and print the TOP lines")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when the ratio misses the target")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 120))

    path = scenario_file(console, consortia=args.consortia, units=args.units,
                         contracts=args.contracts, seed=args.seed, regenerate=args.regenerate)
    console.print(f"{source_revision()}; Python {platform.python_version()} on "
                  f"{platform.machine()}, "
                  f"{os.cpu_count()} CPUs; CLI command: {' '.join(cli_command(path))}",
                  soft_wrap=True)

    with console.status("warm-up round (untimed)…"):
        run_json_load(path)
        gc.collect()
        _, warm = run_pipeline(path)
    describe_scenario(path, warm, console)
    del warm
    gc.collect()

    steps = [run_json_load, run_pipeline] + ([] if args.no_cli else [run_cli])
    samples = Samples()
    for number in range(args.rounds):
        order = steps if number % 2 == 0 else steps[::-1]
        with console.status(f"round {number + 1}/{args.rounds}…"):
            for step in order:
                samples.add(timed(step, path, args.gc_off))
        console.print(f"round {number + 1}: json.load {samples.times['json.load'][-1]:.3f} s, "
                      f"pipeline {samples.times['pipeline'][-1]:.3f} s"
                      + ("" if args.no_cli else
                         f", CLI {samples.times['CLI (subprocess)'][-1]:.3f} s"))
    ratio = report(samples, args.rounds, args.gc_off, console)
    if args.profile:
        profile_pipeline(path, args.profile, args.gc_off, console)
    return 1 if args.strict and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
