"""A what-if scenario (``simulation``): the envelope, parameter overrides and the changes applied
in order — a unit removed or added, a contract changed or added — and where a refusal of each
is reported."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied

from carnot.rules.contracts import CATEGORY_LABELS
from carnot.rules.domain import PartnerCategory
from carnot.rules.money import Cents, format_euros

# --- Changes ---------------------------------------------------------------------------------

def fte_text(value: Decimal) -> str:
    """FTE as a French reader reads them: « 12,5 »."""
    return f"{value.normalize():f}".replace(".", ",")


@dataclass(frozen=True)
class RemoveUnit:
    """Withdraw unit ``rnsr`` from consortium ``consortium``."""

    consortium: str
    rnsr: str
    kind: ClassVar[str] = "remove_unit"

    def describe(self) -> str:
        return f"Retirer l'unité {self.rnsr} de {self.consortium}"


@dataclass(frozen=True)
class AddUnit:
    """Declare unit ``rnsr`` (national directory) in ``consortium`` with ``fte`` research FTE
    (permanent researchers, reference year); ``None``: the FTE of its other declaration."""

    consortium: str
    rnsr: str
    fte: Decimal | None = None
    kind: ClassVar[str] = "add_unit"

    def describe(self) -> str:
        fte = f" ({fte_text(self.fte)} ETP)" if self.fte is not None else ""
        return f"Ajouter l'unité {self.rnsr} à {self.consortium}{fte}"


@dataclass(frozen=True)
class ChangeContract:
    """Change contract ``contract`` (``RNSR/référence``): each given field replaces the stored
    one; ``invoiced_cents`` replaces the amounts of the years it names only."""

    contract: str
    total_cents: Cents | None = None
    invoiced_cents: Mapping[int, Cents] = field(default_factory=dict)
    partner_category: PartnerCategory | None = None
    in_theme: bool | None = None
    cifre: bool | None = None
    kind: ClassVar[str] = "change_contract"

    @property
    def changes_nothing(self) -> bool:
        return (self.total_cents is None and not self.invoiced_cents
                and self.partner_category is None and self.in_theme is None
                and self.cifre is None)

    def describe(self) -> str:
        parts = []
        if self.total_cents is not None:
            parts.append(f"montant total {format_euros(self.total_cents)}")
        parts += [f"facturé {year} {format_euros(cents)}"
                  for year, cents in sorted(self.invoiced_cents.items())]
        if self.partner_category is not None:
            parts.append(f"partenaire {CATEGORY_LABELS[self.partner_category]}")
        if self.in_theme is not None:
            parts.append("dans la thématique" if self.in_theme else "hors thématique")
        if self.cifre is not None:
            parts.append("CIFRE" if self.cifre else "non CIFRE")
        return f"Modifier le contrat {self.contract} : {', '.join(parts)}"


@dataclass(frozen=True)
class AddContract:
    """A hypothetical contract ``reference`` of unit ``rnsr``."""

    rnsr: str
    reference: str
    partner_category: PartnerCategory
    total_cents: Cents
    signed_on: date
    invoiced_cents: Mapping[int, Cents] = field(default_factory=dict)
    cifre: bool = False
    in_theme: bool = True
    partner: str = ""
    kind: ClassVar[str] = "add_contract"

    @property
    def contract_id(self) -> str:
        return f"{self.rnsr}/{self.reference}"

    def describe(self) -> str:
        invoiced = "".join(f", facturé {year} {format_euros(cents)}"
                           for year, cents in sorted(self.invoiced_cents.items()))
        return (f"Ajouter le contrat hypothétique {self.contract_id} "
                f"({CATEGORY_LABELS[self.partner_category]}, "
                f"{format_euros(self.total_cents)}, signé le {self.signed_on:%d/%m/%Y}"
                f"{invoiced})")


Change = RemoveUnit | AddUnit | ChangeContract | AddContract
CHANGE_KINDS: dict[str, type[Change]] = {
    kind.kind: kind for kind in (RemoveUnit, AddUnit, ChangeContract, AddContract)}


@dataclass(frozen=True)
class Scenario:
    """What to simulate: ``envelope_cents`` (``None``: the parameter's), parameter overrides
    by name, and changes applied in order."""

    envelope_cents: Cents | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()

    @property
    def empty(self) -> bool:
        return self.envelope_cents is None and not self.parameters and not self.changes


class ChangeRefused(PermissionDenied):
    """A coordinator changed the units or contracts of a consortium that is not theirs;
    ``errors`` locates each refused change (``changes[<i>]``)."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(message for messages in self.errors.values()
                                  for message in messages))


def change_key(index: int, name: str = "") -> str:
    """Where a change's error is reported: ``changes[2].rnsr`` (``index`` from 0)."""
    return f"changes[{index}]" + (f".{name}" if name else "")
