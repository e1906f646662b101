"""What an allocation reads: the national call of the platform, as the rules package takes it,
restricted to the applications that may share the envelope (runs and what-if simulations read the
same)."""

from __future__ import annotations

from dataclasses import replace

from carnot.applications.models import Application
from carnot.applications.selectors import national_call, national_contracts
from carnot.applications.workflow import Status
from carnot.registry.models import Call
from carnot.rules.domain import NationalCall

DECIDED_AGAINST = (Status.INADMISSIBLE, Status.REJECTED)
"""Applications the programme officers decided against: no share of the envelope."""


def allocation_inputs(*, call: Call) -> NationalCall:
    """The national call as its allocation reads it: every application of the call but those
    decided against (« irrecevable », « non retenue »), with the contracts of the declared units.

    A unit shared with an application decided against stays whole in the other consortium,
    whose declaration no longer names it as shared: it counts in full for both bases there
    (FAQ-2.22 splits a unit between the consortia that are eligible). One query more than
    ``national_call`` and ``national_contracts``."""
    national = national_call(call=call)
    refused = set(Application.objects.filter(call=call, status__in=DECIDED_AGAINST)
                  .values_list("code", flat=True))
    applications = national.applications
    if refused:
        applications = tuple(
            replace(application, units=tuple(
                replace(unit, shared_with=None) if unit.shared_with in refused else unit
                for unit in application.units))
            for application in applications if application.id not in refused)
    return replace(national, applications=applications, contracts=national_contracts(call=call))
