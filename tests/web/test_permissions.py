"""The route matrix: every URL and API route, every role, the exact status code.

The URL conf is enumerated (``permissions.core.all_routes``); a route without an expectation,
or an expectation naming no route, fails. The format of expectations and the world they are
checked against are described in ``tests/web/permissions/core.py``.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.web.permissions.core import (
    EXCLUDED_PREFIXES,
    METHODS,
    ROLES,
    Expect,
    World,
    all_expectations,
    all_routes,
    any_method_routes,
    build_world,
    statuses,
)

EXPECTATIONS = all_expectations()
ROUTE_KWARGS = {route.name: route.kwargs for route in all_routes()}


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_every_route_has_an_expectation() -> None:
    covered = {expect.route for expect in EXPECTATIONS}
    missing = [f"{route.name}  (/{route.pattern})" for route in all_routes()
               if route.name not in covered]
    assert not missing, ("routes without expectation (add them to tests/web/permissions/"
                         "pages.py or api.py):\n  " + "\n  ".join(missing))


def test_every_expectation_names_a_route() -> None:
    names = {route.name for route in all_routes()}
    stale = sorted({expect.route for expect in EXPECTATIONS} - names)
    assert not stale, f"expectations for routes that do not exist: {stale}"


def test_every_route_is_named() -> None:
    unnamed = [route.pattern for route in all_routes() if route.name.count("<unnamed ")]
    assert not unnamed, f"give these URL patterns a name: {unnamed}"


def test_exclusions_give_a_reason() -> None:
    assert all(reason.strip() for reason in EXCLUDED_PREFIXES.values())
    names = {route.name for route in all_routes()}
    exempt = any_method_routes()
    assert all(reason.strip() for reason in exempt.values())
    assert set(exempt) <= names, f"ANY_METHOD names unknown routes: {set(exempt) - names}"


def test_statuses_name_every_role_once() -> None:
    assert statuses(anonymous=302, default=200) == {
        role: 302 if role == "anonymous" else 200 for role in ROLES}
    with pytest.raises(ValueError, match="no status"):
        statuses(anonymous=302)
    with pytest.raises(ValueError, match="unknown role"):
        statuses(visitor=200, default=403)
    with pytest.raises(ValueError, match="every role"):
        Expect("faq", {"anonymous": 200})
    with pytest.raises(ValueError, match="method"):
        Expect("faq", statuses(default=200), method="TRACE")


def _url(expect: Expect, world: World) -> str:
    pattern_kwargs = ROUTE_KWARGS.get(expect.route, ())
    if expect.kwargs is not None:
        kwargs = dict(expect.kwargs(world))
    else:
        defaults = world.url_kwargs()
        unknown = [name for name in pattern_kwargs if name not in defaults]
        assert not unknown, (f"{expect.label}: no default for URL kwargs {unknown}; "
                             "give the expectation kwargs=lambda w: {...}")
        kwargs = {name: defaults[name] for name in pattern_kwargs}
    return reverse(expect.route, kwargs=kwargs or None)


def _request(client: Client, expect: Expect, world: World, url: str) -> int:
    method = expect.method.lower()
    data = expect.data(world) if expect.data is not None else None
    send = getattr(client, method)
    if expect.json:
        response = send(url, data=data, content_type="application/json")
    elif method in {"get", "post"}:
        response = send(url, data=data or {})
    else:
        response = send(url, data=data or "", content_type="application/x-www-form-urlencoded")
    return int(response.status_code)


def _status_as(role: str, expect: Expect, world: World) -> int:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        status = _request(client, expect, world, _url(expect, world))
        transaction.set_rollback(True)
    return status


@pytest.mark.django_db
@pytest.mark.parametrize("expect", EXPECTATIONS, ids=[e.label for e in EXPECTATIONS])
def test_route(expect: Expect, world: World) -> None:
    got = {role: _status_as(role, expect, world) for role in ROLES}
    wrong = [f"{role:18} expected {expect.expected[role]}, got {got[role]}"
             for role in ROLES if got[role] != expect.expected[role]]
    assert not wrong, f"{expect.label} ({_url(expect, world)}):\n  " + "\n  ".join(wrong)


def _undeclared() -> list[tuple[str, Expect]]:
    """(method, a representative expectation) for every method no expectation declares on a
    URL pattern (several ninja operations share one pattern)."""
    pattern_of = {route.name: route.pattern for route in all_routes()}
    by_pattern: dict[str, list[Expect]] = defaultdict(list)
    exempt = any_method_routes()
    for expect in EXPECTATIONS:
        if expect.route in pattern_of and expect.route not in exempt:
            by_pattern[pattern_of[expect.route]].append(expect)
    found = []
    for _, expects in sorted(by_pattern.items()):
        declared = {expect.method for expect in expects}
        representative = next((e for e in expects if e.method == "GET"), expects[0])
        found += [(method, representative) for method in METHODS if method not in declared]
    return found


UNDECLARED = _undeclared()


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "expect"), UNDECLARED,
                         ids=[f"{e.route} {m}" for m, e in UNDECLARED])
def test_undeclared_methods_are_refused(method: str, expect: Expect, world: World) -> None:
    """A method no expectation declares on a route answers 405, even to the administrator."""
    probe = Expect(expect.route, expect.expected, method=method, kwargs=expect.kwargs)
    status = _status_as("administrator", probe, world)
    assert status == 405, (f"{method} /{_url(probe, world).lstrip('/')} answers {status}: "
                           "declare it in the matrix or refuse the method "
                           "(require_GET, require_http_methods)")
