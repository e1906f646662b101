"""Pages of applications: thin views that check access, call a selector or a service, render.

Access (``permissions.py``): anonymous users are sent to the login page; an application the user
may not see answers 404 (its existence is not revealed); an action the user's role may not take
on an application they see answers 403. Writes are POST only, with the CSRF token.

The detail page's forms (add or remove a unit, record a signature) are sent with htmx when
JavaScript runs: the view then answers the refreshed workspace and triggers ``carnot-changed``,
upon which the admissibility panel reloads itself from its own endpoint. Without JavaScript the
same views answer a redirection (or the form again, with its errors).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carnot.applications import exports, services, spreadsheet, spreadsheet_export
from carnot.applications.forms import (
    ApplicationForm,
    ImportForm,
    NationalFilterForm,
    SignatureForm,
    TransitionForm,
    UnitDeclareForm,
    UnitEditForm,
    show_refusal,
)
from carnot.applications.links import application_links
from carnot.applications.models import Application, ApplicationUnit, Signature
from carnot.applications.permissions import (
    can_create_application,
    can_edit,
    can_edit_declaration,
    can_see_national_view,
    can_take,
    editable_application_or_403,
    visible_application_or_404,
)
from carnot.applications.selectors import (
    PanelLine,
    application_figures,
    application_history,
    application_list_for,
    blocking_failures,
    calls_by_year,
    declarations_of,
    latest_call,
    national_cross_checks,
    national_rows,
    panel_for,
    panels_for_call,
    signatures_by_structure,
)
from carnot.applications.workflow import (
    TRANSITIONS,
    Guard,
    Status,
    find_transition,
    transitions_from,
)
from carnot.common.downloads import CSV, XLSX, attachment
from carnot.common.errors import ServiceError
from carnot.common.requests import is_htmx, signed_in_user
from carnot.common.sheets import SheetError, SpreadsheetRejected
from carnot.registry.models import Call, Unit

CHANGED_EVENT = "carnot-changed"


# --- Helpers -----------------------------------------------------------------------------------



def _visible(request: HttpRequest, year: int, code: str) -> Application:
    return visible_application_or_404(request.user, year, code)


def _editable(request: HttpRequest, year: int, code: str) -> Application:
    return editable_application_or_403(request.user, year, code)


def _declaration(application: Application, rnsr: str) -> ApplicationUnit:
    return get_object_or_404(
        ApplicationUnit.objects.select_related("application__call", "unit", "scientific_lead",
                                               "managing_tutelle", "shared_with"),
        application=application, unit__rnsr=rnsr)



def _detail_url(application: Application) -> str:
    return reverse("applications:detail", kwargs={"year": application.call.year,
                                                  "code": application.code})


def _panel_context(application: Application, panel: list[PanelLine]) -> dict[str, Any]:
    failures = blocking_failures(panel)
    return {"application": application, "panel": panel, "failures": failures,
            "failed_rules": [line.rule for line in panel if line.status == "failed"],
            "panel_url": reverse("applications:panel", kwargs={
                "year": application.call.year, "code": application.code})}


def _workspace_context(request: HttpRequest, application: Application, *,
                       unit_form: UnitDeclareForm | None = None,
                       signature_form: SignatureForm | None = None,
                       notice: str = "") -> dict[str, Any]:
    """Everything the detail page shows but the panel: figures, units, signatures, workflow,
    history; and the forms the user may use."""
    user = request.user
    declarations = list(declarations_of(application=application))
    editable = can_edit(user, application)
    signatories = services.required_signatories(application)
    signatures = signatures_by_structure(application=application)
    transitions = [
        {"transition": transition, "needs_reason": Guard.REASON_GIVEN in transition.guards}
        for transition in transitions_from(Status(application.status))
        if can_take(user, transition, application)
    ]
    if editable:
        unit_form = unit_form or UnitDeclareForm(call=application.call, auto_id="unit_%s")
        if signatories:
            signature_form = signature_form or SignatureForm(
                signatories=signatories, auto_id="signature_%s",
                initial={"structure": next((s for s in signatories if s.pk not in signatures),
                                           None)})
    return {
        "application": application,
        "declarations": [
            (declaration, editable or can_edit_declaration(user, declaration))
            for declaration in declarations],
        "figures": application_figures(application=application, declarations=declarations),
        "signatories": [(structure, signatures.get(structure.pk)) for structure in signatories],
        "missing_signatures": sum(1 for s in signatories if s.pk not in signatures),
        "signed_count": sum(1 for s in signatories if s.pk in signatures),
        "transitions": transitions,
        "history": application_history(application=application),
        "editable": editable,
        "unit_form": unit_form if editable else None,
        "signature_form": signature_form if editable else None,
        "notice": notice,
        "detail_url": _detail_url(application),
    }


def _render_detail(request: HttpRequest, application: Application,
                   **forms: Any) -> HttpResponse:
    context = _workspace_context(request, application, **forms)
    context.update(_panel_context(application, panel_for(application=application)))
    context["title"] = application.name
    context.update(application_links(application))
    return render(request, "applications/detail.html", context)


def _after_change(request: HttpRequest, application: Application, notice: str) -> HttpResponse:
    """A change succeeded: the refreshed workspace for htmx (the panel reloads on the event it
    triggers; the messages at the top of the page, about an earlier step, are emptied), else
    back to the detail page."""
    if is_htmx(request):
        response = render(request, "applications/_workspace_swap.html",
                          _workspace_context(request, application, notice=notice))
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    messages.success(request, notice)
    return redirect(_detail_url(application))


def _workspace_with_errors(request: HttpRequest, application: Application,
                           **forms: Any) -> HttpResponse:
    return render(request, "applications/_workspace_swap.html",
                  _workspace_context(request, application, **forms))


# --- Lists and creation ------------------------------------------------------------------------

@require_GET
@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """Signed-in users: the applications their role lets them see (a coordinator its own, a unit
    lead those declaring one of its units, officers and the association all)."""
    return render(request, "applications/list.html", {
        "applications": application_list_for(user=request.user), "title": "Candidatures",
        "can_create": can_create_application(request.user)})


@require_http_methods(["GET", "POST"])
@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    """Coordinators (and administrators): a new application, of which they become the owner."""
    if not can_create_application(request.user):
        raise PermissionDenied
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_create(
                call=data["call"], by=signed_in_user(request), code=data["code"], name=data["name"],
                kind=data["kind"], coordinator=data["coordinator"], puis=form.puis(),
                theme=data["theme"], theme_justification=data["theme_justification"],
                alignments=form.alignments())
        except ServiceError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Candidature « {application.name} » créée. Ajoutez ses "
                                      "unités et recueillez les signatures de leurs tutelles.")
            return redirect(_detail_url(application))
    return render(request, "applications/application_form.html",
                  {"form": form, "title": "Nouvelle candidature", "application": None})


@require_http_methods(["GET", "POST"])
@login_required
def application_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Its coordinators (and administrators), while it is a draft: name, kind, PUI, theme."""
    application = _editable(request, year, code)
    form = ApplicationForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_update(
                application=application, by=signed_in_user(request), puis=form.puis(),
                alignments=form.alignments(), name=data["name"], kind=data["kind"],
                coordinator=data["coordinator"], theme=data["theme"],
                theme_justification=data["theme_justification"])
        except ServiceError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Candidature mise à jour.")
            return redirect(_detail_url(application))
    return render(request, "applications/application_form.html",
                  {"form": form, "application": application,
                   "title": f"Modifier — {application.name}"})


