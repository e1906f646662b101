"""Explaining a consortium's result from stored results (`carnot.rules.explanation`): the same
text as `explain_consortium` on the live evaluation, and the structured parts a page shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from carnot.rules.evaluation import (
    NationalEvaluation,
    evaluate_call,
    evaluation_as_dict,
    explain_consortium,
)
from carnot.rules.explanation import (
    UnknownConsortium,
    explain_stored_consortium,
    figure,
    shown_figure,
)
from carnot.scenario.loader import load_scenario

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "national-2026.yaml"


@pytest.fixture(scope="module")
def evaluation() -> NationalEvaluation:
    loaded = load_scenario(EXAMPLE)
    return evaluate_call(loaded.call, loaded.params)


@pytest.fixture(scope="module")
def stored(evaluation: NationalEvaluation) -> dict[str, Any]:
    """The results as an allocation run stores them: JSON round trip, without the contracts."""
    results = evaluation_as_dict(evaluation)
    results.pop("contracts")
    stored: dict[str, Any] = json.loads(json.dumps(results, default=str))
    return stored


def test_text_from_stored_results_is_the_live_explanation_of_every_consortium(
        evaluation: NationalEvaluation, stored: dict[str, Any]) -> None:
    for result in evaluation.consortia:
        assert (explain_stored_consortium(stored, result.id).as_text()
                == explain_consortium(result, evaluation)), result.id


def test_guaranteed_former_carnot_shows_each_condition_with_its_figures(
        stored: dict[str, Any]) -> None:
    explanation = explain_stored_consortium(stored, "c4-mica")

    guarantee = explanation.guarantee
    assert guarantee is not None and guarantee.applies
    assert guarantee.amount_cents == 57_600_000 and guarantee.failed_rules == ()
    rules = [condition.rule for condition in guarantee.conditions]
    assert rules == ["FAQ-2.19", "FAQ-3.6", "FAQ-3.5", "FAQ-3.4", "FAQ-3.7", "FAQ-3.5"]
    kept = next(c for c in guarantee.conditions if c.message.startswith("92,51 %"))
    assert {(f.label, f.value) for f in kept.figures} >= {
        ("part du périmètre maintenue", "92,51 %"), ("ETP du périmètre 2019", "187")}
    revenue = next(c for c in guarantee.conditions if c.rule == "FAQ-3.7")
    assert ("moyenne des années de référence", "3\u202f422\u202f300,00 €") in {
        (f.label, f.value) for f in revenue.figures}
    assert "Abondement garanti (Carnot 4) : 576\u202f000,00 €" in explanation.summary


def test_former_carnot_that_lost_its_perimeter_names_the_failed_conditions(
        stored: dict[str, Any]) -> None:
    explanation = explain_stored_consortium(stored, "c4-brgm")

    guarantee = explanation.guarantee
    assert guarantee is not None and not guarantee.applies and guarantee.amount_cents == 0
    assert guarantee.failed_rules
    assert any(c.status == "failed" for c in guarantee.conditions)
    assert (f"Abondement garanti (Carnot 4) : non ({', '.join(guarantee.failed_rules)})"
            in explanation.summary)


def test_inadmissible_consortium_lists_its_violations_and_gets_nothing(
        stored: dict[str, Any]) -> None:
    explanation = explain_stored_consortium(stored, "terr-lille")

    assert not explanation.admissible and explanation.allocation_cents == 0
    assert [v.rule for v in explanation.violations] == ["FAQ-2.10"]
    assert explanation.violations[0].mark == "✘"
    assert explanation.guarantee is None
    assert explanation.summary[0] == "Recevable : non (1 violation)"
    assert "Abondement : 0,00 €" in explanation.summary
    assert not explanation.allocation_steps


def test_overridden_parameter_is_marked_with_its_original_source(
        stored: dict[str, Any]) -> None:
    parameters = {p.name: p for p in explain_stored_consortium(stored, "c4-mica").parameters}

    assert parameters["envelope"].overridden
    assert parameters["envelope"].source == "scénario, surchargé (était hypothèse)"
    assert not parameters["guarantee_rate"].overridden
    assert parameters["guarantee_rate"].source == "FAQ-3.5"


def test_as_dict_is_json_and_carries_the_text(stored: dict[str, Any]) -> None:
    explanation = explain_stored_consortium(stored, "c4-mica")

    document = json.loads(json.dumps(explanation.as_dict()))
    assert document["text"] == explanation.as_text()
    assert document["guarantee"]["applies"] is True
    assert len(document["guarantee"]["conditions"]) == 6


def test_unknown_consortium_is_refused(stored: dict[str, Any]) -> None:
    with pytest.raises(UnknownConsortium):
        explain_stored_consortium(stored, "nope")


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("montant_garanti_cents", 57_600_000, "576\u202f000,00 €"),
    ("ca_retenu", {"2023": 329_477_000}, "2023 : 3\u202f294\u202f770,00 €"),
    ("part_maintenue", "173/187", "92,51 %"),
    ("etp_perimetre", "20.50", "20,5"),
    ("annee", 2025, "2025"),
    ("au_plancher", ["c4-mica", "c4-brgm"], "c4-mica, c4-brgm"),
    ("partagees", [], "—"),
    ("at_floor", True, "oui"),
    ("spend_by", "2030-12-31", "31/12/2030"),
])
def test_figures_read_in_french(name: str, value: Any, shown: str) -> None:
    assert figure(name, value).value == shown


def test_a_ratio_just_below_a_threshold_never_shows_as_the_threshold() -> None:
    assert shown_figure("8999/10000") == "89,99 %"
