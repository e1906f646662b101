"""JSON API of applications (django-ninja), with exactly the permissions of the pages.

Every endpoint validates its input with the schemas, checks access with
``carnot.applications.permissions`` (the functions the pages use), calls one service or
selector and returns a schema. An application the user may not see answers 404 (its existence
is never revealed); one the user may see but not change answers 403; anonymous requests 401.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status, UploadedFile

from carnot.applications import services
from carnot.applications.models import Application, ApplicationUnit, Signature
from carnot.applications.permissions import (
    can_create_application,
    can_edit_declaration,
    can_see_national_view,
    can_take,
    editable_application_or_403,
    visible_application_or_404,
    why_not_editable,
)
from carnot.applications.schemas import (
    ApplicationCreateIn,
    ApplicationDetailOut,
    ApplicationFilters,
    ApplicationOut,
    ApplicationUpdateIn,
    ErrorOut,
    HistoryOut,
    NationalFilters,
    NationalOut,
    PanelOut,
    SignatoryOut,
    SignatureDocumentIn,
    SignatureIn,
    SignatureOut,
    TransitionIn,
    TransitionOut,
    TransitionRecordOut,
    UnitIn,
    UnitOut,
    UnitUpdateIn,
    signatories,
)
from carnot.applications.selectors import (
    application_changes,
    application_transitions,
    applications_visible_to,
    blocking_failures,
    declarations_of,
    national_cross_checks,
    national_rows,
    panel_for,
    panels_for_call,
    signatures_by_structure,
)
from carnot.applications.workflow import TRANSITIONS, find_transition, transitions_from
from carnot.applications.workflow import Status as ApplicationStatus
from carnot.common.errors import ServiceError
from carnot.common.requests import signed_in_user
from carnot.registry.models import Call, Pui, Structure, Team

router = Router(tags=["candidatures"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
"""Refusals every endpoint may answer (see carnot.web.api)."""

APPLICATION = "/{int:year}/{code}"


# --- Access and input resolution -----------------------------------------------------------



def _visible(request: HttpRequest, year: int, code: str,
             queryset: QuerySet[Application] | None = None) -> Application:
    return visible_application_or_404(request.user, year, code, queryset)


def _editable(request: HttpRequest, year: int, code: str) -> Application:
    return editable_application_or_403(request.user, year, code)


def _detailed() -> QuerySet[Application]:
    declarations = ApplicationUnit.objects.select_related(
        "unit", "scientific_lead", "managing_tutelle", "shared_with").prefetch_related(
        "tutelles", "teams")
    return Application.objects.prefetch_related(
        "puis", "alignments", Prefetch("units", queryset=declarations),
        Prefetch("signatures", queryset=Signature.objects.select_related("structure",
                                                                          "signatory")))


def _declaration(application: Application, rnsr: str) -> ApplicationUnit:
    return get_object_or_404(
        ApplicationUnit.objects.select_related("application__call", "unit", "scientific_lead",
                                               "managing_tutelle", "shared_with")
        .prefetch_related("tutelles", "teams"),
        application=application, unit__rnsr=rnsr)


def _call(year: int) -> Call:
    call = Call.objects.filter(year=year).first()
    if call is None:
        raise ServiceError({"year": f"Aucun appel Carnot pour l'année {year}."})
    return call


def _structures(codes: list[str], field: str) -> list[Structure]:
    found = {structure.code: structure for structure in Structure.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ServiceError({field: f"Structure inconnue du répertoire : {', '.join(unknown)}."})
    return [found[code] for code in dict.fromkeys(codes)]


def _structure(code: str, field: str) -> Structure:
    return _structures([code], field)[0]


def _puis(codes: list[str]) -> list[Pui]:
    found = {pui.code: pui for pui in Pui.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ServiceError({"puis": f"PUI inconnu : {', '.join(unknown)}."})
    return [found[code] for code in dict.fromkeys(codes)]


# --- Applications --------------------------------------------------------------------------


@router.get("/", response={200: list[ApplicationOut], **ERRORS},
            summary="Lister les candidatures visibles")
def list_applications(request: HttpRequest,
                      filters: Query[ApplicationFilters]) -> QuerySet[Application]:
    """Signed-in users: the applications their role lets them see (officers, administrators and
    the association all; a coordinator its own; a unit lead those declaring one of its units).
    Filters: ``call_year``, ``kind``, ``status``."""
    applications = applications_visible_to(user=request.user)
    if filters.call_year is not None:
        applications = applications.filter(call__year=filters.call_year)
    if filters.kind is not None:
        applications = applications.filter(kind=filters.kind.value)
    if filters.status is not None:
        applications = applications.filter(status=filters.status.value)
    return applications


@router.post("/", response={201: ApplicationDetailOut, **ERRORS},
             summary="Créer une candidature")
def create_application(request: HttpRequest, payload: ApplicationCreateIn) -> Status[Any]:
    """Coordinators and administrators: create a draft application for a call; its creator
    becomes its coordinator account."""
    if not can_create_application(request.user):
        raise PermissionDenied("Seuls les coordinateurs et les administrateurs créent des "
                               "candidatures.")
    application = services.application_create(
        call=_call(payload.year), by=signed_in_user(request), code=payload.code, name=payload.name,
        kind=payload.kind.value, coordinator=_structure(payload.coordinator, "coordinator"),
        puis=_puis(payload.puis), theme=payload.theme,
        theme_justification=payload.theme_justification,
        alignments=[(a.kind.value, a.name) for a in payload.alignments])
    return Status(201, _visible(request, payload.year, application.code, _detailed()))


@router.get(APPLICATION, response={200: ApplicationDetailOut, **ERRORS},
            summary="Lire une candidature (unités, signatures)")
def get_application(request: HttpRequest, year: int, code: str) -> Application:
    """Whoever may see the application (its coordinators, the leads of its units, officers,
    administrators, the association): the application with its units and signatures."""
    return _visible(request, year, code, _detailed())


@router.patch(APPLICATION, response={200: ApplicationDetailOut, **ERRORS},
              summary="Modifier une candidature (brouillon)")
def update_application(request: HttpRequest, year: int, code: str,
                       payload: ApplicationUpdateIn) -> Application:
    """Its coordinators and administrators, while it is a draft: change its figures (only the
    fields sent). Every change is recorded in the history."""
    application = _editable(request, year, code)
    fields = payload.model_dump(exclude_unset=True, exclude={"puis", "alignments"})
    if fields.get("coordinator") is not None:
        fields["coordinator"] = _structure(fields["coordinator"], "coordinator")
    if fields.get("kind") is not None:
        fields["kind"] = fields["kind"].value
    services.application_update(
        application=application, by=signed_in_user(request),
        puis=_puis(payload.puis) if payload.puis is not None else None,
        alignments=[(a.kind.value, a.name) for a in payload.alignments]
        if payload.alignments is not None else None,
        **fields)
    return _visible(request, year, code, _detailed())


# --- Units ---------------------------------------------------------------------------------


@router.get(APPLICATION + "/units", response={200: list[UnitOut], **ERRORS},
            summary="Lister les unités déclarées")
def list_units(request: HttpRequest, year: int, code: str) -> list[ApplicationUnit]:
    """Whoever may see the application: its declared units."""
    return list(declarations_of(application=_visible(request, year, code)))


@router.post(APPLICATION + "/units", response={201: UnitOut, **ERRORS},
             summary="Déclarer une unité")
def declare_unit(request: HttpRequest, year: int, code: str, payload: UnitIn) -> Status[Any]:
    """Its coordinators and administrators, while it is a draft: declare a unit of the
    directory (an RNSR the directory does not know is refused, FAQ-2.18); the managing tutelle
    and tutelles not sent are the directory's, as on the page."""
    application = _editable(request, year, code)
    declaration = services.unit_declare(
        application=application, by=signed_in_user(request), rnsr=payload.rnsr,
        scientific_lead=payload.scientific_lead,
        managing_tutelle=(_structure(payload.managing_tutelle, "managing_tutelle")
                          if payload.managing_tutelle else None),
        tutelles=_structures(payload.tutelles, "tutelles"),
        permanent_researchers_fte=payload.permanent_researchers_fte,
        research_engineers_fte=payload.research_engineers_fte,
        research_engineers_do_research=payload.research_engineers_do_research,
        shared_with=services.shared_with_in_call(application.call, payload.shared_with),
        partial=payload.partial)
    return Status(201, _declaration(application, declaration.unit.rnsr))


