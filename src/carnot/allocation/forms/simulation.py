"""The what-if simulation form: the envelope, parameter overrides and changes, one per line.

The changes are typed as short French lines (the page documents them), one change per line,
blank lines and lines starting with « # » ignored; amounts in euros as a person writes them
(« 45 000,00 € »), dates JJ/MM/AAAA, yes/no as « oui »/« non »::

    retirer 201119876B de terr-alsace
    ajouter 201420777F à terr-alsace etp=12,5
    contrat 200919143B/C-PART-2 catégorie=ETI
    contrat 200919143B/C-PART-2 montant=150 000 facturé 2025=120 000,00 thématique=non
    nouveau contrat 201119876B/HYP-1 catégorie=PME montant=50 000 signé=15/03/2025

The form turns them into ``carnot.allocation.simulation`` changes; what it cannot read is refused
with the line number. Whether a change makes sense (the unit exists, the contract is found, the
coordinator may change it) is the simulation's to say: ``refused`` puts its located errors back
on the form, by line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError

from carnot.allocation.services import ENVELOPE
from carnot.allocation.simulation_scenario import (
    AddContract,
    AddUnit,
    Change,
    ChangeContract,
    RemoveUnit,
    Scenario,
)
from carnot.common.french import (
    InvalidInput,
    fold,
    parse_date,
    parse_fte,
    parse_money,
    parse_yes_no,
)
from carnot.ledgers.cells import parse_category
from carnot.rules.money import Cents, euros_to_cents, format_euros

MAX_LINES = 200
INPUT = {"class": "fr-input"}
PARAMETER_PREFIX = "param_"
T = TypeVar("T")

REMOVE = re.compile(r"^retirer\s+(?:l'\s*unit[ée]\s+)?(?P<rnsr>\S+)\s+de\s+(?P<code>\S+)$",
                    re.IGNORECASE)
ADD = re.compile(r"^ajouter\s+(?:l'\s*unit[ée]\s+)?(?P<rnsr>\S+)\s+(?:[àa]|dans)\s+"
                 r"(?P<code>\S+)(?P<rest>.*)$", re.IGNORECASE)
CONTRACT = re.compile(r"^(?P<new>nouveau\s+)?contrat\s+(?P<id>[^\s/]+/\S+)(?P<rest>.*)$",
                      re.IGNORECASE)
PAIR = re.compile(r"(?P<key>[^\s=]+(?:\s+\d{4})?)\s*=\s*")
INVOICED_KEY = re.compile(r"^factur\w*[\s_-]*(?P<year>\d{4})$")


class LineError(ValueError):
    """A line the form cannot read (the reason, in French)."""


def _key(text: str) -> str:
    """Lower case, no accents, single spaces: how keywords are compared."""
    return " ".join(fold(text).replace("’", "'").split())


def parse_euros(text: str) -> Cents:
    """« 45 000,00 € », « 45000.5 », « 45.000,00 » → cents (at most two decimals, ≥ 0), as the
    ledger import reads them."""
    try:
        cents = parse_money(text)
    except InvalidInput:
        cents = -1
    if cents < 0:
        raise LineError(f"« {text.strip()} » n'est pas un montant positif en euros au centime "
                        "près (ex. 45 000,00 €)")
    return cents


def _read(parse: Callable[[str], T], text: str) -> T:
    """A value read by the common French parser (or the ledger's, for a partner category);
    its refusal as the line's."""
    try:
        return parse(text)
    except InvalidInput as refused:
        raise LineError(str(refused).rstrip(".")) from None


def _pairs(rest: str) -> list[tuple[str, str]]:
    """``clé=valeur`` pairs; a value runs to the next key (it may hold spaces: « 45 000 »)."""
    rest = rest.strip()
    matches = list(PAIR.finditer(rest))
    if not rest:
        return []
    if not matches or matches[0].start() != 0:
        raise LineError(f"« {rest} » : « clé=valeur » attendu")
    pairs = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(rest)
        value = rest[match.end():end].strip()
        if not value:
            raise LineError(f"« {match.group('key')} » sans valeur")
        pairs.append((_key(match.group("key")), value))
    return pairs


def _contract_fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {"invoiced_cents": {}}
    for key, value in pairs:
        if key in {"montant", "total", "montant total"}:
            fields["total_cents"] = parse_euros(value)
        elif match := INVOICED_KEY.match(key):
            fields["invoiced_cents"][int(match.group("year"))] = parse_euros(value)
        elif key in {"categorie", "categorie du partenaire"}:
            fields["partner_category"] = _read(parse_category, value)
        elif key in {"thematique", "dans la thematique", "in_theme"}:
            fields["in_theme"] = _read(parse_yes_no, value)
        elif key == "cifre":
            fields["cifre"] = _read(parse_yes_no, value)
        elif key in {"signe", "signe le", "signature", "date"}:
            fields["signed_on"] = _read(parse_date, value)
        elif key == "partenaire":
            fields["partner"] = value[:255]
        else:
            raise LineError(f"« {key} » : clé inconnue (montant, facturé AAAA, catégorie, "
                            "thématique, cifre, signé, partenaire)")
    return fields


def parse_line(line: str) -> Change:
    """One line of the changes box as a change (see the module's docstring)."""
    line = " ".join(line.replace("’", "'").split())
    if match := REMOVE.match(line):
        return RemoveUnit(consortium=match.group("code"), rnsr=match.group("rnsr").upper())
    if match := ADD.match(line):
        fte = None
        for key, value in _pairs(match.group("rest")):
            if key not in {"etp", "fte"}:
                raise LineError(f"« {key} » : seule la clé « etp » suit « ajouter »")
            fte = _read(parse_fte, value)
        return AddUnit(consortium=match.group("code"), rnsr=match.group("rnsr").upper(),
                       fte=fte)
    if match := CONTRACT.match(line):
        rnsr, reference = match.group("id").split("/", 1)
        contract_id = f"{rnsr.upper()}/{reference}"
        fields = _contract_fields(_pairs(match.group("rest")))
        if match.group("new"):
            missing = [label for name, label in (("partner_category", "catégorie"),
                                                 ("total_cents", "montant"),
                                                 ("signed_on", "signé"))
                       if name not in fields]
            if missing:
                raise LineError(f"nouveau contrat : {', '.join(missing)} à donner")
            return AddContract(rnsr=rnsr.upper(), reference=reference, **fields)
        if "signed_on" in fields or "partner" in fields:
            raise LineError("la date de signature et le partenaire d'un contrat existant ne se "
                            "changent pas ici")
        change = ChangeContract(contract=contract_id, **fields)
        if change.changes_nothing:
            raise LineError("rien à changer : donnez montant, facturé AAAA, catégorie, "
                            "thématique ou cifre")
        return change
    raise LineError("ligne non comprise : elle commence par « retirer », « ajouter », "
                    "« contrat » ou « nouveau contrat »")


def parse_changes(text: str) -> list[tuple[int, Change]]:
    """Every change of the box with its line number; raises ``ValidationError`` listing every
    line it cannot read."""
    found: list[tuple[int, Change]] = []
    errors: list[str] = []
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValidationError(f"Au plus {MAX_LINES} lignes de changements.")
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            found.append((number, parse_line(line.strip())))
        except LineError as exc:
            errors.append(f"Ligne {number} : {exc}.")
    if errors:
        raise ValidationError(errors)
    return found


def shown_value(value: Any) -> str:
    """A parameter's value as the page shows it (tables in compact JSON)."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _source(entry: Mapping[str, Any]) -> dict[str, str]:
    """Where a parameter's value comes from: a FAQ rule, an assumption, or the call's override
    (with the source it replaces)."""
    source = str(entry["source"])
    if source.startswith("FAQ-"):
        return {"source_rule": source, "source": source}
    if source == "scenario":
        was = f" (était {entry['overridden_from']})" if entry.get("overridden_from") else ""
        return {"source_rule": "", "source": f"surchargé pour l'appel{was}"}
    return {"source_rule": "", "source": "hypothèse" if source == "assumption" else source}


class SimulationForm(forms.Form):
    """The envelope (euros), one optional override per parameter of the call (the envelope
    apart), and the changes box."""

    enveloppe = forms.CharField(
        label="Enveloppe nationale (€)", required=False, max_length=40,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}),
        help_text="Vide : l'enveloppe des paramètres de l'appel.")
    changements = forms.CharField(
        label="Changements (un par ligne)", required=False, max_length=20_000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 6, "spellcheck": "false"}),
        help_text="Voir le format ci-dessous ; les lignes commençant par « # » sont ignorées.")

    def __init__(self, data: Mapping[str, Any] | None = None, *,
                 parameters: list[dict[str, Any]]) -> None:
        super().__init__(data)
        self.parameters = [entry for entry in parameters if entry["name"] != ENVELOPE]
        for entry in parameters:
            if entry["name"] == ENVELOPE:
                current = format_euros(euros_to_cents(str(entry["value"])))
                self.fields["enveloppe"].help_text = (
                    f"Vide : l'enveloppe en vigueur, {current} (paramètre « envelope »).")
                self.fields["enveloppe"].widget.attrs["placeholder"] = current
        self.lines: list[int] = []
        for entry in self.parameters:
            self.fields[PARAMETER_PREFIX + entry["name"]] = forms.CharField(
                label=entry["name"], required=False, max_length=5000,
                widget=forms.TextInput(attrs={**INPUT, "placeholder": "inchangé"}))

    def parameter_rows(self) -> list[dict[str, Any]]:
        """Each parameter with its value in force, its source (``source_rule``: the FAQ rule
        that gives it, linked; else ``source`` in words) and its field."""
        return [{"entry": entry, "value": shown_value(entry["value"]), **_source(entry),
                 "field": self[PARAMETER_PREFIX + entry["name"]]} for entry in self.parameters]

    def clean_enveloppe(self) -> Cents | None:
        text = self.cleaned_data["enveloppe"].strip()
        if not text:
            return None
        try:
            return parse_euros(text)
        except LineError as exc:
            raise ValidationError(f"Enveloppe : {exc}.") from None

    def clean_changements(self) -> list[tuple[int, Change]]:
        return parse_changes(self.cleaned_data["changements"])

    def scenario(self) -> Scenario:
        """The scenario of a valid form; remembers each change's line for ``refused``."""
        numbered: list[tuple[int, Change]] = self.cleaned_data["changements"]
        self.lines = [number for number, _ in numbered]
        overrides = {entry["name"]: self.cleaned_data[PARAMETER_PREFIX + entry["name"]].strip()
                     for entry in self.parameters
                     if self.cleaned_data.get(PARAMETER_PREFIX + entry["name"], "").strip()}
        return Scenario(envelope_cents=self.cleaned_data["enveloppe"], parameters=overrides,
                        changes=tuple(change for _, change in numbered))

    def refused(self, errors: Mapping[str, list[str]]) -> None:
        """Put the simulation's located errors on the form: ``changes[i]…`` on the changes box
        (« Ligne N : … »), ``parameters.<nom>`` on that parameter, the envelope on its field."""
        for where, messages in errors.items():
            if match := re.match(r"^changes\[(\d+)\]", where):
                index = int(match.group(1))
                line = self.lines[index] if index < len(self.lines) else index + 1
                self.add_error("changements", [f"Ligne {line} : {message}"
                                               for message in messages])
            elif where.startswith("parameters.") \
                    and PARAMETER_PREFIX + where.removeprefix("parameters.") in self.fields:
                self.add_error(PARAMETER_PREFIX + where.removeprefix("parameters."), messages)
            elif where == "envelope_cents":
                self.add_error("enveloppe", messages)
            else:
                self.add_error(None, messages)
