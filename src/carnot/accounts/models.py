"""Each user has one role; what a role may see and do is in ``permissions.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinateur de consortium"
    UNIT_LEAD = "unit_lead", "Responsable d'unité"
    PROGRAMME_OFFICER = "programme_officer", "Chargé de programme (ministère)"
    ASSOCIATION_STAFF = "association_staff", "Équipe de l'association (AiCarnot)"
    ADMINISTRATOR = "administrator", "Administrateur"


class Language(models.TextChoices):
    """The language a user reads the platform's e-mails in (French unless they chose English)."""

    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="profile")
    role = models.CharField(max_length=32, choices=Role.choices)
    language = models.CharField("langue des e-mails", max_length=8, choices=Language.choices,
                                default=Language.FRENCH)

    class Meta:
        verbose_name = "profil"

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
