"""Every FAQ scenario file under tests/scenarios is a test: the case reads like the FAQ entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenarios.harness import run_case, scenario_files


@pytest.mark.parametrize("path", scenario_files(), ids=lambda path: path.stem)
def test_faq_scenario(path: Path) -> None:
    run_case(path)
