"""Verdicts (`carnot.rules.verdicts`): each names the check that produced it, and a labelled
exception is combined with its base rule outside it (Catala's ``exception``)."""

from __future__ import annotations

import inspect

from carnot.rules import (
    admissibility,
    allocation,
    bonus,
    guarantee,
    membership,
    partners,
    revenue,
    sharing,
)
from carnot.rules.evaluation import evaluate_call
from carnot.rules.verdicts import Status, Verdict, failed, not_checkable, passed, with_exception
from carnot.scenario.loader import scenario_from_document
from tests.scenarios.harness import build_document, load_case, scenario_files

RULE_MODULES = (admissibility, allocation, bonus, guarantee, membership, partners, revenue,
                sharing)


def base_rule(refuses: bool) -> Verdict:
    """A base rule for the tests: refuses or passes."""
    return (failed if refuses else passed)("FAQ-0.1", "base", figures={"x": 1})


def exception_rule(applies: bool) -> Verdict | None:
    """An exception for the tests: lifts the refusal when it applies."""
    return passed("FAQ-0.2", "exception", parameters=("transition_years",)) if applies else None


def test_a_verdict_names_the_rule_function_that_made_it() -> None:
    verdict = base_rule(refuses=True)

    assert verdict.check == "base_rule"
    assert verdict.as_dict()["check"] == "base_rule"


def test_a_check_name_given_explicitly_is_kept() -> None:
    assert not_checkable("FAQ-0.1", "?", check="stable_name").check == "stable_name"


def test_exception_lifts_the_base_refusal_when_it_applies() -> None:
    verdict = with_exception(base_rule(refuses=True), lambda: exception_rule(True), to=base_rule)

    assert (verdict.rule, verdict.status, verdict.check) == ("FAQ-0.2", Status.PASSED,
                                                             "exception_rule")


def test_a_refusal_the_exception_does_not_lift_stands_naming_what_the_exception_read() -> None:
    verdict = with_exception(base_rule(refuses=True), lambda: exception_rule(False),
                             to=base_rule, reads=("transition_years",))

    assert (verdict.rule, verdict.status, verdict.message) == ("FAQ-0.1", Status.FAILED, "base")
    assert verdict.parameters == ("transition_years",)
    assert verdict.figures == {"x": 1}


def test_exception_is_not_consulted_when_the_base_rule_passes_or_another_check_refuses() -> None:
    def must_not_run() -> Verdict | None:
        raise AssertionError("exception consulted")

    passing = base_rule(refuses=False)
    other = failed("FAQ-0.1", "autre")

    assert with_exception(passing, must_not_run, to=base_rule) is passing
    assert with_exception(other, must_not_run, to=base_rule) is other


def test_every_verdict_of_the_scenarios_names_a_rule_function() -> None:
    """Callers select verdicts by check name, so every check must be a real rule function."""
    functions = {name for module in RULE_MODULES
                 for name, _ in inspect.getmembers(module, inspect.isfunction)}
    checks: set[str] = set()
    for path in scenario_files():
        case = load_case(path)
        if "expect" not in case:
            continue
        loaded = scenario_from_document(build_document(case), source=path.name)
        evaluation = evaluate_call(loaded.call, loaded.params)
        checks |= {verdict.check for result in evaluation.consortia
                   for verdict in (*result.verdicts, *result.guarantee.verdicts,
                                   *result.bonus_verdicts)}
        checks |= {step.check for step in evaluation.allocation.steps}

    assert checks <= functions, sorted(checks - functions)
    assert {"revenue_meets_eligibility_threshold", "joint_unit_shared_by_carnot4_derogation",
            "incomplete_units_admitted_by_carnot4_derogation",
            "guarantee_requires_perimeter_kept"} <= checks
