"""Smoke test of ``bench/bench_allocation.py`` on the demo at scale 1: the bare read fetches the
same contract rows the allocation reads, an allocation run is timed phase by phase and stores a
new draft run, and the report gives a ratio. No timing is asserted: the benchmark compares speeds
in its own run (``uv run python bench/bench_allocation.py``, on PostgreSQL)."""

from __future__ import annotations

import pytest
from bench import bench_allocation as bench

from carnot.allocation.models import AllocationRun, AllocationStatus
from carnot.applications.selectors import national_contracts


@pytest.mark.django_db
def test_the_bench_reads_the_contracts_of_the_call_and_times_a_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    loaded = bench.load(1)
    assert loaded.applications == 40 and loaded.contracts > 10_000

    contracts = national_contracts(call=loaded.call)
    assert bench.read_contracts(loaded) == (
        len(contracts), sum(len(contract.invoiced_cents) for contract in contracts))

    samples = bench.measure(loaded, rounds=1)
    assert set(samples.times) == {"allocation run", "bare SQL read", "storing the run",
                                  *bench.PHASES}
    run = samples.times["allocation run"][0]
    assert run >= sum(samples.times[phase][0] for phase in bench.PHASES)
    runs = AllocationRun.objects.filter(call=loaded.call).order_by("number")
    # The demo's published run, then the warm-up and the timed round.
    assert [r.status for r in runs] == [AllocationStatus.PUBLISHED] + [AllocationStatus.DRAFT] * 2
    assert len({r.inputs_fingerprint for r in runs}) == 1, "the same inputs, the same fingerprint"

    queries = bench.queries_of_a_run(loaded)
    ratio = bench.report(loaded, samples, 1, queries, "sqlite")
    assert ratio > 0 and queries < 40
    assert "ratio répartition / lecture SQL nue" in capsys.readouterr().out
