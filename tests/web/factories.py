"""Small builders of test data for the platform's tests (pages and API).

Each function creates one object and returns it; nothing is shared between calls. Applications
are created through ``services.application_create`` so that they look like real ones (owner,
history).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from functools import cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils import timezone

from carnot.accounts.models import Profile, Role
from carnot.applications.models import Application
from carnot.applications.services import application_create
from carnot.registry.models import Call, Pui, Structure, Unit

PASSWORD = "mot-de-passe-de-test-2026"
"""The password of every user made by ``make_user``."""


def make_call(year: int = 2026, *, deadline_in_days: int = 60) -> Call:
    """An open call whose deadline is ``deadline_in_days`` from now (negative: passed)."""
    return Call.objects.create(year=year,
                               deadline=timezone.now() + timedelta(days=deadline_in_days))


def make_structure(code: str, kind: str = "university", *, name: str = "") -> Structure:
    return Structure.objects.create(code=code, name=name or code.replace("-", " ").title(),
                                    kind=kind)


def make_pui(code: str, founders: Iterable[Structure], *, name: str = "") -> Pui:
    pui = Pui.objects.create(code=code, name=name or f"PUI {code}")
    pui.founders.set(founders)
    return pui


def make_unit(rnsr: str, tutelles: Iterable[Structure], *, name: str = "",
              leads: Iterable[User] = ()) -> Unit:
    """A unit of the directory; its managing tutelle is the first tutelle."""
    tutelles = list(tutelles)
    unit = Unit.objects.create(rnsr=rnsr, name=name or f"Unité {rnsr}",
                               managing_tutelle=tutelles[0])
    unit.tutelles.set(tutelles)
    unit.leads.set(leads)
    return unit


@cache
def _password_hash() -> str:
    return make_password(PASSWORD)


def make_user(role: Role | str, username: str) -> User:
    """A user with a profile of that role (password: ``PASSWORD``, hashed once per run)."""
    user = User.objects.create(username=username, password=_password_hash())
    Profile.objects.create(user=user, role=Role(role))
    return user


def make_application(call: Call, owner: User, code: str, kind: str, coordinator: Structure,
                     puis: Iterable[Pui] = ()) -> Application:
    """A draft application created by ``owner`` (its coordinator account)."""
    return application_create(call=call, by=owner, code=code, name=f"Consortium {code}",
                              kind=kind, coordinator=coordinator, puis=puis)
