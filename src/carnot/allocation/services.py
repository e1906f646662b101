"""Writes of the yearly allocation: a run (its inputs' fingerprint, parameters, results), its
publication, and the grants a published run opens."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING, Any

import orjson
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from carnot.accounts.permissions import is_officer
from carnot.allocation.inputs import allocation_inputs
from carnot.allocation.models import AllocationLine, AllocationRun, AllocationStatus, Grant
from carnot.allocation.notifications import notify_run_published
from carnot.allocation.selectors import line_figures, spent_by_grant
from carnot.applications.models import Application
from carnot.audit.models import EventKind
from carnot.audit.services import audit_record
from carnot.common.errors import ServiceError
from carnot.registry.models import Call
from carnot.rules import domain
from carnot.rules.evaluation import evaluate_call, evaluation_as_dict
from carnot.rules.money import Cents, format_euros
from carnot.rules.parameters import CallParameters, ParameterError, load_call_parameters
from carnot.scenario.loader import paused_gc

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- The yearly allocation -------------------------------------------------------------------

ENVELOPE = "envelope"


def canonical(value: Any) -> Any:
    """A rules-domain value as plain JSON data, the same for the same value whatever the order
    it was read in: dataclasses and named tuples as objects, sets sorted, mapping keys as text,
    decimals, dates and enums as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: canonical(getattr(value, field.name))
                for field in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: canonical(getattr(value, name)) for name in value._fields}
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((canonical(item) for item in value), key=_dumps)
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _fingerprinted(value: Any) -> Any:
    """What ``orjson`` does not write itself: named tuples (contracts) as arrays, sets sorted,
    any other mapping as an object, decimals and fractions as text."""
    if isinstance(value, tuple):
        return tuple(value)
    if isinstance(value, frozenset | set):
        return sorted(value, key=_dumps)
    if hasattr(value, "items"):
        return dict(value.items())
    return str(value)


def inputs_fingerprint(call: domain.NationalCall, params: CallParameters) -> str:
    """SHA-256 of every input of an allocation: the national call (applications, units, FTE,
    signatures, structures, PUIs), its contracts and the parameters used (values and sources),
    as canonical JSON (keys sorted, sets sorted).

    Written by ``orjson`` in one pass: a national call holds hundreds of thousands of contracts,
    and converting them to plain data first cost more than the whole evaluation."""
    document = orjson.dumps({"call": call, "parameters": params.describe()},
                            default=_fingerprinted,
                            option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS)
    return hashlib.sha256(document).hexdigest()


def _cents_as_euros(cents: Cents) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _override_errors(call: Call, overrides: dict[str, Any]) -> dict[str, str]:
    """Each of a run's overrides tried alone on the call's parameters: why it is refused (the
    rules' message, and the source of the value it replaces), by parameter name."""
    errors: dict[str, str] = {}
    try:
        base = load_call_parameters(call.year)
    except ParameterError as exc:
        raise ServiceError(f"Paramètres inutilisables : {exc}") from exc
    for name, value in overrides.items():
        try:
            base.with_overrides({**call.parameter_overrides, name: value})
        except (ParameterError, KeyError) as exc:
            source = base.entry(name).source if name in base.names() else None
            shown = "hypothèse" if source == "assumption" else source
            errors[name] = (f"Paramètres inutilisables : {exc}"
                            + (f" (source : {shown})." if shown else "."))
    return errors


def allocation_parameters(*, call: Call, envelope_cents: Cents | None = None,
                          overrides: dict[str, Any] | None = None) -> CallParameters:
    """The call's dated parameters with the call's overrides, then the run's (``overrides``, and
    the envelope when given and different from the parameter's: an envelope equal to it is no
    override, so that the same inputs give the same fingerprint). Each overridden value keeps
    the source it replaces in its trace.
    Raises ``ServiceError`` for an unknown parameter or a value the rules cannot use (each
    override is first checked on its own: the refusals are keyed by parameter name)."""
    if envelope_cents is not None and envelope_cents < 0:
        raise ServiceError({"envelope_cents": "L'enveloppe ne peut pas être négative."})
    errors = _override_errors(call, overrides or {})
    if errors:
        raise ServiceError(errors)
    merged: dict[str, Any] = {**call.parameter_overrides, **(overrides or {})}
    try:
        params = load_call_parameters(call.year)
        params = params.with_overrides(merged) if merged else params
        if envelope_cents is not None and envelope_cents != params.envelope_cents():
            params = load_call_parameters(call.year).with_overrides(
                {**merged, ENVELOPE: _cents_as_euros(envelope_cents)})
        params.envelope_cents()
    except (ParameterError, KeyError) as exc:
        raise ServiceError(f"Paramètres inutilisables : {exc}") from exc
    return params


