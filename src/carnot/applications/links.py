"""What the apps above ``applications`` add to an application's pages: links to their own pages
about it (its published result, its spending), each shown only when there is something there.

The application's page cannot import those apps (they depend on it); each registers its link
when Django starts (``AppConfig.ready``) and the page asks for all of them.
"""

from __future__ import annotations

from collections.abc import Callable

from carnot.applications.models import Application

ApplicationLink = Callable[[Application], "tuple[str, str] | None"]
"""Given an application: ``(context name, URL)`` of the page to link, or None if none yet."""

_LINKS: list[ApplicationLink] = []


def add_application_link(link: ApplicationLink) -> None:
    """Register a link (once per process: ``AppConfig.ready`` of the app that serves it)."""
    if link not in _LINKS:
        _LINKS.append(link)


def application_links(application: Application) -> dict[str, str]:
    """Every registered link that applies to ``application``, by context name."""
    found = (link(application) for link in _LINKS)
    return dict(item for item in found if item is not None)
