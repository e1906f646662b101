"""FAQ-4.1 in the JSON output: the abondement of year N may be spent from N to N+4.

The scenario harness compares verdicts and amounts; the spending deadline lives in the JSON
document of ``carnot evaluate --json`` (``evaluation_as_dict``), checked here on the same case.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson

from carnot.rules.evaluation import evaluate_call, evaluation_as_dict
from carnot.scenario.loader import scenario_from_document
from tests.scenarios.harness import build_document, load_case

CASE = Path(__file__).parent / "faq_4_1_abondement_spendable_over_five_years.yaml"


def _evaluated(document: dict[str, Any]) -> dict[str, Any]:
    loaded = scenario_from_document(document, source=CASE.name)
    result = evaluation_as_dict(evaluate_call(loaded.call, loaded.params))
    # Programs read the JSON text: check the document as it comes out of serialisation.
    parsed: dict[str, Any] = orjson.loads(orjson.dumps(result))
    return parsed


def _consortium(result: dict[str, Any], consortium_id: str) -> dict[str, Any]:
    return next(entry for entry in result["consortia"] if entry["id"] == consortium_id)


def _case_document() -> dict[str, Any]:
    return copy.deepcopy(build_document(load_case(CASE)))


def test_abondement_granted_for_2026_may_be_spent_until_end_of_2030() -> None:
    """FAQ-4.1: five years, N to N+4, so the 2026 abondement is spendable until 31/12/2030."""
    result = _evaluated(_case_document())

    funded = _consortium(result, "them-materiaux")
    assert funded["allocation_cents"] == 6_200_000_000
    assert funded["spend_by"] == "2030-12-31"
    assert "FAQ-4.1" in funded["trace"]["rules"]
    assert "FAQ-4.1" in result["trace"]["rules"]


def test_consortium_without_abondement_has_no_spending_deadline() -> None:
    """FAQ-4.1: the window concerns an abondement granted; nothing granted, no deadline."""
    result = _evaluated(_case_document())

    unfunded = _consortium(result, "them-sante")
    assert unfunded["allocation_cents"] == 0
    assert unfunded["spend_by"] is None


def test_spending_window_is_the_dated_parameter_not_a_constant() -> None:
    """FAQ-4.1: the five years are the parameter spending_window_years; a scenario overriding
    it to three years moves the 2026 deadline to 31/12/2028, and the trace shows the override."""
    document = _case_document()
    document["parameters"] = {"spending_window_years": 3}

    result = _evaluated(document)

    assert _consortium(result, "them-materiaux")["spend_by"] == "2028-12-31"
    window = next(parameter for parameter in result["trace"]["parameters"]
                  if parameter["name"] == "spending_window_years")
    assert window["value"] == 3
    assert window["source"] == "scenario"
    assert window["overridden_from"] == "FAQ-4.1"


def test_abondement_granted_for_2027_may_be_spent_until_end_of_2031() -> None:
    """FAQ-4.1: the window slides with the grant year — N = 2027 gives 2027–2031."""
    document = _case_document()
    document["call"] = {"year": 2027}
    for application in document["applications"]:
        for unit in application["units"]:
            unit["fte"] = {2026: next(iter(unit["fte"].values()))}
    for contract in document["contracts"]:
        contract["invoiced"] = {2026: next(iter(reversed(contract["invoiced"].values())))}

    result = _evaluated(document)

    funded = _consortium(result, "them-materiaux")
    assert funded["allocation_cents"] > 0
    assert funded["spend_by"] == "2031-12-31"