@router.get(APPLICATION + "/units/{rnsr}", response={200: UnitOut, **ERRORS},
            summary="Lire une unité déclarée")
def get_unit(request: HttpRequest, year: int, code: str, rnsr: str) -> ApplicationUnit:
    """Whoever may see the application: one declared unit."""
    return _declaration(_visible(request, year, code), rnsr)


def _declaration_to_edit(request: HttpRequest, year: int, code: str,
                         rnsr: str) -> ApplicationUnit:
    declaration = _declaration(_visible(request, year, code), rnsr)
    if not can_edit_declaration(request.user, declaration):
        raise PermissionDenied(why_not_editable(declaration.application))
    return declaration


@router.patch(APPLICATION + "/units/{rnsr}", response={200: UnitOut, **ERRORS},
              summary="Modifier une unité déclarée")
def update_unit(request: HttpRequest, year: int, code: str, rnsr: str,
                payload: UnitUpdateIn) -> ApplicationUnit:
    """Its coordinators, administrators and the unit's own leads, while it is a draft: change
    the unit's figures (only the fields sent). Every change is recorded in the history."""
    declaration = _declaration_to_edit(request, year, code, rnsr)
    fields = payload.model_dump(exclude_unset=True)
    tutelles = _structures(fields.pop("tutelles"), "tutelles") \
        if fields.get("tutelles") is not None else None
    fields.pop("tutelles", None)
    if fields.get("managing_tutelle") is not None:
        fields["managing_tutelle"] = _structure(fields["managing_tutelle"], "managing_tutelle")
    if "shared_with" in fields:
        fields["shared_with"] = services.shared_with_in_call(declaration.application.call,
                                             fields["shared_with"])
    if fields.get("scientific_lead") is None:
        fields.pop("scientific_lead", None)
    teams = _teams(declaration, fields.pop("teams")) if fields.get("teams") is not None else None
    fields.pop("teams", None)
    services.unit_update(declaration=declaration, by=signed_in_user(request), tutelles=tutelles,
                         teams=teams, **fields)
    return _declaration(declaration.application, rnsr)


