"""Writes on applications: each function checks its invariants, records one audit event, and
either does everything or nothing (one transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from carnot.applications.models import (
    Alignment,
    Application,
    ApplicationUnit,
    Signature,
)
from carnot.applications.notifications import notify_transition
from carnot.applications.permissions import can_take
from carnot.applications.selectors import TransitionEntry, blocking_failures, panel_for
from carnot.applications.workflow import (
    EDITABLE,
    TRANSITION_EVENTS,
    Guard,
    Status,
    find_transition,
)
from carnot.audit.models import AuditEvent, EventKind
from carnot.audit.services import audit_record
from carnot.common.errors import ServiceError
from carnot.registry.models import Call, CallStatus, Person, Pui, Structure, Team, Unit
from carnot.registry.validators import validate_rnsr
from carnot.rules.verdicts import Verdict

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PDF_MAGIC = b"%PDF-"


def _require_editable(application: Application) -> None:
    if application.status not in EDITABLE:
        raise ServiceError(f"La candidature est « {application.get_status_display()} » : "
                           "elle n'est plus modifiable.")


def _audit(application: Application, by: User, kind: EventKind, target: Any, *,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           reason: str = "", label: str = "") -> AuditEvent:
    """Record the change in the audit log, filed under the application, and mark the
    application changed (panels are cached on the call's revision, see
    selectors.call_revision)."""
    event = audit_record(acting_user=by, kind=kind, target=target, before=before, after=after,
                         reason=reason, label=label, application_code=application.code,
                         call_year=application.call.year)
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return event


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class _Changes:
    """The fields a service changes, old and new, as text (as the history shows them)."""

    def __init__(self) -> None:
        self.before: dict[str, str] = {}
        self.after: dict[str, str] = {}

    def note(self, field: str, old: Any, new: Any) -> None:
        if old != new and _text(old) != _text(new):
            self.before[field], self.after[field] = _text(old), _text(new)

    def record(self, application: Application, by: User, kind: EventKind, target: Any,
               label: str = "") -> None:
        """One event for all the fields changed, none when nothing did."""
        if self.after:
            _audit(application, by, kind, target, before=self.before, after=self.after,
                   label=label)


@transaction.atomic
def application_create(*, call: Call, by: User, code: str, name: str, kind: str,
                       coordinator: Structure, puis: Iterable[Pui] = (), theme: str = "",
                       theme_justification: str = "",
                       alignments: Iterable[tuple[str, str]] = ()) -> Application:
    if call.status != CallStatus.OPEN:
        raise ServiceError({"call": f"L'appel {call.year} n'est pas ouvert aux candidatures."})
    if Application.objects.filter(call=call, code=code).exists():
        raise ServiceError({"code": f"L'identifiant « {code} » est déjà pris pour cet appel."})
    application = Application.objects.create(
        call=call, code=code, name=name, kind=kind, coordinator=coordinator, theme=theme,
        theme_justification=theme_justification)
    application.puis.set(puis)
    application.owners.add(by)
    Alignment.objects.bulk_create(Alignment(application=application, kind=k, name=n)
                                  for k, n in alignments)
    _audit(application, by, EventKind.APPLICATION_CREATED, application,
           after={"code": code, "name": name, "kind": kind, "coordinator": coordinator.code})
    return application


APPLICATION_FIELDS = ("name", "kind", "coordinator", "theme", "theme_justification",
                      "reference_fte")


@transaction.atomic
def application_update(*, application: Application, by: User,
                       puis: Iterable[Pui] | None = None,
                       alignments: Iterable[tuple[str, str]] | None = None,
                       **fields: Any) -> Application:
    _require_editable(application)
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise ServiceError(f"Champs non modifiables : {', '.join(sorted(unknown))}")
    changes = _Changes()
    for field, value in fields.items():
        changes.note(field, getattr(application, field), value)
        setattr(application, field, value)
    application.full_clean()
    application.save()
    if puis is not None:
        old = sorted(p.code for p in application.puis.all())
        new_puis = list(puis)
        changes.note("puis", ", ".join(old), ", ".join(sorted(p.code for p in new_puis)))
        application.puis.set(new_puis)
    if alignments is not None:
        old_alignments = sorted(f"{a.kind} {a.name}" for a in application.alignments.all())
        wanted = list(alignments)
        changes.note("alignements", "; ".join(old_alignments),
                     "; ".join(sorted(f"{k} {n}" for k, n in wanted)))
        application.alignments.all().delete()
        Alignment.objects.bulk_create(Alignment(application=application, kind=k, name=n)
                                      for k, n in wanted)
    changes.record(application, by, EventKind.APPLICATION_CHANGED, application)
    return application


def person_named(full_name: str, structure: Structure | None = None) -> Person:
    """The person of that name (created when first named)."""
    person, _ = Person.objects.get_or_create(full_name=full_name.strip(),
                                             defaults={"structure": structure})
    return person


@transaction.atomic
def shared_with_in_call(call: Call, code: str | None) -> Application | None:
    """The other application a shared unit is declared with (FAQ-2.17), by its code in the same
    call; None for no code."""
    if not code:
        return None
    other = Application.objects.filter(call=call, code=code).first()
    if other is None:
        raise ServiceError({"shared_with": f"Aucune candidature « {code} » dans l'appel "
                                           f"{call.year} (partage d'unité, FAQ-2.17)."})
    return other


@transaction.atomic
def unit_declare(*, application: Application, by: User, rnsr: str,
                 scientific_lead: str = "", managing_tutelle: Structure | None = None,
                 tutelles: Iterable[Structure] = (),
                 permanent_researchers_fte: Decimal | None = None,
                 research_engineers_fte: Decimal = Decimal(0),
                 research_engineers_do_research: bool = False,
                 shared_with: Application | None = None, partial: bool = False) -> ApplicationUnit:
    """Declare a unit of the directory in the application (FAQ-2.17, 2.18), for the page, the
    API and the spreadsheet alike: the RNSR typed in any case; the managing tutelle and the
    tutelles, when not given, are the directory's (a coordinator corrects them when the unit's
    declaration differs)."""
    _require_editable(application)
    rnsr = rnsr.strip().upper()
    try:
        validate_rnsr(rnsr)
    except ValidationError as malformed:
        raise ServiceError({"rnsr": malformed.messages}) from malformed
    unit = Unit.objects.filter(rnsr=rnsr).first()
    if unit is None:
        raise ServiceError({"rnsr": f"Unité inconnue du répertoire national : « {rnsr} ». "
                                    "Vérifiez le numéro RNSR (FAQ-2.18)."})
    if application.units.filter(unit=unit).exists():
        raise ServiceError({"rnsr": f"L'unité {rnsr} est déjà déclarée dans cette candidature ; "
                                    "chaque unité est déclarée une seule fois (FAQ-2.18)."})
    tutelles = list(tutelles) or list(unit.tutelles.all())
    managing_tutelle = managing_tutelle or unit.managing_tutelle
    declaration = ApplicationUnit(
        application=application, unit=unit,
        scientific_lead=person_named(scientific_lead) if scientific_lead.strip() else None,
        managing_tutelle=managing_tutelle, permanent_researchers_fte=permanent_researchers_fte,
        research_engineers_fte=research_engineers_fte,
        research_engineers_do_research=research_engineers_do_research,
        shared_with=shared_with, partial=partial)
    declaration.full_clean(exclude=["tutelles", "teams"])
    declaration.save()
    wanted = list(tutelles)
    declaration.tutelles.set(wanted)
    _audit(application, by, EventKind.UNIT_DECLARED, declaration, label=f"unité {rnsr}",
           after={"rnsr": rnsr, "managing_tutelle": managing_tutelle.code,
                  "tutelles": sorted(t.code for t in wanted),
                  "permanent_researchers_fte": _text(permanent_researchers_fte)})
    return declaration


DECLARATION_FIELDS = ("scientific_lead", "managing_tutelle", "permanent_researchers_fte",
                      "research_engineers_fte", "research_engineers_do_research", "shared_with",
                      "partial")


@transaction.atomic
def unit_update(*, declaration: ApplicationUnit, by: User,
                tutelles: Iterable[Structure] | None = None,
                teams: Iterable[Team] | None = None, **fields: Any) -> ApplicationUnit:
    application = declaration.application
    _require_editable(application)
    unknown = set(fields) - set(DECLARATION_FIELDS)
    if unknown:
        raise ServiceError(f"Champs non modifiables : {', '.join(sorted(unknown))}")
    subject = f"unité {declaration.unit.rnsr}"
    if "scientific_lead" in fields and isinstance(fields["scientific_lead"], str):
        name = fields["scientific_lead"]
        fields["scientific_lead"] = person_named(name) if name.strip() else None
    changes = _Changes()
    for field, value in fields.items():
        changes.note(field, getattr(declaration, field), value)
        setattr(declaration, field, value)
    declaration.full_clean(exclude=["tutelles", "teams"])
    declaration.save()
    if tutelles is not None:
        wanted = list(tutelles)
        changes.note("tutelles", ", ".join(sorted(t.code for t in declaration.tutelles.all())),
                     ", ".join(sorted(t.code for t in wanted)))
        declaration.tutelles.set(wanted)
    if teams is not None:
        _set_teams(declaration, list(teams), changes)
    changes.record(application, by, EventKind.UNIT_CHANGED, declaration, label=subject)
    return declaration


def _set_teams(declaration: ApplicationUnit, teams: list[Team], changes: _Changes) -> None:
    """The HCERES teams of a unit that joins only partly (FAQ-2.25): its own teams, and only
    when the unit is declared incomplete."""
    foreign = [team.name for team in teams if team.unit_id != declaration.unit_id]
    if foreign:
        raise ServiceError({"teams": f"Équipes d'une autre unité : {', '.join(foreign)}."})
    if teams and not declaration.partial:
        raise ServiceError({"teams": "Les équipes ne se déclarent que pour une unité incomplète "
                                     "(FAQ-2.25) ; une unité complète vient avec toutes ses "
                                     "équipes."})
    changes.note("équipes", ", ".join(sorted(team.name for team in declaration.teams.all())),
                 ", ".join(sorted(team.name for team in teams)))
    declaration.teams.set(teams)


@transaction.atomic
def unit_remove(*, declaration: ApplicationUnit, by: User) -> None:
    _require_editable(declaration.application)
    rnsr = declaration.unit.rnsr
    _audit(declaration.application, by, EventKind.UNIT_REMOVED, declaration,
           label=f"unité {rnsr}", before={"rnsr": rnsr})
    declaration.delete()


def required_signatories(application: Application) -> list[Structure]:
    """Every tutelle of every unit must sign the commitment document (FAQ-2.18)."""
    return list(Structure.objects.filter(unit_declarations__application=application)
                .distinct().order_by("name"))


def _check_pdf(document: UploadedFile[bytes], max_bytes: int) -> None:
    if document.size is not None and document.size > max_bytes:
        raise ServiceError({"document": f"Fichier trop volumineux ({document.size} octets ; "
                                        f"maximum {max_bytes})."})
    head = document.read(len(PDF_MAGIC))
    document.seek(0)
    if head != PDF_MAGIC or not (document.name or "").lower().endswith(".pdf"):
        raise ServiceError({"document": "Le document signé doit être un PDF."})


def _empowerment(empowered: bool) -> str:
    return "habilité" if empowered else "non habilité"


@transaction.atomic
def signature_record(*, application: Application, by: User,
                     structure: Structure, signatory: str, empowerment: str = "",
                     empowered: bool = True, signed_on: date | None = None,
                     document: UploadedFile[bytes] | None = None,
                     max_bytes: int | None = None) -> Signature:
    """Record (or replace) a tutelle's signature of the commitment document (FAQ-2.18)."""
    _require_editable(application)
    if structure not in required_signatories(application):
        raise ServiceError({"structure": f"{structure.name} n'est tutelle d'aucune unité de la "
                                         "candidature."})
    if not signatory.strip():
        raise ServiceError({"signatory": "Le nom de la personne habilitée à signer est requis "
                                         "(FAQ-2.18)."})
    if document is not None:
        _check_pdf(document, settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes)
    signature, created = Signature.objects.get_or_create(
        application=application, structure=structure,
        defaults={"signatory": person_named(signatory, structure)})
    old = "" if created else f"{signature.signatory} ({_empowerment(signature.empowered)})"
    signature.signatory = person_named(signatory, structure)
    signature.empowerment = empowerment
    signature.empowered = empowered
    signature.signed_on = signed_on
    if document is not None:
        if signature.document:
            signature.document.delete(save=False)
        signature.document.save(f"{structure.code}.pdf", document, save=False)
    signature.save()
    new = f"{signatory} ({_empowerment(empowered)})"
    if new != old:
        _audit(application, by, EventKind.SIGNATURE_RECORDED, signature,
               label=f"signature {structure.code}",
               before=None if created else {"signatory": old}, after={"signatory": new})
    return signature