# --- Detail, panel -----------------------------------------------------------------------------

@require_GET
@login_required
def application_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application (its coordinators, its units' leads, officers, the
    association, administrators): figures, units, signatures, panel, workflow, history."""
    return _render_detail(request, _visible(request, year, code))


@require_GET
@login_required
def application_panel(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application: only its admissibility panel (htmx fragment)."""
    application = _visible(request, year, code)
    return render(request, "applications/_panel.html",
                  _panel_context(application, panel_for(application=application)))


# --- Units -------------------------------------------------------------------------------------

@require_GET
@login_required
def unit_lookup(request: HttpRequest) -> HttpResponse:
    """Signed-in users: a unit of the national directory (RNSR) by its number (htmx fragment
    under the RNSR field; the directory is public)."""
    rnsr = request.GET.get("rnsr", "").strip().upper()
    unit = (Unit.objects.select_related("managing_tutelle").prefetch_related("tutelles")
            .filter(rnsr=rnsr).first()) if rnsr else None
    return render(request, "applications/_unit_lookup.html", {"rnsr": rnsr, "unit": unit})


@require_http_methods(["GET", "POST"])
@login_required
def unit_add(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Its coordinators (and administrators), while it is a draft: declare a unit by RNSR."""
    application = _editable(request, year, code)
    form = UnitDeclareForm(request.POST or None, call=application.call, auto_id="unit_%s")
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                declaration = services.unit_declare(
                    application=application, by=signed_in_user(request), rnsr=data["rnsr"],
                    scientific_lead=data["scientific_lead"],
                    managing_tutelle=data["managing_tutelle"], tutelles=data["tutelles"],
                    permanent_researchers_fte=data["permanent_researchers_fte"],
                    research_engineers_fte=data["research_engineers_fte"],
                    research_engineers_do_research=data["research_engineers_do_research"],
                    shared_with=data["shared_with"], partial=data["partial"])
            except ServiceError as error:
                show_refusal(form, error)
            else:
                return _after_change(request, application,
                                     f"Unité {declaration.unit.rnsr} ajoutée.")
        if is_htmx(request):
            return _workspace_with_errors(request, application, unit_form=form)
    return render(request, "applications/unit_form.html",
                  {"form": form, "application": application, "declaration": None,
                   "title": f"Ajouter une unité — {application.name}"})


@require_http_methods(["GET", "POST"])
@login_required
def unit_edit(request: HttpRequest, year: int, code: str, rnsr: str) -> HttpResponse:
    """Its coordinators, administrators, and the lead of this unit, while it is a draft: the
    unit's line (scientific lead, tutelles, FTE, sharing, teams of an incomplete unit)."""
    application = _visible(request, year, code)
    declaration = _declaration(application, rnsr)
    if not can_edit_declaration(request.user, declaration):
        raise PermissionDenied
    form = UnitEditForm(request.POST or None, call=application.call, unit=declaration.unit,
                        initial=UnitEditForm.initial_from(declaration))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        tutelles = data.pop("tutelles")
        data["teams"] = data.pop("teams", None)
        if data["managing_tutelle"] is None:
            del data["managing_tutelle"]
        try:
            services.unit_update(declaration=declaration, by=signed_in_user(request),
                                 tutelles=tutelles, **data)
        except ServiceError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Unité {rnsr} mise à jour.")
            return redirect(_detail_url(application))
    return render(request, "applications/unit_form.html",
                  {"form": form, "application": application, "declaration": declaration,
                   "title": f"Unité {rnsr} — {application.name}"})


@require_POST
@login_required
def unit_remove(request: HttpRequest, year: int, code: str, rnsr: str) -> HttpResponse:
    """Its coordinators (and administrators), while it is a draft: withdraw a unit."""
    application = _editable(request, year, code)
    declaration = _declaration(application, rnsr)
    try:
        services.unit_remove(declaration=declaration, by=signed_in_user(request))
    except ServiceError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(application))
    return _after_change(request, application, f"Unité {rnsr} retirée de la candidature.")


