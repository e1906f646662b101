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


@pytest.fixture
def warned_scenario_file(tmp_path: Path) -> Path:
    """FAQ-2.18: the managing tutelle given (Inria) is not a tutelle of the unit — informative
    data to correct, a warning that does not make the application inadmissible."""
    document = yaml.safe_load(yaml.safe_dump(VALID))
    document["structures"].append({"id": "inria", "name": "Inria", "kind": "epst"})
    document["applications"][0]["units"][0]["managing_tutelle"] = "inria"
    path = tmp_path / "warned.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_explain_shows_a_warning_without_failing(warned_scenario_file: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """FAQ-2.18: a warning is shown with its own mark, and the consortium stays admissible."""
    assert main(["evaluate", str(warned_scenario_file), "--explain", "terr-alsace"]) == 0
    text = capsys.readouterr().out
    assert "Recevable : oui (1 avertissement)" in text
    assert "  ! [FAQ-2.18] La tutelle gestionnaire devrait être l'une des tutelles" in text


def test_report_lists_warnings_apart_from_violations(warned_scenario_file: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(warned_scenario_file)]) == 0
    report = capsys.readouterr().out
    assert "terr-alsace — avertissements (sans incidence sur la recevabilité)" in report
    assert "! [FAQ-2.18] La tutelle gestionnaire devrait être" in report
    assert "non recevable" not in report


def test_json_lists_warnings_apart_from_violations(warned_scenario_file: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(warned_scenario_file), "--json"]) == 0
    [consortium] = orjson.loads(capsys.readouterr().out)["consortia"]
    assert consortium["admissible"] is True
    assert consortium["violations"] == []
    assert [warning["rule"] for warning in consortium["warnings"]] == ["FAQ-2.18"]
    assert "tutelle gestionnaire" in consortium["warnings"][0]["message"]


def test_report_header_agrees_in_number(scenario_file: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(scenario_file)]) == 0
    assert "Appel Carnot 2026 — 1 candidature, 2 contrats" in capsys.readouterr().out


def test_report_states_the_agreement_and_spending_window_from_the_parameters(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """FAQ-1.1 and FAQ-4.1 are dated parameters: overridden, the report follows them."""
    document = yaml.safe_load(yaml.safe_dump(VALID))
    document["parameters"] = {"agreement_duration_years": 2, "spending_window_years": 3}
    path = tmp_path / "overridden.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    assert main(["evaluate", str(path)]) == 0
    report = " ".join(capsys.readouterr().out.split())
    assert ("Conventionnement de 2 ans, renouvelable (FAQ-1.1) : du 01/01/2026 au 31/12/2027."
            in report)
    assert "Abondement 2026 utilisable jusqu'au 31/12/2028 (FAQ-4.1)." in report


def test_report_shows_switches_in_french(scenario_file: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(scenario_file)]) == 0
    report = capsys.readouterr().out
    assert "True" not in report and "False" not in report


def test_explain_states_the_spending_window_agreement_and_french_sources(
        scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """FAQ-4.1 and FAQ-1.1 are in the trace of every consortium: the explanation says until when
    its abondement may be spent, and marks the assumptions as such."""
    assert main(["evaluate", str(scenario_file), "--explain", "terr-alsace"]) == 0
    text = capsys.readouterr().out
    assert ("Conventionnement d'un an, renouvelable (FAQ-1.1) : du 01/01/2026 au 31/12/2026."
            in text)
    assert "Abondement 2026 utilisable jusqu'au 31/12/2030 (FAQ-4.1)." in text
    assert "threshold_revenue_years = [2025] (source : hypothèse)" in text
    assert "allocation_cents = 6200000000 (62\u202f000\u202f000,00 €)" in text
    assert "Contrats des unités : 1 compté, 1 écarté (FAQ-3.2 : 1 compté, 1 écarté)" in text


def test_consortium_trace_cites_the_contract_rules_behind_its_revenue(
        scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The revenue of a consortium comes from the contracts of its units: the rules that admitted
    or excluded them are in its trace, with their counts."""
    assert main(["evaluate", str(scenario_file), "--json"]) == 0
    [consortium] = orjson.loads(capsys.readouterr().out)["consortia"]
    trace = consortium["trace"]
    assert "FAQ-3.2" in trace["rules"]
    assert trace["contracts_by_rule"] == {"eligible": {"FAQ-3.2": 1}, "excluded": {"FAQ-3.2": 1}}
    assert trace["figures"]["spend_by"] == "2030-12-31"


def test_json_explain_prints_the_one_consortium_with_its_trace(
        scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(scenario_file), "--json", "--explain", "terr-alsace"]) == 0
    output = orjson.loads(capsys.readouterr().out)
    assert output["id"] == "terr-alsace"
    assert {"admissible", "violations", "warnings", "guarantee", "trace"} <= set(output)