@transaction.atomic
def signature_remove(*, signature: Signature, by: User) -> None:
    """Withdraw a tutelle's signature, in the history (the signed PDF stays in storage)."""
    _require_editable(signature.application)
    _audit(signature.application, by, EventKind.SIGNATURE_REMOVED, signature,
           label=f"signature {signature.structure.code}",
           before={"signatory": f"{signature.signatory} ({_empowerment(signature.empowered)})"})
    signature.delete()


FAILURES_LISTED = 5


def _failures_listed(failures: list[Verdict]) -> str:
    """« 2 verdicts bloquants : [FAQ-2.18] … ; [FAQ-2.18] …. » (the first five)."""
    count = len(failures)
    plural = "s" if count > 1 else ""
    listed = " ; ".join(f"[{v.rule}] {v.message.rstrip('.')}" for v in failures[:FAILURES_LISTED])
    more = f" ; et {count - FAILURES_LISTED} autre{'s' if count - FAILURES_LISTED > 1 else ''}" \
        if count > FAILURES_LISTED else ""
    return f"{count} verdict{plural} bloquant{plural} en échec : {listed}{more}."


@transaction.atomic
def application_transition(*, application: Application, target: str, by: User,
                           reason: str = "", now: datetime | None = None) -> TransitionEntry:
    """Move the application along the workflow table, if the role and the guards allow it."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    source = Status(application.status)
    transition = find_transition(source, Status(target))
    if transition is None:
        raise ServiceError(f"Transition impossible : « {source.label} » → "
                           f"« {Status(target).label} ».")
    if not can_take(by, transition, application):
        raise ServiceError(f"« {transition.label} » n'est pas permis à votre rôle.")
    moment = now or timezone.now()
    for guard in transition.guards:
        if guard is Guard.BEFORE_DEADLINE and moment > application.call.deadline:
            raise ServiceError(f"La date limite de dépôt est passée "
                               f"({timezone.localtime(application.call.deadline):%d/%m/%Y %H:%M}).")
        if guard is Guard.PANEL_WITHOUT_FAILURE:
            failures = blocking_failures(panel_for(application=application))
            if failures:
                raise ServiceError(_failures_listed(failures))
        if guard is Guard.REASON_GIVEN and not reason.strip():
            raise ServiceError("Un motif est requis pour cette décision.")
    application.status = transition.target
    application.save(update_fields=["status", "updated_at"])
    event = _audit(application, by, TRANSITION_EVENTS[transition.target], application,
                   before={"status": source.value}, after={"status": transition.target.value},
                   reason=reason)
    notify_transition(application=application, source=source, target=transition.target, by=by,
                      reason=reason)
    return TransitionEntry.of(event)