def _plain(document: Any) -> Any:
    """JSON data as the database gives it back (so that a stored run compares equal)."""
    return orjson.loads(orjson.dumps(document, default=str, option=orjson.OPT_NON_STR_KEYS))


def allocation_run(*, call: Call, envelope_cents: Cents | None, overrides: dict[str, Any] | None,
                   by: User) -> AllocationRun:
    """Run the allocation of ``call`` (programme officers and administrators only).

    Reads the national call and its contracts, applies the call's parameters with ``overrides``
    and the envelope (``None``: the parameter's), evaluates, and stores in one transaction the
    run (next number for the call, parameters used, inputs fingerprint, results with traces —
    without the per-contract list, whose counts by rule stay in the traces) and one line per
    consortium. The same inputs give the same cents and the same fingerprint. A run is never
    changed afterwards: run again instead, and compare.
    """
    if not is_officer(by):
        raise ServiceError("Seuls les chargés de programme et les administrateurs lancent la "
                           "répartition de l'abondement.")
    params = allocation_parameters(call=call, envelope_cents=envelope_cents, overrides=overrides)
    # The cyclic GC paused as the CLI pauses it (``paused_gc``): the call and its contracts are
    # hundreds of thousands of objects without cycles, which its passes would walk again and
    # again while they are built (half the time of a national run).
    with transaction.atomic(), paused_gc():
        Call.objects.select_for_update().filter(pk=call.pk).first()
        national = allocation_inputs(call=call)
        evaluation = evaluate_call(national, params)
        results = evaluation_as_dict(evaluation, with_contracts=False)
        latest = AllocationRun.objects.filter(call=call).aggregate(latest=Max("number"))
        run = AllocationRun.objects.create(
            call=call, number=(latest["latest"] or 0) + 1,
            envelope_cents=evaluation.envelope_cents,
            parameters=_plain(params.describe()),
            inputs_fingerprint=inputs_fingerprint(national, params),
            results=_plain(results), allocated_cents=evaluation.allocated_cents,
            created_by=by)
        AllocationLine.objects.bulk_create(
            AllocationLine(run=run, application_code=result.id, name=result.application.name,
                           kind=result.application.kind.value, **line_figures(result))
            for result in evaluation.consortia)
        audit_record(acting_user=by, kind=EventKind.ALLOCATION_RUN, target=run,
                     label=f"Répartition n° {run.number} de l'appel {call.year}",
                     call_year=call.year,
                     after={"number": run.number, "envelope_cents": run.envelope_cents,
                            "allocated_cents": run.allocated_cents,
                            "inputs_fingerprint": run.inputs_fingerprint,
                            "overrides": _plain(overrides or {})})
        # Freed while the collector is still paused: resumed, it would walk them all once more.
        del national, evaluation, results
    return run


def allocation_publish(*, run: AllocationRun, by: User, supersede: bool = False,
                       ) -> AllocationRun:
    """Publish a draft run (programme officers and administrators only).

    One run is published per call. When another run of the call is already published, the
    publication is refused unless ``supersede`` is given: the published run then becomes
    « remplacée » (its figures and publication record are kept) and this one is published, in
    one transaction. Only a draft may be published; a superseded run stays superseded.
    """
    if not is_officer(by):
        raise ServiceError("Seuls les chargés de programme et les administrateurs publient la "
                           "répartition de l'abondement.")
    with transaction.atomic():
        current = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if current.status != AllocationStatus.DRAFT:
            raise ServiceError(f"La répartition n° {current.number} est « "
                               f"{current.get_status_display()} » : seul un brouillon se "
                               "publie.")
        published = AllocationRun.objects.select_for_update().filter(
            call_id=current.call_id, status=AllocationStatus.PUBLISHED).first()
        if published is not None:
            if not supersede:
                raise ServiceError(
                    f"La répartition n° {published.number} est déjà publiée pour cet appel ; "
                    "publier celle-ci la remplace (à confirmer explicitement).")
            AllocationRun.objects.filter(pk=published.pk).update(
                status=AllocationStatus.SUPERSEDED)
        AllocationRun.objects.filter(pk=current.pk).update(
            status=AllocationStatus.PUBLISHED, published_at=timezone.now(), published_by=by)
        year = Call.objects.values_list("year", flat=True).get(pk=current.call_id)
        audit_record(acting_user=by, kind=EventKind.ALLOCATION_PUBLISHED, target=current,
                     label=f"Répartition n° {current.number} de l'appel {year}",
                     call_year=year, before={"status": AllocationStatus.DRAFT.value},
                     after={"status": AllocationStatus.PUBLISHED.value,
                            "supersedes": published.number if published else None})
        notify_run_published(run=current)
    run.refresh_from_db()
    return run