def _teams(declaration: ApplicationUnit, names: list[str]) -> list[Team]:
    """The unit's teams of those names; an unknown name is refused (422)."""
    teams = {team.name: team for team in declaration.unit.teams.all()}
    unknown = [name for name in names if name not in teams]
    if unknown:
        raise ServiceError({"teams": f"Équipe(s) inconnue(s) de l'unité "
                                               f"{declaration.unit.rnsr} : {', '.join(unknown)}."})
    return [teams[name] for name in names]


@router.delete(APPLICATION + "/units/{rnsr}", response={204: None, **ERRORS},
               summary="Retirer une unité")
def remove_unit(request: HttpRequest, year: int, code: str, rnsr: str) -> Status[None]:
    """Its coordinators and administrators, while it is a draft: remove the unit from the
    application (recorded in the history). As on the pages, a unit's lead corrects its unit's
    line but does not withdraw it from the consortium."""
    declaration = _declaration(_editable(request, year, code), rnsr)
    services.unit_remove(declaration=declaration, by=signed_in_user(request))
    return Status(204, None)


# --- Signatures of the commitment document (FAQ-2.18) ---------------------------------------


@router.get(APPLICATION + "/signatures", response={200: list[SignatoryOut], **ERRORS},
            summary="Tutelles signataires et signatures")
def list_signatures(request: HttpRequest, year: int, code: str) -> list[dict[str, object]]:
    """Whoever may see the application: every tutelle that must sign the commitment document
    (all tutelles of all units, FAQ-2.18), with its signature or null when it is missing."""
    application = _visible(request, year, code)
    return signatories(services.required_signatories(application),
                       signatures_by_structure(application=application))


@router.post(APPLICATION + "/signatures", response={200: SignatureOut, **ERRORS},
             summary="Enregistrer une signature")
def record_signature(request: HttpRequest, year: int, code: str,
                     payload: SignatureIn) -> Signature:
    """Its coordinators and administrators, while it is a draft: record (or replace) a tutelle's
    signature; the signed PDF is sent to ``…/signatures/{structure_code}/document``."""
    application = _editable(request, year, code)
    return services.signature_record(
        application=application, by=signed_in_user(request),
        structure=_structure(payload.structure, "structure"), signatory=payload.signatory,
        empowerment=payload.empowerment, empowered=payload.empowered,
        signed_on=payload.signed_on)


@router.post(APPLICATION + "/signatures/{structure_code}/document",
             response={200: SignatureOut, **ERRORS},
             summary="Déposer le PDF signé d'une tutelle")
