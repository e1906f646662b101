"""Helpers of the browser tests: Debian's Chromium driven by Playwright, numbered screenshots.

No browser is ever downloaded (never ``playwright install``): the tests drive Debian's package,
``/usr/bin/chromium``. Without it they fail and say how to install it (CI installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000
ROOT = Path(__file__).resolve().parents[2]


def require_chromium() -> Path:
    """Debian's Chromium, or the test fails (it is never skipped: CI installs it)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium est introuvable ({CHROMIUM}) : les tests navigateur utilisent le "
                    "paquet Debian (« apt-get install chromium ») ; aucun navigateur n'est "
                    "téléchargé (ne pas lancer « playwright install »).", pytrace=False)
    return CHROMIUM


@contextmanager
def chromium_context(profile: Path, *, accept_downloads: bool = False,
                     ) -> Iterator[BrowserContext]:
    """A fresh Chromium (its own empty profile directory), headless, French, 1280×900;
    downloads refused unless ``accept_downloads``."""
    executable = require_chromium()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(executable), headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT, locale="fr-FR", timezone_id="Europe/Paris",
            accept_downloads=accept_downloads)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Fill the login form (the caller clicks « Se connecter » when it wants)."""
    page.goto(f"{base}/connexion/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)


MIN_SCREENSHOT_BYTES = 10_000
"""A full page of the platform weighs more; less is a blank or broken page."""


def screenshot_directory() -> Path:
    """``$CARNOT_SCREENSHOTS``, else ``var/screenshots/`` under the repository (git-ignored).
    Each run overwrites the previous run's screenshots (nothing is deleted: two runs at once
    must not remove each other's files)."""
    directory = Path(os.environ.get("CARNOT_SCREENSHOTS") or ROOT / "var" / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class Screenshots:
    """Full-page screenshots numbered in the order of the steps: ``01-login.png``, …"""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.taken: list[str] = []

    def take(self, page: Page, name: str) -> Path:
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        image = page.screenshot(path=str(path), full_page=True, animations="disabled")
        assert len(image) > MIN_SCREENSHOT_BYTES, f"capture vide ou presque : {path}"
        self.taken.append(path.name)
        return path


ABORTED = "net::ERR_ABORTED"
"""A request the browser gave up because the page navigated away (the favicons' manifest
when a form is sent at once): not a failure of the server."""


BLOCKED_INLINE_STYLE = "Applying inline style violates"
"""Chromium's report of an inline style the CSP refused. The policy did its job (the style is
not applied); about one run in eight a third-party script (DSFR) sets one, so it is reported
by the test but does not fail it. A refused *script* still fails the test."""


class BrowserProblems:
    """What the browser reports as broken while the test runs: JavaScript errors, console
    errors (a content security policy violation, a missing static file), failed requests (but
    those abandoned on navigation), responses 4xx and 5xx."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.blocked_inline_styles: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"erreur JavaScript : {error}"))
        page.on("console", lambda message: self._console(page, message.type, message.text))
        page.on("requestfailed", lambda request: self.problems.append(
            f"requête en échec : {request.method} {request.url} ({request.failure})")
            if request.failure != ABORTED else None)
        page.on("response", lambda response: self.problems.append(
            f"réponse {response.status} : {response.request.method} {response.url}")
            if response.status >= 400 else None)

    def _console(self, page: Page, kind: str, text: str) -> None:
        if kind != "error":
            return
        if BLOCKED_INLINE_STYLE in text:
            self.blocked_inline_styles.append(f"console ({page.url}) : {text}")
            return
        self.problems.append(f"console ({page.url}) : {text}")
