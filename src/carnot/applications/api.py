"""API of applications (django-ninja), with the permissions of the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from carnot.applications.selectors import applications_visible_to

router = Router(tags=["candidatures"])


class ApplicationOut(Schema):
    code: str
    name: str
    kind: str
    status: str
    call_year: int


@router.get("/", response=list[ApplicationOut])
def list_applications(request: HttpRequest) -> list[ApplicationOut]:
    """Signed-in users: the applications their role lets them see."""
    return [ApplicationOut(code=a.code, name=a.name, kind=a.kind, status=a.status,
                           call_year=a.call.year)
            for a in applications_visible_to(user=request.user)]