def upload_signed_document(request: HttpRequest, year: int, code: str, structure_code: str,
                           document: File[UploadedFile],
                           details: Form[SignatureDocumentIn]) -> Signature:
    """Its coordinators and administrators, while it is a draft: upload the PDF signed by a
    tutelle (multipart, field ``document``; a PDF, at most ``MAX_UPLOAD_BYTES``). Fields left
    out keep the recorded signature's values; the signatory is required if none is recorded."""
    application = _editable(request, year, code)
    structure = get_object_or_404(Structure, code=structure_code)
    recorded = application.signatures.select_related("signatory").filter(
        structure=structure).first()
    return services.signature_record(
        application=application, by=signed_in_user(request), structure=structure,
        signatory=details.signatory or (recorded.signatory.full_name if recorded else ""),
        empowerment=details.empowerment if details.empowerment is not None
        else (recorded.empowerment if recorded else ""),
        empowered=details.empowered if details.empowered is not None
        else (recorded.empowered if recorded else True),
        signed_on=details.signed_on or (recorded.signed_on if recorded else None),
        document=document)


# --- Panel, workflow, history --------------------------------------------------------------


@router.get(APPLICATION + "/panel", response={200: PanelOut, **ERRORS},
            summary="Panneau de recevabilité")
def get_panel(request: HttpRequest, year: int, code: str) -> dict[str, Any]:
    """Whoever may see the application: its live admissibility panel, one line per rule
    (passed, failed, warning, not yet checkable), failed first, each verdict with its French
    reason and a link to the FAQ entry."""
    application = _visible(request, year, code)
    panel = panel_for(application=application)
    return {"year": year, "code": code, "blocking_failures": len(blocking_failures(panel)),
            "lines": panel}


@router.get(APPLICATION + "/transitions", response={200: list[TransitionOut], **ERRORS},
            summary="Transitions possibles")
def list_transitions(request: HttpRequest, year: int, code: str) -> list[Any]:
    """Whoever may see the application: the transitions their role may take from its current
    status (guards — deadline, panel, reason — are checked when the transition is taken)."""
    application = _visible(request, year, code)
    return [transition
            for transition in transitions_from(ApplicationStatus(application.status))
            if can_take(request.user, transition, application)]


@router.post(APPLICATION + "/transitions", response={200: TransitionRecordOut, **ERRORS},
             summary="Changer le statut")
def take_transition(request: HttpRequest, year: int, code: str,
                    payload: TransitionIn) -> Any:
    """Its coordinators (submit, withdraw) and programme officers (decisions), administrators:
    move the application along the workflow; refused with the reason when a guard fails
    (deadline passed, blocking rule failed, reason missing). Roles that take no transition on
    it (association, unit leads) get 403."""
    application = _visible(request, year, code)
    transition = find_transition(ApplicationStatus(application.status), payload.target)
    may_move = any(can_take(request.user, candidate, application) for candidate in TRANSITIONS)
    if not may_move or (transition is not None
                        and not can_take(request.user, transition, application)):
        raise PermissionDenied("Votre rôle ne permet pas cette décision sur la candidature.")
    return services.application_transition(application=application,
                                           target=payload.target.value, by=signed_in_user(request),
                                           reason=payload.reason)


@router.get(APPLICATION + "/history", response={200: HistoryOut, **ERRORS},
            summary="Historique")
def get_history(request: HttpRequest, year: int, code: str) -> dict[str, Any]:
    """Whoever may see the application: its status changes (who, when, why) and the changes
    to its figures (who, when, old → new), newest changes first."""
    application = _visible(request, year, code)
    return {"transitions": application_transitions(application=application),
            "changes": application_changes(application=application)}


# --- National view -------------------------------------------------------------------------


@router.get("/national/{int:year}", response={200: NationalOut, **ERRORS},
            summary="Vue nationale d'un appel")
def national_view(request: HttpRequest, year: int,
                  filters: Query[NationalFilters]) -> dict[str, Any]:
    """Programme officers, administrators and association staff: every application of the call
    with its status and panel summary (filters ``kind``, ``status``, ``only_failures``), and the
    cross-application checks on units (a unit in two thematic consortia, shared by more than
    two, sharing declared on one side only, FTE that differ…), grouped by unit — as the
    national page shows them."""
    if not can_see_national_view(request.user):
        raise PermissionDenied("La vue nationale est réservée aux chargés de programme, aux "
                               "administrateurs et à l'association.")
    call = get_object_or_404(Call, year=year)
    panels = panels_for_call(call=call)
    rows = national_rows(call=call, panels=panels,
                         kind=filters.kind.value if filters.kind else "",
                         status=filters.status.value if filters.status else "",
                         only_failures=filters.only_failures)
    return {"year": year, "applications": rows,
            "cross_checks": national_cross_checks(panels=panels)}
