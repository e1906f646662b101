"""Forms of the application pages: they parse and check the input's shape only; every business
rule is in the services (writes) and the rules package (the admissibility panel)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from carnot.applications.models import KIND_CHOICES, Application, ApplicationUnit
from carnot.applications.services import shared_with_in_call
from carnot.applications.workflow import Status
from carnot.common.downloads import XLSX
from carnot.common.errors import ServiceError
from carnot.registry.models import Call, CallStatus, Pui, Structure, Team, Unit
from carnot.rules.domain import AlignmentKind

XLSX_MAGIC = b"PK\x03\x04"

INPUT = {"class": "fr-input"}
SELECT = {"class": "fr-select"}


def _megabytes() -> str:
    return f"{settings.MAX_UPLOAD_BYTES / (1024 * 1024):.3g} Mo"


def _decimal(label: str, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, min_value=Decimal(0),
                              max_digits=8, decimal_places=2, help_text=help_text,
                              widget=forms.NumberInput(attrs={**INPUT, "step": "0.01",
                                                              "min": "0"}))


def _plain(value: Decimal | None) -> str | None:
    """A figure for a number input (which wants a point): ``8``, ``12.5``, not ``12.50``."""
    return None if value is None else f"{value.normalize():f}"


class ApplicationForm(forms.Form):
    """A new application, or the figures of a draft (its call and code are then fixed)."""

    call = forms.ModelChoiceField(label="Appel",
                                  queryset=Call.objects.filter(status=CallStatus.OPEN)
                                  .order_by("-year"),
                                  empty_label=None, widget=forms.Select(attrs=SELECT),
                                  help_text="Seuls les appels ouverts reçoivent des candidatures.")
    code = forms.SlugField(label="Identifiant", max_length=100,
                           help_text="Lettres, chiffres et tirets, unique dans l'appel "
                                     "(ex. : terr-strasbourg).",
                           widget=forms.TextInput(attrs=INPUT))
    name = forms.CharField(label="Nom du consortium", max_length=255,
                           widget=forms.TextInput(attrs=INPUT))
    kind = forms.ChoiceField(label="Type de candidature (FAQ-2.19)", choices=KIND_CHOICES,
                             widget=forms.RadioSelect)
    coordinator = forms.ModelChoiceField(label="Structure coordinatrice",
                                         queryset=Structure.objects.order_by("name"),
                                         widget=forms.Select(attrs=SELECT))
    pui = forms.ModelChoiceField(label="PUI (candidature territoriale, FAQ-2.4)",
                                 queryset=Pui.objects.order_by("name"), required=False,
                                 empty_label="— aucun —", widget=forms.Select(attrs=SELECT))
    theme = forms.CharField(label="Thématique (candidature thématique nationale)",
                            max_length=255, required=False, widget=forms.TextInput(attrs=INPUT))
    theme_justification = forms.CharField(
        label="Justification de la thématique (FAQ-2.27)", required=False,
        widget=forms.Textarea(attrs={**INPUT, "rows": 4}))
    sna = forms.CharField(label="Alignement SNA (stratégies nationales d'accélération)",
                          required=False, help_text="Une stratégie par ligne.",
                          widget=forms.Textarea(attrs={**INPUT, "rows": 2}))
    pepr = forms.CharField(label="Alignement PEPR (programmes et équipements prioritaires)",
                           required=False, help_text="Un programme par ligne.",
                           widget=forms.Textarea(attrs={**INPUT, "rows": 2}))
    csf = forms.CharField(label="Alignement CSF (comités stratégiques de filière)",
                          required=False, help_text="Un comité par ligne.",
                          widget=forms.Textarea(attrs={**INPUT, "rows": 2}))

    ALIGNMENT_FIELDS = (("sna", AlignmentKind.SNA), ("pepr", AlignmentKind.PEPR),
                        ("csf", AlignmentKind.CSF))

    def __init__(self, *args: Any, application: Application | None = None,
                 **kwargs: Any) -> None:
        if application is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(application)
        super().__init__(*args, **kwargs)
        if application is not None:
            for name in ("call", "code"):
                self.fields[name].disabled = True
                self.fields[name].required = False
        else:
            self.fields["call"].initial = Call.objects.filter(status=CallStatus.OPEN) \
                .order_by("-year").first()

    @classmethod
    def initial_from(cls, application: Application) -> dict[str, Any]:
        alignments = list(application.alignments.all())
        initial: dict[str, Any] = {
            "call": application.call, "code": application.code, "name": application.name,
            "kind": application.kind, "coordinator": application.coordinator,
            "pui": application.puis.first(), "theme": application.theme,
            "theme_justification": application.theme_justification}
        for name, kind in cls.ALIGNMENT_FIELDS:
            initial[name] = "\n".join(a.name for a in alignments if a.kind == kind.value)
        return initial

    def alignments(self) -> list[tuple[str, str]]:
        """(kind, name) of every non-empty line of the SNA, PEPR and CSF fields."""
        return [(kind.value, line.strip())
                for name, kind in self.ALIGNMENT_FIELDS
                for line in self.cleaned_data.get(name, "").splitlines() if line.strip()]

    def puis(self) -> list[Pui]:
        pui = self.cleaned_data.get("pui")
        return [pui] if pui is not None else []


class DeclarationForm(forms.Form):
    """A unit's line in the application (FAQ-2.13 to 2.18)."""

    scientific_lead = forms.CharField(label="Responsable scientifique (un seul, FAQ-2.18)",
                                      max_length=255, required=False,
                                      widget=forms.TextInput(attrs=INPUT))
    managing_tutelle = forms.ModelChoiceField(
        label="Tutelle gestionnaire", queryset=Structure.objects.order_by("name"),
        required=False, empty_label="— celle du répertoire —",
        widget=forms.Select(attrs=SELECT))
    tutelles = forms.ModelMultipleChoiceField(
        label="Tutelles (toutes doivent signer, FAQ-2.18)",
        queryset=Structure.objects.order_by("name"), required=False,
        help_text="Laisser vide pour reprendre les tutelles du répertoire.",
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 6}))
    permanent_researchers_fte = _decimal(
        "ETP recherche permanents 2025 (FAQ-2.13, 2.15)",
        help_text="Total de l'unité, même partagée (FAQ-2.17).")
    research_engineers_fte = _decimal("ETP ingénieurs de recherche (FAQ-2.16)")
    research_engineers_do_research = forms.BooleanField(
        label="Les ingénieurs de recherche font de la recherche (EPIC, CRT, CTI…)",
        required=False)
    shared_with = forms.SlugField(
        label="Partagée avec (identifiant de l'autre candidature, FAQ-2.17)", required=False,
        widget=forms.TextInput(attrs=INPUT))
    partial = forms.BooleanField(label="Unité incomplète (FAQ-2.25)", required=False)

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call = call

    def clean_shared_with(self) -> Application | None:
        try:
            return shared_with_in_call(self.call, self.cleaned_data.get("shared_with"))
        except ServiceError as unknown:
            raise ValidationError(unknown.messages) from unknown

    def clean_research_engineers_fte(self) -> Decimal:
        return self.cleaned_data.get("research_engineers_fte") or Decimal(0)

    @classmethod
    def initial_from(cls, declaration: ApplicationUnit) -> dict[str, Any]:
        return {
            "scientific_lead": declaration.scientific_lead.full_name
            if declaration.scientific_lead else "",
            "managing_tutelle": declaration.managing_tutelle,
            "tutelles": list(declaration.tutelles.all()),
            "permanent_researchers_fte": _plain(declaration.permanent_researchers_fte),
            "research_engineers_fte": _plain(declaration.research_engineers_fte),
            "research_engineers_do_research": declaration.research_engineers_do_research,
            "shared_with": declaration.shared_with.code if declaration.shared_with else "",
            "partial": declaration.partial,
            "teams": list(declaration.teams.all()),
        }


