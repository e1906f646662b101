"""A call parameter's new value, as an officer types it in a form or an API client sends it:
one reading for the allocation run's form and the simulation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from carnot.common.french import InvalidInput, parse_decimal, parse_whole, parse_yes_no

DECIMAL_TEXT = re.compile(r"^-?\d+\.\d+$|^-?\d+$")
"""How the parameters file writes a decimal (« 0.80 », « 62000000.00 »)."""


def parameter_value(current: Any, value: Any) -> Any:
    """``value`` in the form the parameters file gives a parameter whose value in force is
    ``current``: « oui/non » for a yes/no, an integer, a list of years (« 2024, 2025 »), a table
    in YAML or JSON, a decimal (« 0,8 », « 62 000 000,00 ») written as the file writes it. A
    value that is not text (JSON) is kept. Raises ``InvalidInput`` with the reason in French;
    whether the value is usable (a proportion between 0 and 1…) is the parameters' decision."""
    if not isinstance(value, str):
        if isinstance(current, str) and isinstance(value, int | float) \
                and not isinstance(value, bool):
            return str(value)
        return value
    text = value.strip()
    if not text:
        raise InvalidInput("Valeur vide.")
    if isinstance(current, bool):
        return parse_yes_no(text)
    if isinstance(current, int):
        return parse_whole(text, example=current)
    if isinstance(current, list | tuple):
        items = [item for item in re.split(r"[\s,;]+", text.strip("[]() ")) if item]
        if not items or not all(item.isdigit() for item in items):
            shown = ", ".join(str(item) for item in current) or "2024, 2025"
            raise InvalidInput(f"« {text} » : liste d'années attendue (ex. {shown}).")
        return [int(item) for item in items]
    if isinstance(current, Mapping):
        try:
            table = yaml.safe_load(text)
        except yaml.YAMLError:
            table = None
        if not isinstance(table, Mapping):
            raise InvalidInput(f"« {text} » : table attendue, en YAML ou JSON, comme dans le "
                               "fichier des paramètres.")
        return table
    if isinstance(current, str) and DECIMAL_TEXT.match(current):
        return format(parse_decimal(text, example=current.replace(".", ",")), "f")
    return text
