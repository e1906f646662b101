"""Run a FAQ scenario file: build the scenario, evaluate it, compare with the expected results.

A scenario file (YAML) holds:
  rule / rules   the FAQ id(s) the case checks (the catalogue coverage test reads them)
  title          the case in plain words
  base           optional: a file under tests/scenarios whose structures and puis are prepended
  scenario       a scenario exactly as `carnot evaluate` reads it (without base data)
  expect         what must come out (see `check_expectations`)
  expect_error   instead of expect: fragments that the input error must contain
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from carnot.rules.evaluation import NationalEvaluation, evaluate_call
from carnot.scenario.loader import ScenarioError, scenario_from_document

SCENARIOS = Path(__file__).parent


def scenario_files() -> list[Path]:
    return sorted(path for path in SCENARIOS.rglob("*.yaml") if "common" not in path.parts)


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict), f"{path}: a mapping is expected"
    assert "rule" in case or "rules" in case, f"{path}: the case must name its rule id(s)"
    assert ("expect" in case) != ("expect_error" in case), f"{path}: expect or expect_error"
    return case


def build_document(case: dict[str, Any]) -> dict[str, Any]:
    document = dict(case["scenario"])
    if "base" in case:
        base = yaml.safe_load((SCENARIOS / case["base"]).read_text(encoding="utf-8"))
        for section in ("structures", "puis"):
            document[section] = [*base.get(section, []), *document.get(section, [])]
    return document


def run_case(path: Path) -> None:
    case = load_case(path)
    document = build_document(case)
    if "expect_error" in case:
        try:
            scenario_from_document(document, source=path.name)
        except ScenarioError as exc:
            text = str(exc)
            for fragment in case["expect_error"]:
                assert fragment in text, f"« {fragment} » absent from the error:\n{text}"
            return
        raise AssertionError("the scenario was expected to be refused")
    loaded = scenario_from_document(document, source=path.name)
    evaluation = evaluate_call(loaded.call, loaded.params)
    check_expectations(evaluation, case["expect"])


def check_expectations(evaluation: NationalEvaluation, expect: dict[str, Any]) -> None:
    """Compare what matters to the case; absent keys are not checked.

    consortia.<id>:
      admissible            bool
      violations            exact list of the rule ids of failed verdicts (order-free)
      verdicts              list of {rule, status[, subject][, message_contains]} that must appear
      threshold_revenue_cents, abondement_revenue_cents, allocation_cents, bonus_cents   ints
      guarantee             {applies, amount_cents, failed_rules (exact list)}
    contracts.<id>:         {eligible, rule}
    envelope_cents, allocated_cents
    """
    for consortium_id, wanted in expect.get("consortia", {}).items():
        result = evaluation.consortium(consortium_id)
        where = f"consortium {consortium_id}"
        if "admissible" in wanted:
            assert result.admissible is wanted["admissible"], (
                f"{where}: admissible={result.admissible}; violations: "
                f"{[(v.rule, v.message) for v in result.violations]}")
        if "violations" in wanted:
            got = sorted(v.rule for v in result.violations)
            assert got == sorted(wanted["violations"]), (
                f"{where}: violations {got} != {sorted(wanted['violations'])}: "
                f"{[(v.rule, v.message) for v in result.violations]}")
        all_verdicts = [*result.verdicts, *result.guarantee.verdicts, *result.bonus_verdicts]
        for verdict in wanted.get("verdicts", []):
            matches = [v for v in all_verdicts if v.rule == verdict["rule"]
                       and v.status.value == verdict["status"]
                       and verdict.get("subject", v.subject) == v.subject
                       and verdict.get("message_contains", "") in v.message]
            got = [(v.rule, v.status.value, v.subject, v.message) for v in all_verdicts]
            assert matches, f"{where}: no verdict {verdict}; got {got}"
        for figure in ("threshold_revenue_cents", "abondement_revenue_cents", "allocation_cents",
                       "bonus_cents"):
            if figure in wanted:
                assert getattr(result, figure) == wanted[figure], (
                    f"{where}: {figure}={getattr(result, figure)} != {wanted[figure]}")
        if "guarantee" in wanted:
            guarantee = wanted["guarantee"]
            got = result.guarantee
            reasons = [(v.rule, v.status.value, v.message) for v in got.verdicts]
            if "applies" in guarantee:
                assert got.applies is guarantee["applies"], f"{where}: guarantee {reasons}"
            if "amount_cents" in guarantee:
                assert got.amount_cents == guarantee["amount_cents"], f"{where}: {reasons}"
            if "failed_rules" in guarantee:
                failed = sorted(v.rule for v in got.verdicts if v.failed)
                assert failed == sorted(guarantee["failed_rules"]), f"{where}: {reasons}"
    for contract_id, wanted in expect.get("contracts", {}).items():
        eligibility = evaluation.contract(contract_id)
        for key in ("eligible", "rule"):
            if key in wanted:
                assert getattr(eligibility, key) == wanted[key], (
                    f"contract {contract_id}: {key}={getattr(eligibility, key)} != "
                    f"{wanted[key]} ({eligibility.message})")
    for figure in ("envelope_cents", "allocated_cents"):
        if figure in expect:
            assert getattr(evaluation, figure) == expect[figure], (
                f"{figure}={getattr(evaluation, figure)} != {expect[figure]}")
