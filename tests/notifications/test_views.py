"""The notification pages: each user reads their own; administrators every e-mail sent; the
language of one's e-mails is chosen with a plain form (no JavaScript)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from carnot.accounts.models import Profile, Role
from carnot.notifications.models import Notification
from tests.web.factories import make_user

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notification(user: User, subject: str, **fields: object) -> Notification:
    return Notification.objects.create(recipient=user, kind="allocation_published",
                                       subject=subject, body=f"Bonjour,\n\n{subject}.\n",
                                       link="/faq/", language="fr", **fields)


def test_a_user_sees_only_the_notifications_written_to_them() -> None:
    mine, theirs = make_user(Role.COORDINATOR, "coordo"), make_user(Role.COORDINATOR, "autre")
    _notification(mine, "Abondement 2026 publié : Carnot Alsace")
    _notification(theirs, "Abondement 2026 publié : Carnot Auvergne")
    html = _client(mine).get(reverse("notifications:list")).content.decode()
    assert "Abondement 2026 publié : Carnot Alsace" in html
    assert "Carnot Auvergne" not in html
    assert 'href="/faq/"' in html
    assert "En attente d'envoi" in html
    assert 'data-testid="sent-link"' not in html


def test_without_notifications_the_page_says_so() -> None:
    html = _client(make_user(Role.UNIT_LEAD, "lead")).get(
        reverse("notifications:list")).content.decode()
    assert "Vous n'avez reçu aucune notification." in html


def test_the_menu_links_to_the_notifications() -> None:
    html = _client(make_user(Role.COORDINATOR, "coordo")).get(reverse("faq")).content.decode()
    assert f'href="{reverse("notifications:list")}" data-testid="menu-notifications"' in html


def test_administrators_see_every_e_mail_with_its_recipient_and_delivery() -> None:
    admin = make_user(Role.ADMINISTRATOR, "admin")
    coordinator = make_user(Role.COORDINATOR, "coordo")
    User.objects.filter(pk=coordinator.pk).update(email="coordo@example.fr")
    _notification(coordinator, "Candidature recevable : Carnot Alsace",
                  error="Échec de l'envoi : connexion refusée")
    _notification(admin, "Abondement publié")
    client = _client(admin)
    assert 'data-testid="sent-link"' in client.get(reverse("notifications:list")).content.decode()
    html = client.get(reverse("notifications:sent")).content.decode()
    assert html.count('data-testid="sent-row"') == 2
    assert "coordo@example.fr" in html
    assert "Candidature recevable : Carnot Alsace" in html
    assert "connexion refusée" in html and "Non envoyé" in html


def test_a_user_chooses_english_for_their_e_mails() -> None:
    coordinator = make_user(Role.COORDINATOR, "coordo")
    client = _client(coordinator)
    response = client.post(reverse("notifications:language"), {"language": "en"}, follow=True)
    assert Profile.objects.get(user=coordinator).language == "en"
    html = response.content.decode()
    assert "Vos e-mails seront écrits en anglais." in html
    assert 'id="language-en" name="language" value="en" checked' in html
    client.post(reverse("notifications:language"), {"language": "fr"})
    assert Profile.objects.get(user=coordinator).language == "fr"


def test_an_unknown_language_is_refused_in_french() -> None:
    coordinator = make_user(Role.COORDINATOR, "coordo")
    html = _client(coordinator).post(reverse("notifications:language"), {"language": "de"},
                                     follow=True).content.decode()
    assert "Choisissez le français ou l&#x27;anglais." in html
    assert Profile.objects.get(user=coordinator).language == "fr"
