"""Forms of the ledger pages: the filters of a ledger (GET) and the upload of a ledger file.
They check the input's shape only; the file's content is the service's business
(``ledger_import``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from carnot.ledgers.checking import megabytes, too_big
from carnot.ledgers.format import MAX_BYTES
from carnot.ledgers.selectors import COUNTED, EXCLUDED
from carnot.registry.models import Call

SELECT = {"class": "fr-select"}
XLSX_MAGIC = b"PK\x03\x04"
EXTENSIONS = (".csv", ".xlsx")

CONTRACT_FILTERS = {"comptes": COUNTED, "exclus": EXCLUDED}
"""The filter's values in the query (French) and the selectors' names."""


class LedgerFilterForm(forms.Form):
    """Which call judges the contracts (default: the latest), and which contracts to show."""

    appel = forms.ModelChoiceField(label="Abondement de l'appel", to_field_name="year",
                                   queryset=Call.objects.order_by("-year"), required=False,
                                   empty_label=None, widget=forms.Select(attrs=SELECT))
    contrats = forms.ChoiceField(label="Contrats", required=False, choices=[
        ("", "Tous"), ("comptes", "Ceux qui comptent"), ("exclus", "Ceux qui sont exclus")],
        widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, with_call: bool = True, with_contracts: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_call:
            del self.fields["appel"]
        if not with_contracts:
            del self.fields["contrats"]

    def chosen(self) -> tuple[Call | None, str]:
        """The call chosen (None: the default) and the selectors' filter ("" for all); a
        value that is not valid counts as not given (the form shows its error)."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("appel"), CONTRACT_FILTERS.get(data.get("contrats") or "", "")


class LedgerImportForm(forms.Form):
    """A ledger file: CSV (« ; » or « , », UTF-8 or Windows-1252) or Excel (.xlsx), at most the
    service's limit (``MAX_BYTES``)."""

    file = forms.FileField(label="Registre des contrats (.csv ou .xlsx)",
                           widget=forms.FileInput(attrs={
                               "class": "fr-upload",
                               "accept": ".csv,text/csv,.xlsx,application/vnd."
                                         "openxmlformats-officedocument.spreadsheetml.sheet"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (f"Fichier CSV ou classeur Excel (.xlsx), "
                                         f"{megabytes(MAX_BYTES)} au plus.")

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise ValidationError(too_big(upload.size))
        name = (upload.name or "").lower()
        if not name.endswith(EXTENSIONS):
            raise ValidationError("Le fichier doit être un CSV (.csv) ou un classeur Excel "
                                  "(.xlsx).")
        if name.endswith(".xlsx"):
            head = upload.read(len(XLSX_MAGIC))
            upload.seek(0)
            if head != XLSX_MAGIC:
                raise ValidationError("Le contenu du fichier n'est pas celui d'un classeur "
                                      ".xlsx.")
        return upload
