"""Security of the platform: login lockout, CSRF, content security policy and other headers,
cookies, uploads (size and type), templates without inline code, the database URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.views.defaults import server_error

from carnot.accounts.models import Profile, Role
from carnot.applications.models import Signature
from carnot.applications.services import signature_record
from carnot.common.errors import ServiceError
from carnot.web.settings import _database
from tests.web.permissions.core import World, build_world

PASSWORD = "Strasbourg-2026-mot-de-passe"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SRC = Path(__file__).resolve().parents[2] / "src" / "carnot"


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def coordinator(db: None, fast_hashing: None) -> User:
    user = User.objects.create_user("claire.muller", "claire.muller@example.fr", PASSWORD)
    Profile.objects.create(user=user, role=Role.COORDINATOR)
    return user


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _login(client: Client, password: str, username: str = "claire.muller") -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


# --- Failed logins are rate-limited (django-axes) ------------------------------------------


def test_failed_logins_lock_the_account_out_even_with_the_right_password(
        client: Client, coordinator: User) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _login(client, "mauvais").status_code == 200
    locked = _login(client, "mauvais")
    assert locked.status_code == 429
    assert "bloqué" in locked.content.decode()
    assert _login(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_failure_count(client: Client, coordinator: User) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _login(client, "mauvais").status_code == 200
    assert _login(client, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(limit - 1):
        assert _login(client, "mauvais").status_code == 200
    assert _login(client, PASSWORD).status_code == 302


def test_the_lockout_is_per_account(client: Client, coordinator: User) -> None:
    other = User.objects.create_user("marc.weber", "marc.weber@example.fr", PASSWORD)
    Profile.objects.create(user=other, role=Role.UNIT_LEAD)
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _login(client, "mauvais")
    assert _login(client, PASSWORD, username="marc.weber").status_code == 302


# --- CSRF ------------------------------------------------------------------------------------


def test_login_needs_the_csrf_token(coordinator: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert _login(client, PASSWORD).status_code == 403
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("login"), {"username": "claire.muller", "password": PASSWORD,
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_refused_csrf_token_and_a_server_error_are_explained_in_french(
        world: World, rf: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("coordinator"))
    refused = client.post(reverse("logout"))
    assert refused.status_code == 403
    assert "Formulaire expiré" in refused.content.decode()
    assert "CSRF verification failed" not in refused.content.decode()
    error = server_error(rf.get("/"))
    assert error.status_code == 500
    assert "Erreur du serveur" in error.content.decode()
    assert "Server Error" not in error.content.decode()


def test_signed_in_posts_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("coordinator"))
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session


def test_api_writes_need_the_csrf_token_with_a_session(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("coordinator"))
    url = reverse("api:create_application")
    payload = {"year": 2026, "code": "terr-mulhouse", "name": "Carnot Haute-Alsace",
               "kind": "territorial", "coordinator": "unistra", "puis": ["pui-strasbourg"]}
    assert client.post(url, payload, content_type="application/json").status_code == 403
    assert not world.call.applications.filter(code="terr-mulhouse").exists()


# --- Headers and cookies ----------------------------------------------------------------------


def _policy(response: Any) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in
                  response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("url", ["/faq/", "/connexion/", "/candidatures/", "/api/candidatures/",
                                 "/sante/"])
def test_every_response_carries_a_strict_content_security_policy(world: World,
                                                                  url: str) -> None:
    client = Client()
    client.force_login(world.user("coordinator"))
    policy = _policy(client.get(url))
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        sources = [source for source in policy[directive] if not source.startswith("'nonce-")]
        assert sources == ["'self'"], f"{directive}: {policy[directive]}"
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_pages_cannot_be_framed_nor_sniffed(client: Client, db: None) -> None:
    response = client.get("/faq/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_session_cookie_is_http_only(client: Client, coordinator: User) -> None:
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))
INLINE_CODE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "htmx inline handler": re.compile(r"\shx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(t.relative_to(SRC)) for t in TEMPLATES])
def test_templates_hold_no_inline_code(template: Path) -> None:
    """The policy would block it: scripts and styles are files under static/."""
    text = template.read_text(encoding="utf-8")
    found = [what for what, pattern in INLINE_CODE.items() if pattern.search(text)]
    assert not found, f"{template.relative_to(SRC)}: {found}"


# --- Uploads: size and type ---------------------------------------------------------------------


def _pdf(size: int, name: str = "engagement.pdf") -> SimpleUploadedFile:
    head = b"%PDF-1.7\n"
    return SimpleUploadedFile(name, head + b"0" * (size - len(head)),
                              content_type="application/pdf")


def _sign(world: World, document: SimpleUploadedFile) -> Signature:
    return signature_record(application=world.application, by=world.user("coordinator"),
                            structure=world.university, signatory="Michel Deneken",
                            document=document, max_bytes=django_settings.MAX_UPLOAD_BYTES)


def test_an_oversize_pdf_is_refused(world: World) -> None:
    with pytest.raises(ServiceError, match="trop volumineux"):
        _sign(world, _pdf(django_settings.MAX_UPLOAD_BYTES + 1))
    assert not Signature.objects.get(pk=world.signature.pk).document


@pytest.mark.parametrize(("name", "content"), [
    ("engagement.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100),
    ("engagement.pdf", b"<html><script>alert(1)</script></html>"),
    ("engagement.exe", b"%PDF-1.7\n" + b"0" * 100),
])
def test_a_document_that_is_not_a_pdf_is_refused(world: World, name: str,
                                                  content: bytes) -> None:
    with pytest.raises(ServiceError, match="PDF"):
        _sign(world, SimpleUploadedFile(name, content))
    assert not Signature.objects.get(pk=world.signature.pk).document


def test_a_pdf_within_the_limit_is_stored(world: World, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    signature = _sign(world, _pdf(django_settings.MAX_UPLOAD_BYTES))
    assert signature.document.name == "signatures/2026/terr-strasbourg/unistra.pdf"
    assert signature.document.size == django_settings.MAX_UPLOAD_BYTES


def test_the_api_refuses_an_oversize_upload(world: World, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 2048
    client = Client()
    client.force_login(world.user("coordinator"))
    url = reverse("api:upload_signed_document",
                  kwargs={"year": 2026, "code": world.application.code,
                          "structure_code": world.university.code})
    response = client.post(url, {"document": _pdf(2049)})
    assert 400 <= response.status_code < 500
    assert not Signature.objects.get(pk=world.signature.pk).document
    assert client.post(url, {"document": _pdf(2048)}).status_code == 200


# --- Configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "host", "port", "options"), [
    ("postgres://carnot:s%40cret@db.example.fr:5433/carnot", "db.example.fr", "5433", {}),
    ("postgresql://postgres@127.0.0.1:54329/carnot", "127.0.0.1", "54329", {}),
    ("postgres://postgres@/carnot?host=/tmp/carnot-pg", "/tmp/carnot-pg", "", {}),
    ("postgres://postgres@%2Ftmp%2FCarnot:54329/carnot", "/tmp/Carnot", "54329", {}),
    ("postgres://carnot@db/carnot?sslmode=require", "db", "", {"sslmode": "require"}),
])
def test_database_url(url: str, host: str, port: str, options: dict[str, str]) -> None:
    config = _database(url)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "carnot"
    assert (config["HOST"], config["PORT"], config["OPTIONS"]) == (host, port, options)


def test_database_url_credentials_are_decoded() -> None:
    config = _database("postgres://carnot:s%40cret@db.example.fr/carnot")
    assert (config["USER"], config["PASSWORD"]) == ("carnot", "s@cret")


def test_database_url_of_another_engine_is_refused() -> None:
    with pytest.raises(RuntimeError, match="mysql"):
        _database("mysql://root@localhost/carnot")
