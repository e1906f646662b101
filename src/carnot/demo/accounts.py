"""The demo's call year, its accounts (one per role, password shared) and the applications it
breaks on purpose, as the demo command prints them."""

from __future__ import annotations

from dataclasses import dataclass

from carnot.accounts.models import Role

DEMO_CALL_YEAR = 2026
DEMO_PASSWORD = "carnot-demo-2026"
DEMO_EMAIL_DOMAIN = "demo.carnot.invalid"
"""Every account the demo creates has an e-mail at this domain: that is how reset finds them."""
DEADLINE_IN_DAYS = 75

# --- the accounts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    full_name: str
    what_to_try: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("coordinateur", Role.COORDINATOR, "Claire Vasseur",
                "3 candidatures : terr-clermont est prête à déposer ; terr-montpellier attend "
                "la signature d'Inserm (FAQ-2.18) ; them-agro est déposée. Abondements 2026 "
                "publiés, et déjà quelques dépenses."),
    DemoAccount("responsable", Role.UNIT_LEAD, "Julien Marchal",
                "responsable de 3 unités du consortium territorial Clermont Auvergne."),
    DemoAccount("ministere", Role.PROGRAMME_OFFICER, "Sophie Delmas",
                "toutes les candidatures, les contrôles nationaux, les décisions "
                "(recevabilité, sélection), les registres de contrats, la répartition 2026 "
                "(n° 1 publiée)."),
    DemoAccount("aicarnot", Role.ASSOCIATION_STAFF, "Marc Lefranc",
                "lecture seule des données du réseau."),
    DemoAccount("admin", Role.ADMINISTRATOR, "Administration Carnot",
                "tout, et l'administration Django (/admin/)."),
)

COORDINATOR_USERNAME = "coordinateur"
UNIT_LEAD_USERNAME = "responsable"
OFFICER_USERNAME = "ministere"
CLEAN_APPLICATION = "terr-clermont"
"""The demo coordinator's application with no failing rule: it can be submitted as it is."""
COORDINATOR_APPLICATIONS = ("terr-clermont", "terr-montpellier", "them-agro")
SUBMITTED_FOR_COORDINATOR = "them-agro"


@dataclass(frozen=True)
class BrokenApplication:
    code: str
    rule: str
    what: str


BROKEN: tuple[BrokenApplication, ...] = (
    BrokenApplication("them-ia", "FAQ-2.21",
                      "une unité aussi déclarée dans le thématique them-cyber"),
    BrokenApplication("them-cyber", "FAQ-2.21",
                      "une unité aussi déclarée dans le thématique them-ia"),
    BrokenApplication("them-cyber", "FAQ-2.18",
                      "le CNRS a fait signer un directeur d'unité non habilité"),
    BrokenApplication("terr-montpellier", "FAQ-2.18",
                      "le document d'engagement n'est pas signé par Inserm"),
    BrokenApplication("terr-bordeaux", "FAQ-2.3", "une unité toulousaine, hors du PUI"),
    BrokenApplication("terr-lille", "FAQ-2.10",
                      "un laboratoire commun dont l'IRT Railenium est tutelle"),
    BrokenApplication("terr-rennes", "FAQ-2.17",
                      "une unité partagée avec them-agro, déclarée partagée d'un seul côté"),
    BrokenApplication("terr-nantes", "FAQ-2.17",
                      "une unité partagée avec them-construction, ETP différents des deux côtés"),
    BrokenApplication("them-construction", "FAQ-2.17",
                      "une unité partagée avec terr-nantes, ETP différents des deux côtés"),
    BrokenApplication("them-construction", "FAQ-2.27",
                      "thématique justifiée par aucun alignement SNA, PEPR ou CSF"),
)
