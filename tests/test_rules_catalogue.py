"""Every rule of the catalogue is tested; rules that cannot be computed are documented as such."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SHARED_CATALOGUE = ROOT.parent / "shared" / "domain" / "rules-catalogue.md"
CATALOGUE_COPY = ROOT / "src" / "carnot" / "rules" / "catalogue.md"
RULE_ID = re.compile(r"\b(?:FAQ-\d+\.\d+|ASSO-\d+)\b")


def catalogue_ids() -> set[str]:
    return set(RULE_ID.findall(CATALOGUE_COPY.read_text(encoding="utf-8")))


def ids_cited_by_tests() -> set[str]:
    """Rule ids named by a scenario file's `rule`/`rules` or anywhere in a Python test."""
    cited: set[str] = set()
    for path in TESTS.rglob("*.yaml"):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(case, dict):
            rules = case.get("rules", [case["rule"]] if "rule" in case else [])
            cited.update(rules)
    for path in TESTS.rglob("test_*.py"):
        if path.name != Path(__file__).name:
            cited.update(RULE_ID.findall(path.read_text(encoding="utf-8")))
    return cited


def test_catalogue_copy_matches_the_shared_catalogue() -> None:
    """The packaged copy (the FAQ page reads it) lets the suite run anywhere; it must not drift
    from shared/."""
    if SHARED_CATALOGUE.exists():
        assert CATALOGUE_COPY.read_text(encoding="utf-8") == SHARED_CATALOGUE.read_text(
            encoding="utf-8"), "refresh src/carnot/rules/catalogue.md from shared/domain/"


def test_every_faq_rule_has_a_test_citing_its_id() -> None:
    faq_ids = {rule for rule in catalogue_ids() if rule.startswith("FAQ-")}
    missing = sorted(faq_ids - ids_cited_by_tests(), key=_order)
    assert not missing, f"FAQ rules with no test citing them: {missing}"


def test_rules_not_computed_are_documented_with_why() -> None:
    """Rules with no test (the association's facts) are listed in docs/rules-coverage.md."""
    untested = sorted(catalogue_ids() - ids_cited_by_tests(), key=_order)
    coverage = (ROOT / "docs" / "rules-coverage.md").read_text(encoding="utf-8")
    undocumented = [rule for rule in untested if rule not in coverage]
    assert not undocumented, f"untested and undocumented rules: {undocumented}"


def _order(rule: str) -> tuple[str, ...]:
    return tuple(part.zfill(3) for part in re.split(r"[-.]", rule))
