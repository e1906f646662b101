"""Form of five-year spending: an expenditure of the consortium (FAQ-4.1).

It reads the input's shape only (a date, an amount in euros as French users write it, a category,
an optional vintage among the consortium's); what may be spent, when and on which vintage is the
service's decision (``services.expenditure_record``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from carnot.common.french import InvalidInput, parse_money
from carnot.rules.money import Cents, format_euros
from carnot.spending.models import ExpenditureCategory
from carnot.spending.selectors import Vintage

INPUT = {"class": "fr-input"}
SELECT = {"class": "fr-select"}
OLDEST_FIRST = "Le plus ancien d'abord (par défaut)"
DESCRIPTION_MAX = 2000


class ExpenditureForm(forms.Form):
    """An expenditure: date, amount, category, description, and the vintage to charge (the
    oldest open vintage first when none is chosen)."""

    spent_on = forms.DateField(
        label="Date de la dépense", input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="Chaque abondement de l'année N est utilisable du 1er janvier N au 31 "
                  "décembre N+4 (FAQ-4.1).",
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date attendue (JJ/MM/AAAA)."})
    amount = forms.CharField(label="Montant", max_length=40,
                             help_text="En euros, au centime près (ex. : 12 500,00 €).",
                             widget=forms.TextInput(attrs={**INPUT, "inputmode": "decimal"}))
    category = forms.ChoiceField(label="Catégorie", choices=ExpenditureCategory.choices,
                                 widget=forms.Select(attrs=SELECT))
    description = forms.CharField(label="Description", required=False,
                                  max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={**INPUT, "rows": 2}))
    vintage = forms.TypedChoiceField(label="Abondement à utiliser", required=False, coerce=int,
                                     empty_value=None, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, vintages: Sequence[Vintage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["vintage"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", OLDEST_FIRST)] + [
            (str(vintage.year),
             f"Abondement {vintage.year} — reste {format_euros(vintage.remaining_cents)}, "
             f"jusqu'au {vintage.deadline:%d/%m/%Y}")
            for vintage in vintages]

    def clean_amount(self) -> Cents:
        """« 12 500,00 € », « 12500.5 », « 12.500,00 »: cents (the sign is kept, the service
        refuses an amount ≤ 0)."""
        try:
            return parse_money(self.cleaned_data["amount"])
        except InvalidInput as error:
            raise forms.ValidationError(str(error)) from error