# --- Commitment document -----------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
def signature_record(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Its coordinators (and administrators), while it is a draft: record a tutelle's signature
    of the commitment document, with the signed PDF (FAQ-2.18)."""
    application = _editable(request, year, code)
    signatories = services.required_signatories(application)
    preselected = next((s for s in signatories if s.code == request.GET.get("tutelle")), None)
    form = SignatureForm(request.POST or None, request.FILES or None, signatories=signatories,
                         auto_id="signature_%s", initial={"structure": preselected})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                signature = services.signature_record(
                    application=application, by=signed_in_user(request),
                    structure=data["structure"],
                    signatory=data["signatory"], empowerment=data["empowerment"],
                    empowered=data["empowered"], signed_on=data["signed_on"],
                    document=data["document"] or None)
            except ServiceError as error:
                show_refusal(form, error)
            else:
                return _after_change(request, application,
                                     f"Signature de {signature.structure.name} enregistrée.")
        if is_htmx(request):
            return _workspace_with_errors(request, application, signature_form=form)
    return render(request, "applications/signature_form.html",
                  {"form": form, "application": application,
                   "title": f"Signature du document d'engagement — {application.name}"})


@require_GET
@login_required
def signature_document(request: HttpRequest, year: int, code: str,
                       structure_code: str) -> FileResponse:
    """Whoever may see the application: a tutelle's signed commitment document (PDF)."""
    application = _visible(request, year, code)
    signature = get_object_or_404(Signature.objects.select_related("structure"),
                                  application=application, structure__code=structure_code)
    if not signature.document:
        raise Http404
    return FileResponse(signature.document.open("rb"), as_attachment=True,
                        content_type="application/pdf",
                        filename=f"engagement-{application.code}-{structure_code}.pdf")


# --- Workflow ----------------------------------------------------------------------------------

@require_POST
@login_required
def transition(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever the workflow table lets take the transition (coordinators submit or withdraw
    their own; officers decide; administrators both). A refused transition (deadline passed,
    failing rules, missing reason) comes back as an alert on the detail page."""
    application = _visible(request, year, code)
    user = request.user
    form = TransitionForm(request.POST)
    target = Status(form.cleaned_data["target"]) if form.is_valid() else None
    step = find_transition(Status(application.status), target) if target else None
    if step is not None and not can_take(user, step, application):
        raise PermissionDenied
    if step is None and not any(can_take(user, t, application) for t in TRANSITIONS):
        raise PermissionDenied
    if target is None:
        messages.error(request, "Action refusée : action inconnue.")
        return redirect(_detail_url(application))
    try:
        services.application_transition(application=application, target=target,
                                        by=signed_in_user(request),
                                        reason=form.cleaned_data["reason"])
    except ServiceError as error:
        messages.error(request, f"Action refusée : {' '.join(error.messages)}")
    else:
        application.refresh_from_db(fields=["status"])
        messages.success(request, f"Statut de la candidature : "
                                  f"{application.get_status_display()}.")
    return redirect(_detail_url(application))


# --- Spreadsheet -------------------------------------------------------------------------------

@require_GET
@login_required
def application_export(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Whoever may see the application: its « document de dépôt » (.xlsx)."""
    application = _visible(request, year, code)
    return attachment(spreadsheet_export.export_application(application), XLSX,
                      spreadsheet_export.export_filename(application))


@require_http_methods(["GET", "POST"])
@login_required
def application_import(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Its coordinators (and administrators), while it is a draft: replace the application's
    data by a « document de dépôt »; a file with one bad cell is refused whole, every error
    listed (sheet, row, column, message)."""
    application = _editable(request, year, code)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[SheetError] = []
    if request.method == "POST" and form.is_valid():
        try:
            report = spreadsheet.import_application(
                application=application, content=form.cleaned_data["file"].read(),
                by=signed_in_user(request))
        except SpreadsheetRejected as rejected:
            errors = rejected.errors
        except ServiceError as error:
            show_refusal(form, error)
        else:
            messages.success(request, report.message())
            return redirect(_detail_url(application))
    return render(request, "applications/import.html",
                  {"form": form, "application": application, "errors": errors,
                   "title": f"Importer le document de dépôt — {application.name}"})


# --- National view -----------------------------------------------------------------------------

def _national(request: HttpRequest) -> dict[str, Any]:
    """The national table and cross-checks of the chosen call (GET filters), computed from one
    ``panels_for_call``: the number of queries does not depend on the number of applications."""
    if not can_see_national_view(request.user):
        raise PermissionDenied
    filters = NationalFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    call: Call | None = chosen.get("appel") or latest_call()
    if call is None:
        return {"filters": filters, "call": None, "rows": [], "cross_checks": [],
                "calls": calls_by_year()}
    panels = panels_for_call(call=call)
    rows = national_rows(call=call, panels=panels, kind=chosen.get("type", ""),
                         status=chosen.get("statut", ""),
                         only_failures=bool(chosen.get("echecs")))
    return {"filters": filters, "call": call, "rows": rows,
            "cross_checks": national_cross_checks(panels=panels),
            "total": len(panels), "query": request.GET.urlencode()}


NATIONAL_ROWS_PER_PAGE = 50


@require_GET
@login_required
def national_view(request: HttpRequest) -> HttpResponse:
    """Programme officers, administrators, association staff: every application of a call
    (the latest unless chosen) with its status and panel, filters, and the national
    cross-checks on shared units."""
    context = _national(request)
    page = Paginator(context["rows"], NATIONAL_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context.update(title="Vue nationale", page=page, page_query=filters.urlencode(),
                   faq_url=reverse("faq"))
    return render(request, "applications/national.html", context)


@require_GET
@login_required
def national_csv(request: HttpRequest) -> HttpResponse:
    """Programme officers, administrators, association staff: the national table (with the
    page's filters) as CSV (UTF-8, « ; »)."""
    context = _national(request)
    call = context["call"]
    return attachment(exports.national_csv(call, context["rows"]), CSV,
                      f"candidatures-{call.year if call else 'aucun-appel'}.csv")


@require_GET
@login_required
def cross_checks_csv(request: HttpRequest) -> HttpResponse:
    """Programme officers, administrators, association staff: the national cross-checks on
    units as CSV (UTF-8, « ; »)."""
    context = _national(request)
    call = context["call"]
    return attachment(exports.cross_checks_csv(context["cross_checks"]), CSV,
                      f"controles-croises-{call.year if call else 'aucun-appel'}.csv")


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Anyone signed in: officers land on the national view, others on their applications."""
    if can_see_national_view(request.user):
        return redirect("applications:national")
    return redirect("applications:list")
