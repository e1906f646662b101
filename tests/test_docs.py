"""The documentation, the examples and the set-up commands stay true to the code.

The published JSON Schema is the one the models generate; every example scenario loads and
evaluates as its comments say; bad input is refused with located errors; every function, file,
rule id and parameter the docs name exists; the README starts with the two set-up commands and
CI runs the same test command.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from carnot.cli import EXIT_INVALID_INPUT, main
from carnot.rules.evaluation import NationalEvaluation, evaluate_call
from carnot.rules.parameters import available_call_years, load_call_parameters
from carnot.scenario.loader import ScenarioError, load_scenario, scenario_from_document

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
SCHEMA = DOCS / "scenario.schema.json"
RULES_PACKAGE = ROOT / "src" / "carnot" / "rules"
EMITTED_RULE_ID = re.compile(r"[\"'](?P<id>(?:FAQ|INT|ALLOC)-\d+(?:\.\d+)?)[\"']")
BACKTICKED = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def good_examples() -> list[Path]:
    return sorted(path for path in EXAMPLES.iterdir()
                  if path.suffix in {".yaml", ".json"} and not path.name.startswith("bad-"))


def evaluate(path: Path) -> NationalEvaluation:
    loaded = load_scenario(path)
    return evaluate_call(loaded.call, loaded.params)


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    before, _, _ = readme.partition("```")
    assert [line for line in before.splitlines() if line.strip()] == ["# Carnot"], (
        "the README must start with its title and then the set-up commands")
    first_block = FENCE.search(readme)
    assert first_block is not None
    return [line for line in first_block.group(1).splitlines() if line.strip()]


# --- the JSON Schema -------------------------------------------------------------------------

def test_published_schema_is_the_one_the_models_generate(
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["schema"]) == 0
    generated = capsysbinary.readouterr().out
    assert SCHEMA.read_bytes() == generated, (
        "docs/scenario.schema.json is stale: uv run carnot schema > docs/scenario.schema.json")


@pytest.mark.parametrize("path", good_examples(), ids=lambda path: path.name)
def test_examples_are_valid_against_the_published_schema(path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    if path.suffix == ".json":
        document = json.loads(path.read_text(encoding="utf-8"))
    else:  # as a JSON document: year keys become strings, dates ISO text
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        document = json.loads(json.dumps(raw, default=str))
    jsonschema.validate(document, schema)


# --- the examples ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", good_examples(), ids=lambda path: path.name)
def test_every_example_scenario_loads_evaluates_and_shares_the_whole_envelope(path: Path) -> None:
    evaluation = evaluate(path)
    assert any(result.admissible for result in evaluation.consortia)
    assert evaluation.allocated_cents == evaluation.envelope_cents
    for result in evaluation.consortia:
        if result.admissible:
            assert result.threshold_revenue_cents > 250_000_000, result.id
        else:
            assert result.allocation_cents == 0, result.id


def test_national_example_shows_admissible_and_refused_consortia_and_the_guarantee() -> None:
    evaluation = evaluate(EXAMPLES / "national-2026.yaml")
    results = {result.id: result for result in evaluation.consortia}
    refused = {consortium: sorted({v.rule for v in result.violations})
               for consortium, result in results.items() if not result.admissible}
    assert refused == {"terr-lille": ["FAQ-2.10"], "them-energie": ["FAQ-2.21"],
                       "them-numerique": ["FAQ-2.18", "FAQ-2.21"]}
    assert len(results) - len(refused) == 7
    kinds = {result.application.kind.value for result in results.values()}
    assert kinds == {"territorial", "thematic", "former_carnot"}

    guaranteed, lost = results["c4-mica"].guarantee, results["c4-brgm"].guarantee
    assert guaranteed.applies and guaranteed.amount_cents == 57_600_000
    assert results["c4-mica"].allocation_cents == guaranteed.amount_cents  # served at its floor
    assert not lost.applies and results["c4-brgm"].admissible
    assert {v.rule for v in lost.verdicts if v.failed} == {"FAQ-3.5", "FAQ-3.6"}

    # shared units: in full for the threshold, half for the abondement; a unit shared with a
    # refused application counts in full; the odd cent goes to the first application by id
    strasbourg, materials = results["terr-strasbourg"], results["them-materiaux"]
    left_to_materials = strasbourg.threshold_revenue_cents - strasbourg.abondement_revenue_cents
    left_to_strasbourg = materials.threshold_revenue_cents - materials.abondement_revenue_cents
    assert left_to_materials > 0
    assert left_to_strasbourg == left_to_materials + 1  # the first by id keeps the odd cent
    assert results["terr-lille"].abondement_revenue_cents == 0


def test_json_example_overrides_parameters_and_uses_the_floors_first_policy() -> None:
    evaluation = evaluate(EXAMPLES / "national-2026.json")
    assert all(result.admissible for result in evaluation.consortia)
    overridden = {entry["name"]: entry for entry in evaluation.params.describe()
                  if "overridden_from" in entry}
    assert set(overridden) == {"envelope", "floor_policy"}
    assert overridden["floor_policy"]["value"] == "floors_first"
    cirimat = evaluation.consortium("c4-cirimat")
    assert cirimat.guarantee.applies
    assert cirimat.allocation_cents > cirimat.guarantee.amount_cents


@pytest.mark.parametrize("name, expected", [
    ("bad-input.yaml", ["applications[0] (terr-strasbourg).coordinator",
                        "structures[1] (cnrs).kind", "contracts[0] (C-001).total",
                        "contracts[1] (C-002).signed_on", "contracts[2] (C-003).total",
                        "contracts[3] (C-004).partner_category"]),
    ("bad-references.yaml", ["applications[0] (terr-strasbourg).coordinator",
                             "applications[0] (terr-strasbourg).puis",
                             "applications[0] (terr-strasbourg).units[0] (20132083A).rnsr",
                             "contracts[0] (C-001).unit", "contracts[1] (C-002).invoiced",
                             "contracts[2] (C-003).invoiced", "parameters"]),
])
def test_bad_examples_are_refused_with_every_error_located(
        name: str, expected: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / name
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    locations = [problem.location for problem in refused.value.problems]
    assert len(locations) >= 7
    for location in expected:
        assert location in locations, f"{location} not in {locations}"
    assert main(["evaluate", str(path)]) == EXIT_INVALID_INPUT
    errors = capsys.readouterr().err
    assert "scénario refusé" in errors


def test_the_small_example_of_the_scenario_format_evaluates_as_described() -> None:
    text = (DOCS / "scenario-format.md").read_text(encoding="utf-8")
    section = text.split("## A complete small example", 1)[1]
    block = FENCE.search(section)
    assert block is not None
    loaded = scenario_from_document(yaml.safe_load(block.group(1)), "scenario-format.md")
    evaluation = evaluate_call(loaded.call, loaded.params)
    for consortium in ("terr-clermont", "them-aliments"):
        result = evaluation.consortium(consortium)
        assert result.admissible, result.violations
        assert result.threshold_revenue_cents == 260_000_000
        assert result.abondement_revenue_cents == 210_000_000


# --- the set-up commands and CI --------------------------------------------------------------

def test_readme_starts_with_the_two_set_up_commands() -> None:
    run_demo, run_checks = readme_commands()[:2]
    install = "python3 -m pip install --user -q uv && "
    assert install in run_demo and install in run_checks
    assert run_demo.endswith("python3 -m uv run carnot demo")
    assert run_checks.endswith("python3 -m uv run --frozen python tools/check.py")
    assert (ROOT / "src" / "carnot" / "demo" / "cli.py").is_file()
    assert (ROOT / "tools" / "check.py").is_file()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = ROOT / ".ci" / "run"
    script = ci.read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
    run_checks = readme_commands()[1]
    assert run_checks in [line.strip() for line in script.splitlines()]


# --- names the docs cite ---------------------------------------------------------------------

def _rules_modules() -> set[str]:
    return {path.stem for path in RULES_PACKAGE.glob("*.py") if path.stem != "__init__"}


def _resolve(reference: str) -> Any:
    """``module.function`` of carnot.rules, or a full dotted path ``carnot.x.y.name``."""
    parts = reference.split(".")
    if parts[0] != "carnot":
        parts = ["carnot", "rules", *parts]
    for split in range(len(parts) - 1, 1, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            target = getattr(target, name)
        return target
    raise ModuleNotFoundError(reference)


DOCUMENTS = ["rules-coverage.md", "interpretations.md", "parameters.md", "scenario-format.md"]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_functions_named_in_the_docs_exist(document: str) -> None:
    modules = _rules_modules()
    reference = re.compile(r"^(?:carnot(?:\.\w+)+|(?P<module>[a-z_]+)\.[A-Za-z_]\w*)$")
    text = (DOCS / document).read_text(encoding="utf-8")
    checked = 0
    for token in BACKTICKED.findall(text):
        match = reference.match(token)
        if match is None or token.endswith((".py", ".yaml", ".md", ".json")):
            continue
        if match.group("module") is not None and match.group("module") not in modules:
            continue
        try:
            _resolve(token)
        except (ModuleNotFoundError, AttributeError):
            pytest.fail(f"docs/{document} names `{token}`, which does not exist")
        checked += 1
    if document != "scenario-format.md":
        assert checked > 0


@pytest.mark.parametrize("document", DOCUMENTS)
def test_files_named_in_the_docs_exist(document: str) -> None:
    bases = [ROOT, ROOT / "tests", DOCS, RULES_PACKAGE]
    text = (DOCS / document).read_text(encoding="utf-8")
    for token in BACKTICKED.findall(text):
        if (not re.fullmatch(r"[\w./*-]+\.(?:py|yaml|json|md)", token)
                or token.startswith("shared/") or "/" not in token):
            continue
        found = any(list(base.glob(token)) if "*" in token else (base / token).exists()
                    for base in bases)
        assert found, f"docs/{document} names `{token}`, which does not exist"


def test_every_rule_id_the_code_emits_is_in_the_coverage_page() -> None:
    emitted = {match.group("id") for path in (ROOT / "src" / "carnot").rglob("*.py")
               for match in EMITTED_RULE_ID.finditer(path.read_text(encoding="utf-8"))}
    coverage = (DOCS / "rules-coverage.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| ((?:FAQ|INT|ALLOC|ASSO)-[\d.]+) \|", coverage, re.MULTILINE))
    assert emitted, "no rule id found in the code"
    assert emitted <= listed, f"ids missing from docs/rules-coverage.md: {sorted(emitted - listed)}"


@pytest.mark.parametrize("year", available_call_years())
def test_every_parameter_is_documented(year: int) -> None:
    documented = (DOCS / "parameters.md").read_text(encoding="utf-8")
    missing = [name for name in load_call_parameters(year).names()
               if f"`{name}`" not in documented]
    assert not missing, f"parameters of {year} missing from docs/parameters.md: {missing}"


def test_every_open_question_has_its_recorded_reading() -> None:
    text = (DOCS / "interpretations.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### (\d+)\. ", text, re.MULTILINE)
    assert headings == [str(number) for number in range(1, 13)]


def test_every_decision_record_is_listed() -> None:
    index = (DOCS / "decisions" / "README.md").read_text(encoding="utf-8")
    records = sorted(path.name for path in (DOCS / "decisions").glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert len(records) >= 5
    for record in records:
        assert f"({record})" in index, f"{record} is not listed in docs/decisions/README.md"
