"""The platform starts: public pages answer, private ones ask for a login."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_public_pages_answer(client: Client) -> None:
    assert client.get("/sante/").json() == {"status": "ok"}
    faq = client.get("/faq/")
    assert faq.status_code == 200
    assert 'id="FAQ-2.18"' in faq.content.decode()


@pytest.mark.django_db
def test_private_pages_redirect_to_login(client: Client) -> None:
    response = client.get("/candidatures/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.django_db
def test_responses_carry_a_content_security_policy(client: Client) -> None:
    policy = client.get("/faq/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
