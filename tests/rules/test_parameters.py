"""Dated parameters (`carnot.rules.parameters`): a value the rules cannot honour is refused when
loaded, with a French message naming the parameter, rather than silently ignored."""

from __future__ import annotations

import pytest

from carnot.rules.parameters import (
    ParameterError,
    call_parameters_in_force,
    load_call_parameters,
)


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


def test_a_call_year_reads_its_own_parameters() -> None:
    assert call_parameters_in_force("fte_reference_year", 2027) is load_call_parameters(2027)


@pytest.mark.parametrize("year", [2025, 2028, 2031])
def test_a_year_no_value_covers_is_an_error_naming_it_never_the_closest_call(year: int) -> None:
    """``fte_reference_year`` is valid for one call year each (2026, 2027): no other year."""
    with pytest.raises(ParameterError, match=f"^Aucun paramètre pour l'année {year} : "
                                             "« fte_reference_year » n'est en vigueur dans aucun "
                                             r"appel connu \(2026, 2027\)\.$"):
        call_parameters_in_force("fte_reference_year", year)


def test_a_year_between_calls_reads_the_value_in_force_then() -> None:
    """``company_size_classes`` is in force since 2008 in both calls: the latest call wins."""
    params = call_parameters_in_force("company_size_classes", 2024)

    assert params is load_call_parameters(2027)
    assert params.entry("company_size_classes").in_force_during(2024)
