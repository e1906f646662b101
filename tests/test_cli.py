"""The command line: French report, JSON for programs, explanations, refusals with exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from carnot.cli import EXIT_INVALID_INPUT, main
from tests.scenario.conftest import VALID


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "national.yaml"
    path.write_text(yaml.safe_dump(VALID, allow_unicode=True), encoding="utf-8")
    return path


def test_json_output_has_the_documented_keys(scenario_file: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(scenario_file), "--json"]) == 0
    output: dict[str, Any] = orjson.loads(capsys.readouterr().out)
    assert output["envelope_cents"] == 6_200_000_000
    assert output["allocated_cents"] == output["envelope_cents"]
    consortium = output["consortia"][0]
    assert {"id", "admissible", "violations", "threshold_revenue_cents",
            "abondement_revenue_cents", "guarantee", "allocation_cents", "trace"} <= set(consortium)
    assert consortium["admissible"] is True
    assert consortium["threshold_revenue_cents"] == 260_000_000
    assert consortium["allocation_cents"] == 6_200_000_000
    assert set(consortium["guarantee"]) == {"applies", "reasons", "amount_cents"}
    assert consortium["guarantee"]["applies"] is False
    assert {"FAQ-2.22", "FAQ-2.19", "FAQ-2.3", "FAQ-2.4"} <= set(consortium["trace"]["rules"])
    sources = {p["name"]: p["source"] for p in consortium["trace"]["parameters"]}
    assert sources["eligibility_threshold"] == "FAQ-2.19"
    assert output["contracts"] == [{"id": "C1", "eligible": True},
                                   {"id": "C2", "eligible": False, "rule": "FAQ-3.2"}]
    assert output["trace"]["contracts_by_rule"] == {"eligible": {"FAQ-3.2": 1},
                                                    "excluded": {"FAQ-3.2": 1}}


def test_report_is_in_french_with_totals(scenario_file: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(scenario_file)]) == 0
    report = capsys.readouterr().out
    assert "Appel Carnot 2026" in report
    assert "62\u202f000\u202f000,00 €" in report
    assert "Carnot Alsace" in report
    assert "hypothèse" in report


def test_explain_prints_the_rules_parameters_and_figures(
        scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(scenario_file), "--explain", "terr-alsace"]) == 0
    text = capsys.readouterr().out
    assert "[FAQ-2.3] Toutes les unités appartiennent au PUI" in text
    assert "eligibility_threshold = 2500000.00 (source : FAQ-2.19)" in text
    assert "allocation_cents = 6200000000" in text


def test_explain_unknown_consortium_is_an_error(scenario_file: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(scenario_file), "--explain", "nope"]) == EXIT_INVALID_INPUT
    assert "consortium inconnu : nope" in capsys.readouterr().err


def test_bad_input_exits_non_zero_with_located_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = yaml.safe_load(yaml.safe_dump(VALID))
    bad["contracts"][0]["partner_category"] = "startup"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    assert main(["evaluate", str(path), "--json"]) == EXIT_INVALID_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "contracts[0] (C1).partner_category" in captured.err


def test_output_file_receives_the_json(scenario_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    assert main(["evaluate", str(scenario_file), "--json", "-o", str(target)]) == 0
    assert orjson.loads(target.read_bytes())["call_year"] == 2026


def test_parameters_command_shows_values_and_sources(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parameters", "2026"]) == 0
    text = capsys.readouterr().out
    assert "contract_threshold_sme" in text
    assert "FAQ-3.2" in text
    assert main(["parameters", "1999"]) == EXIT_INVALID_INPUT


def test_schema_command_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = orjson.loads(capsys.readouterr().out)
    assert schema["title"] == "Scénario Carnot"
    assert "contracts" in schema["properties"]