# --- Five-year spending (FAQ-4.1) ------------------------------------------------------------

def _grant_record(grant: Grant, by: User, kind: EventKind, run: AllocationRun,
                  before: dict[str, Any] | None) -> None:
    """The grant's event, filed under its consortium (its spending history shows it); a grant
    is of its call's year."""
    audit_record(acting_user=by, kind=kind, target=grant, label=f"Abondement {grant.year}",
                 application_code=grant.application.code, call_year=grant.year,
                 before=before, after={"amount_cents": grant.amount_cents, "run": run.number})


def grants_from_published_run(*, run: AllocationRun, by: User) -> list[Grant]:
    """Turn a published run into each consortium's grant of the call's year (programme officers
    and administrators only); returns the grants of the run's lines, in the run's order.

    Idempotent: a grant already made from this run is left alone. A draft or superseded run is
    refused. When a superseding run is published, its lines replace the grants of the year (and
    a consortium it no longer lists gets 0), each change in the history — unless more was already
    spent on a vintage than its new amount: then nothing changes and the service refuses. A line
    of 0 € makes no grant for a consortium that had none.
    """
    if not is_officer(by):
        raise ServiceError("Seuls les chargés de programme et les administrateurs "
                           "enregistrent les abondements.")
    year = run.call.year
    with transaction.atomic():
        current = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if current.status != AllocationStatus.PUBLISHED:
            raise ServiceError(f"La répartition n° {current.number} est « "
                               f"{current.get_status_display()} » : seule la répartition "
                               "publiée donne les abondements.")
        lines = list(current.lines.order_by("application_code"))
        applications = {application.code: application for application in
                        Application.objects.filter(call_id=current.call_id,
                                                   code__in=[line.application_code
                                                             for line in lines])}
        missing = sorted({line.application_code for line in lines} - set(applications))
        if missing:
            raise ServiceError(f"Candidatures introuvables pour l'appel {year} : "
                               f"{', '.join(missing)}.")
        existing = {grant.application_id: grant for grant in
                    Grant.objects.select_for_update(of=("self",)).select_related("application")
                    .filter(application__call_id=current.call_id, year=year)}
        spent = spent_by_grant(grant.pk for grant in existing.values())
        wanted: list[tuple[Application, AllocationLine | None, Cents]] = [
            (applications[line.application_code], line, line.allocation_cents)
            for line in lines]
        listed = {application.pk for application in applications.values()}
        wanted += [(grant.application, None, 0) for pk, grant in existing.items()
                   if pk not in listed]
        overspent = [(application, existing[application.pk], amount)
                     for application, _, amount in wanted
                     if application.pk in existing
                     and spent.get(existing[application.pk].pk, 0) > amount]
        if overspent:
            raise ServiceError(" ; ".join(
                f"{application.code} : {format_euros(spent[grant.pk])} déjà dépensés sur "
                f"l'abondement {year}, plus que les {format_euros(amount)} de la répartition "
                f"n° {current.number}" for application, grant, amount in overspent)
                + " — abondements inchangés.")
        grants = []
        for application, line, amount in wanted:
            grant = existing.get(application.pk)
            if grant is None:
                if amount == 0:
                    continue
                grant = Grant.objects.create(application=application, year=year,
                                             amount_cents=amount, source=line)
                _grant_record(grant, by, EventKind.GRANT_OPENED, current, None)
            elif grant.source_id != (line.pk if line else None) or grant.amount_cents != amount:
                old = grant.amount_cents
                grant.amount_cents, grant.source = amount, line
                grant.save(update_fields=["amount_cents", "source", "updated_at"])
                _grant_record(grant, by, EventKind.GRANT_CHANGED, current,
                              {"amount_cents": old})
            if line is not None:
                grants.append(grant)
    return grants


def allocation_publish_and_grant(*, run: AllocationRun, by: User, supersede: bool = False,
                                 ) -> tuple[AllocationRun, list[Grant]]:
    """Publish a draft run and turn it into the consortia's grants of the year, in one
    transaction (programme officers and administrators only): either both happen or neither.

    Superseding a published run needs ``supersede`` (see ``allocation_publish``); when money
    already spent on a vintage exceeds its new amount, ``grants_from_published_run`` refuses
    and the run stays a draft. Returns the published run and the grants of its lines."""
    try:
        with transaction.atomic():
            published = allocation_publish(run=run, by=by, supersede=supersede)
            grants = grants_from_published_run(run=published, by=by)
    except ServiceError:
        run.refresh_from_db()  # the publication was rolled back with the grants
        raise
    return published, grants

