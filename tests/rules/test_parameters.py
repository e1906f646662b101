"""Dated parameters (`carnot.rules.parameters`): a value the rules cannot honour is refused when
loaded, with a French message naming the parameter, rather than silently ignored."""

from __future__ import annotations

import pytest

from carnot.rules.parameters import ParameterError, load_call_parameters


@pytest.mark.parametrize("year", [2026, 2027])
def test_faq_3_5_guarantee_basis_shipped_is_the_previous_year_abondement(year: int) -> None:
    params = load_call_parameters(year)
    assert params.guarantee_basis() == "previous_year_abondement"


def test_faq_3_5_unknown_guarantee_basis_is_refused_not_ignored() -> None:
    """Open question 4: the 80 % apply to the previous-year abondement, the only basis the code
    computes. A programme officer who sets another basis must be told it has no effect."""
    with pytest.raises(ParameterError) as refused:
        load_call_parameters(2026).with_overrides({"guarantee_basis": "average_2023_2025"})
    message = str(refused.value)
    assert "guarantee_basis" in message
    assert "« average_2023_2025 »" in message
    assert "previous_year_abondement" in message


def test_counting_partner_category_without_threshold_is_refused() -> None:
    """FAQ-3.2: a partner category that counts needs a threshold (sme or general)."""
    table = dict(load_call_parameters(2026).entry("partner_categories").value)
    table["other"] = {"counts": True, "threshold": None, "source": "assumption"}
    with pytest.raises(ParameterError) as refused:
        load_call_parameters(2026).with_overrides({"partner_categories": table})
    assert "partner_categories" in str(refused.value)
    assert "« other »" in str(refused.value)


@pytest.mark.parametrize("row", [
    {"counts": True, "threshold": "pme", "source": "FAQ-3.2"},
    {"threshold": "sme", "source": "FAQ-3.2"},
    "sme",
])
def test_malformed_partner_category_row_is_a_parameter_error(row: object) -> None:
    """A bad row of a table is refused like any bad value (the loader then names the place),
    never a crash with a Python error."""
    table = dict(load_call_parameters(2026).entry("partner_categories").value)
    table["sme"] = row
    with pytest.raises(ParameterError) as refused:
        load_call_parameters(2026).with_overrides({"partner_categories": table})
    assert "partner_categories" in str(refused.value)
    assert "« sme »" in str(refused.value)


def test_malformed_structure_kind_row_is_a_parameter_error() -> None:
    table = dict(load_call_parameters(2026).entry("structure_kinds").value)
    table["cti"] = {"member": True, "member_source": "FAQ-2.5", "coordinator": True}
    with pytest.raises(ParameterError) as refused:
        load_call_parameters(2026).with_overrides({"structure_kinds": table})
    assert "structure_kinds" in str(refused.value)
    assert "« cti »" in str(refused.value)
    assert "coordinator_source" in str(refused.value)
