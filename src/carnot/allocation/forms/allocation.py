"""Forms of the yearly allocation: open a run (envelope and overrides), compare two runs,
publish one.

They read the input's shape only: an amount as French users write it (« 62 000 000,00 »), a
parameter's new value in the type of the value it replaces (whole number, list of years,
yes/no, decimal with a comma or a point, text). Whether a value is usable — a proportion between
0 and 1, a known floor policy… — is the service's decision (``allocation_parameters``), whose
refusals the view puts next to the parameter's field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from carnot.allocation.overrides import DECIMAL_TEXT, parameter_value
from carnot.common.french import InvalidInput, parse_money
from carnot.rules.money import Cents, format_euros

INPUT = {"class": "fr-input"}
SELECT = {"class": "fr-select"}
ENVELOPE = "envelope"
"""The envelope's field, named as its parameter (the service's refusals name either)."""



def euros_input(cents: Cents) -> str:
    """An amount as the envelope field shows it: « 62 000 000,00 » (no euro sign)."""
    return format_euros(cents).removesuffix(" €")


def overridable(parameter: Mapping[str, Any]) -> bool:
    """A parameter the form lets the officer override: one value or a list of years (tables —
    partner categories, structure kinds, company sizes — are overridden through the API)."""
    return parameter["name"] != ENVELOPE and not isinstance(parameter["value"], Mapping)


def same_value(value: Any, current: Any) -> bool:
    """Whether an override only repeats the current value (« 0,8 » for « 0.80 »): it is then no
    override, and the same inputs keep the same fingerprint."""
    if isinstance(value, str) and isinstance(current, str) and DECIMAL_TEXT.match(current):
        try:
            return bool(Decimal(value) == Decimal(current))
        except InvalidOperation:
            return False
    if isinstance(current, list | tuple):
        return bool(list(current) == value)
    return type(value) is type(current) and bool(value == current)


class AllocationRunForm(forms.Form):
    """The envelope and, for each overridable parameter of the call, an optional new value for
    this run (left empty: the call's value)."""

    envelope = forms.CharField(
        label="Enveloppe nationale", max_length=40,
        help_text="En euros, au centime près (ex. : 62 000 000,00). Elle est partagée au "
                  "prorata des assiettes d'abondement, planchers garantis honorés.",
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}))

    def __init__(self, *args: Any, parameters: Sequence[Mapping[str, Any]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parameters = {parameter["name"]: parameter for parameter in parameters}
        for parameter in parameters:
            if not overridable(parameter):
                continue
            self.fields[parameter["name"]] = forms.CharField(
                label=parameter["name"], required=False, max_length=200,
                help_text="Laisser vide pour garder la valeur de l'appel.",
                widget=forms.TextInput(attrs={**INPUT, "data-testid": "override"}))

    def clean_envelope(self) -> Cents:
        """« 62 000 000,00 », « 62000000 », « 62 000 000,00 € »: cents (the service refuses a
        negative envelope)."""
        try:
            return parse_money(self.cleaned_data[ENVELOPE])
        except InvalidInput as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, parameter in self.parameters.items():
            text = cleaned.get(name)
            if not overridable(parameter) or not text:
                continue
            try:
                cleaned[name] = parameter_value(parameter["value"], text)
            except InvalidInput as error:
                self.add_error(name, str(error))
        return cleaned

    def overrides(self) -> dict[str, Any]:
        """The values the officer changed for this run, by parameter (after ``is_valid``)."""
        return {name: self.cleaned_data[name] for name, parameter in self.parameters.items()
                if overridable(parameter) and name in self.cleaned_data
                and self.cleaned_data[name] not in ("", None)
                and not same_value(self.cleaned_data[name], parameter["value"])}

    def override_fields(self) -> dict[str, forms.BoundField]:
        """The override field of each parameter that has one, by parameter name."""
        return {name: self[name] for name, parameter in self.parameters.items()
                if overridable(parameter)}


class CompareForm(forms.Form):
    """Two runs of the call: before (``avant``) and after (``apres``)."""

    avant = forms.TypedChoiceField(label="Répartition de référence", coerce=int,
                                   widget=forms.Select(attrs=SELECT))
    apres = forms.TypedChoiceField(label="Répartition comparée", coerce=int,
                                   widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, numbers: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(number), label) for number, label in numbers]
        for name in ("avant", "apres"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices
            field.error_messages["invalid_choice"] = (
                "Répartition n° %(value)s introuvable pour cet appel.")
            field.error_messages["required"] = "Choisissez une répartition."


class PublishForm(forms.Form):
    """Publication of a draft: the explicit confirmation needed to supersede a published run."""

    remplacer = forms.BooleanField(
        label="Je confirme remplacer la répartition publiée", required=False,
        help_text="Les abondements de l'année deviennent ceux de cette répartition ; la "
                  "répartition publiée devient « remplacée » (elle reste consultable).")
