from __future__ import annotations

import copy
from typing import Any

import pytest

VALID: dict[str, Any] = {
    "call": {"year": 2026},
    "structures": [
        {"id": "unistra", "name": "Université de Strasbourg", "kind": "university",
         "region": "Grand Est"},
        {"id": "cnrs", "name": "CNRS", "kind": "epst"},
    ],
    "puis": [{"id": "pui-strasbourg", "name": "PUI Strasbourg", "founders": ["unistra"]}],
    "applications": [{
        "id": "terr-alsace",
        "name": "Carnot Alsace",
        "kind": "territorial",
        "coordinator": "unistra",
        "puis": ["pui-strasbourg"],
        "units": [{"rnsr": "200919143B", "tutelles": ["unistra", "cnrs"],
                   "managing_tutelle": "unistra", "scientific_lead": "Anne Martin",
                   "fte": {"2025": 40}}],
        "signatures": [{"structure": "unistra", "signatory": "Michel Deneken"},
                       {"structure": "cnrs", "signatory": "Antoine Petit"}],
    }],
    "contracts": [
        {"id": "C1", "unit": "200919143B", "partner_category": "sme", "total": "3000000.00",
         "signed_on": "2024-01-01", "invoiced": {"2025": "2600000.00"}},
        {"id": "C2", "unit": "200919143B", "partner_category": "midcap", "total": 20000,
         "signed_on": "2025-02-01", "invoiced": {"2025": 20000}},
    ],
}


@pytest.fixture
def scenario() -> dict[str, Any]:
    """A small valid national scenario: one admissible territorial consortium."""
    return copy.deepcopy(VALID)