class RnsrField(forms.CharField):
    """An RNSR number, typed in any case, with spaces around."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()


class UnitDeclareForm(DeclarationForm):
    """A unit added by its RNSR; whether it is in the directory, and the tutelles and managing
    tutelle left empty (the directory's), are the service's (``services.unit_declare``), as for
    the API."""

    rnsr = RnsrField(label="Numéro RNSR", max_length=10,
                     help_text="Neuf chiffres puis une lettre majuscule (ex. : 200919143B).",
                     widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}))

    field_order = ["rnsr"]


class UnitEditForm(DeclarationForm):
    """A declared unit's line; empty tutelles keep the declared ones; the teams of an
    incomplete unit (FAQ-2.25) are chosen among the unit's HCERES teams."""

    teams = forms.ModelMultipleChoiceField(
        label="Équipes retenues (unité incomplète, FAQ-2.25)", queryset=Team.objects.none(),
        required=False, help_text="Seulement pour une unité incomplète : les équipes HCERES "
                                  "qui rejoignent le consortium.",
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 4}))

    def __init__(self, *args: Any, call: Call, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, call=call, **kwargs)
        teams_field = self.fields["teams"]
        assert isinstance(teams_field, forms.ModelMultipleChoiceField)
        teams_field.queryset = unit.teams.order_by("name")
        if not unit.teams.exists():
            del self.fields["teams"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("tutelles"):
            cleaned["tutelles"] = None
        return cleaned


class SignatureForm(forms.Form):
    """A tutelle's signature of the commitment document (FAQ-2.18)."""

    structure = forms.ModelChoiceField(label="Tutelle signataire",
                                       queryset=Structure.objects.none(),
                                       widget=forms.Select(attrs=SELECT))
    signatory = forms.CharField(label="Nom de la personne qui signe", max_length=255,
                                widget=forms.TextInput(attrs=INPUT))
    empowerment = forms.CharField(label="Habilitation (fonction, délégation)", max_length=255,
                                  required=False, widget=forms.TextInput(attrs=INPUT))
    empowered = forms.BooleanField(label="Habilitée à signer pour la tutelle", required=False,
                                   initial=True)
    signed_on = forms.DateField(label="Date de signature", required=False,
                                widget=forms.DateInput(attrs={**INPUT, "type": "date"},
                                                       format="%Y-%m-%d"))
    document = forms.FileField(label="Document d'engagement signé (PDF)", required=False,
                               widget=forms.FileInput(
                                   attrs={"class": "fr-upload", "accept": "application/pdf,.pdf"}))

    def __init__(self, *args: Any, signatories: list[Structure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["structure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Structure.objects.filter(pk__in=[s.pk for s in signatories])
        self.fields["document"].help_text = f"Format PDF, {_megabytes()} au plus."


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(label="Motif", required=False,
                             widget=forms.Textarea(attrs={**INPUT, "rows": 2}))


class ImportForm(forms.Form):
    """The application's spreadsheet (document de dépôt), an .xlsx file."""

    file = forms.FileField(label="Document de dépôt (.xlsx)",
                           widget=forms.FileInput(attrs={
                               "class": "fr-upload",
                               "accept": f".xlsx,{XLSX}"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"Classeur Excel (.xlsx), {_megabytes()} au plus."

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise ValidationError(f"Fichier trop volumineux ({upload.size} octets ; "
                                  f"maximum {limit}).")
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise ValidationError("Le fichier doit être un classeur Excel (.xlsx).")
        head = upload.read(len(XLSX_MAGIC))
        upload.seek(0)
        if head != XLSX_MAGIC:
            raise ValidationError("Le contenu du fichier n'est pas celui d'un classeur .xlsx.")
        return upload


class NationalFilterForm(forms.Form):
    """The national view's filters (GET)."""

    appel = forms.ModelChoiceField(label="Appel", queryset=Call.objects.order_by("-year"),
                                   to_field_name="year", required=False, empty_label=None,
                                   widget=forms.Select(attrs=SELECT))
    type = forms.ChoiceField(label="Type", choices=[("", "Tous"), *KIND_CHOICES],
                             required=False, widget=forms.Select(attrs=SELECT))
    statut = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *Status.choices],
                               required=False, widget=forms.Select(attrs=SELECT))
    echecs = forms.BooleanField(label="Seulement les candidatures avec des règles en échec",
                                required=False)


def show_refusal(form: forms.Form, error: ValidationError,
                 renamed: Mapping[str, str] | None = None) -> None:
    """Show a service's refusal (``ServiceError``) on the form: each message next to its field
    when the form has it (a service's field name mapped through ``renamed`` to the form's),
    else above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            name = (renamed or {}).get(field, field)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
