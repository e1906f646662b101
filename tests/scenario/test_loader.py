"""Bad scenario input is refused whole, with every problem located in the file and explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from carnot.rules.parameters import load_call_parameters
from carnot.scenario.loader import ScenarioError, load_scenario, scenario_from_document


def refused(document: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_document(document, source="scenario.yaml")
    return str(caught.value)


def test_valid_scenario_becomes_domain_values_with_cents(scenario: dict[str, Any]) -> None:
    loaded = scenario_from_document(scenario)
    contract = loaded.call.contracts[0]
    assert contract.total_cents == 300_000_000
    assert contract.invoiced_cents == {2025: 260_000_000}
    assert loaded.call.applications[0].units[0].scientific_leads == ("Anne Martin",)
    assert loaded.params.year == 2026


def test_unknown_unit_in_a_contract_names_the_contract_and_the_unit(
        scenario: dict[str, Any]) -> None:
    scenario["contracts"][1]["unit"] = "201812345Z"
    message = refused(scenario)
    assert "contracts[1] (C2).unit" in message
    assert "unité inconnue « 201812345Z »" in message


def test_negative_amount_is_refused_with_its_place(scenario: dict[str, Any]) -> None:
    scenario["contracts"][0]["total"] = "-5"
    message = refused(scenario)
    assert "contracts[0] (C1).total" in message
    assert "positif ou nul" in message


def test_amount_with_three_decimals_is_refused(scenario: dict[str, Any]) -> None:
    scenario["contracts"][0]["invoiced"]["2025"] = "1000.005"
    message = refused(scenario)
    assert "contracts[0] (C1).invoiced.2025" in message
    assert "« 1000.005 » a plus de deux décimales" in message


def test_malformed_rnsr_is_refused_citing_faq_2_18(scenario: dict[str, Any]) -> None:
    scenario["applications"][0]["units"][0]["rnsr"] = "20091914B"
    scenario["contracts"] = []
    message = refused(scenario)
    assert "applications[0] (terr-alsace).units[0] (20091914B).rnsr" in message
    assert "RNSR mal formé" in message
    assert "FAQ-2.18" in message


def test_unknown_partner_category_lists_the_accepted_ones(scenario: dict[str, Any]) -> None:
    scenario["contracts"][0]["partner_category"] = "startup"
    message = refused(scenario)
    assert "contracts[0] (C1).partner_category" in message
    assert "valeur inconnue « startup »" in message
    assert "'sme'" in message


def test_missing_call_year_is_refused(scenario: dict[str, Any]) -> None:
    scenario["call"] = {}
    message = refused(scenario)
    assert "call.year : champ obligatoire manquant" in message


def test_call_year_without_parameters_is_refused(scenario: dict[str, Any]) -> None:
    scenario["call"]["year"] = 2031
    message = refused(scenario)
    assert "call.year" in message
    assert "aucun paramètre pour l'appel 2031" in message


def test_unknown_structure_and_pui_references_are_all_listed(scenario: dict[str, Any]) -> None:
    application = scenario["applications"][0]
    application["coordinator"] = "nowhere"
    application["puis"] = ["pui-nowhere"]
    application["units"][0]["tutelles"].append("ghost")
    message = refused(scenario)
    assert "applications[0] (terr-alsace).coordinator : structure inconnue « nowhere »" in message
    assert "applications[0] (terr-alsace).puis : PUI inconnu « pui-nowhere »" in message
    assert "structure inconnue « ghost »" in message
    assert "3 erreurs" in message


def test_invoicing_more_than_the_contract_or_before_signature_is_refused(
        scenario: dict[str, Any]) -> None:
    scenario["contracts"][1]["invoiced"] = {"2024": 10000, "2025": 15000}
    message = refused(scenario)
    assert "25\u202f000,00 € facturés pour un contrat de 20\u202f000,00 € HT" in message
    assert "facturation en 2024 avant la signature (2025-02-01)" in message


def test_duplicate_ids_are_refused(scenario: dict[str, Any]) -> None:
    scenario["contracts"][1]["id"] = "C1"
    assert "identifiant « C1 » utilisé plusieurs fois" in refused(scenario)


def test_unknown_field_is_refused_rather_than_ignored(scenario: dict[str, Any]) -> None:
    scenario["contracts"][0]["amount"] = 5
    assert "contracts[0] (C1).amount : champ inconnu" in refused(scenario)


def test_parameter_override_is_checked(scenario: dict[str, Any]) -> None:
    scenario["parameters"] = {"no_such_parameter": 1}
    assert "paramètre inconnu : no_such_parameter" in refused(scenario)
    scenario["parameters"] = {"perimeter_tolerance": "1.5"}
    assert "perimeter_tolerance : proportion entre 0 et 1" in refused(scenario)


def test_parameter_override_is_applied_and_traced(scenario: dict[str, Any]) -> None:
    scenario["parameters"] = {"envelope": {"value": "1000000.00", "note": "simulation"}}
    loaded = scenario_from_document(scenario)
    assert loaded.params.envelope_cents() == 100_000_000
    entry = loaded.params.entry("envelope")
    assert (entry.source, entry.overridden_from, entry.note) == ("scenario", "assumption",
                                                                  "simulation")


def test_json_and_yaml_files_load_alike(scenario: dict[str, Any], tmp_path: Path) -> None:
    json_path = tmp_path / "national.json"
    json_path.write_bytes(orjson.dumps(scenario))
    yaml_path = tmp_path / "national.yaml"
    yaml_path.write_text(orjson.dumps(scenario).decode(), encoding="utf-8")
    assert load_scenario(json_path).call == load_scenario(yaml_path).call


def test_bad_json_file_errors_are_located(scenario: dict[str, Any], tmp_path: Path) -> None:
    scenario["contracts"][0]["total"] = -1
    path = tmp_path / "national.json"
    path.write_bytes(orjson.dumps(scenario))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "contracts[0] (C1).total" in str(caught.value)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("call:\n  year: 2026\n contracts: [\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "ligne" in str(caught.value)
    assert "YAML invalide" in str(caught.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "absent.yaml")
    assert "fichier illisible" in str(caught.value)


def test_unknown_managing_tutelle_is_located_on_the_managing_tutelle(
        scenario: dict[str, Any]) -> None:
    scenario["applications"][0]["units"][0]["managing_tutelle"] = "inria"
    message = refused(scenario)
    assert ("applications[0] (terr-alsace).units[0] (200919143B).managing_tutelle : "
            "structure inconnue « inria »") in message
    assert "units[0] (200919143B).tutelles" not in message


def test_malformed_parameter_table_override_is_a_located_error_not_a_crash(
        scenario: dict[str, Any]) -> None:
    table = dict(load_call_parameters(2026).entry("partner_categories").value)
    table["sme"] = {"counts": True, "threshold": "pme", "source": "FAQ-3.2"}
    scenario["parameters"] = {"partner_categories": table}
    message = refused(scenario)
    assert "parameters : partner_categories" in message
