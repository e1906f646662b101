"""A deterministic national demo dataset for the 2026 call, and its demo accounts.

``build_demo(scale=1, seed=2026)`` writes, with bulk inserts in one transaction: the 2026 call
(open, deadline in the future), ~140 structures (25 university sites, CNRS, Inserm, INRAE, CEA,
Inria, IFPEN, BRGM, ONERA, Ifremer, IMT, engineering schools, CTIs, CRTs, an EESPIG, a GIP and
one IRT), 25 PUIs, ~1,000 units with well-formed RNSR ids, and 40 applications (20
territorial, 14 thematic national, 6 former Carnot 4) with their scientific leads, 2025 FTE,
shared units declared on both sides, and the signatures of every tutelle. Eight applications
break a rule on purpose (``BROKEN``) so that the admissibility panel has something to show;
every other one passes every rule. Then the funding side (``carnot.demo.funding``): the contract
ledgers of every declared unit (2023–2026), on which every application passes the 2,5 M€
threshold, and the 2026 allocation run, published and turned into grants, with a few
expenditures of the demo coordinator.

``scale`` repeats the applications and their units (codes suffixed ``-2``, ``-3``…) for the
benchmarks; the structures and PUIs stay the same. Same seed, same data: every random choice
of the registry comes from one ``random.Random(seed)``, those of the ledgers from another one
seeded from the same seed.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn

from carnot.accounts.models import Profile, Role
from carnot.applications.models import (
    Alignment,
    Application,
    ApplicationUnit,
    FormerCarnotReference,
    Signature,
)
from carnot.applications.workflow import TRANSITION_EVENTS, Status
from carnot.audit.models import AuditEvent, EventKind
from carnot.audit.services import audit_forget
from carnot.demo.funding import (
    FundingSummary,
    plan_ledgers,
    publish_demo_allocation,
    remove_demo_funding,
    remove_orphan_ledgers,
    summarise,
    write_ledgers,
)
from carnot.registry.models import Call, CallStatus, Person, Pui, Structure, Team, Unit
from carnot.rules.domain import ApplicationKind, StructureKind

DEMO_CALL_YEAR = 2026
DEMO_PASSWORD = "carnot-demo-2026"
DEMO_EMAIL_DOMAIN = "demo.carnot.invalid"
"""Every account the demo creates has an e-mail at this domain: that is how reset finds them."""
DEADLINE_IN_DAYS = 75

K = StructureKind
TERRITORIAL = ApplicationKind.TERRITORIAL.value
THEMATIC = ApplicationKind.THEMATIC.value
FORMER = ApplicationKind.FORMER_CARNOT.value


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


@dataclass(frozen=True)
class DemoSummary:
    call_year: int
    deadline: datetime
    structures: int
    puis: int
    units: int
    applications: dict[str, int]
    declarations: int
    shared_units: int
    broken: tuple[BrokenApplication, ...]
    clean_application: str
    accounts: tuple[DemoAccount, ...]
    password: str
    seconds: float
    funding: FundingSummary | None = None

    @property
    def application_count(self) -> int:
        return sum(self.applications.values())


# --- reference data: structures and sites ------------------------------------------------------

NATIONAL_STRUCTURES: tuple[tuple[str, str, StructureKind, str], ...] = (
    ("cnrs", "CNRS", K.EPST, "Île-de-France"),
    ("inserm", "Inserm", K.EPST, "Île-de-France"),
    ("inrae", "INRAE", K.EPST, "Île-de-France"),
    ("inria", "Inria", K.EPST, "Île-de-France"),
    ("ird", "IRD", K.EPST, "Occitanie"),
    ("cea", "CEA", K.EPIC, "Île-de-France"),
    ("ifpen", "IFP Énergies nouvelles", K.EPIC, "Île-de-France"),
    ("brgm", "BRGM", K.EPIC, "Centre-Val de Loire"),
    ("onera", "ONERA", K.EPIC, "Île-de-France"),
    ("ifremer", "Ifremer", K.EPIC, "Bretagne"),
    ("cirad", "Cirad", K.EPIC, "Occitanie"),
    ("cstb", "CSTB", K.EPIC, "Île-de-France"),
    ("imt", "Institut Mines-Télécom", K.SCHOOL, "Île-de-France"),
    ("ensam", "Arts et Métiers", K.SCHOOL, "Île-de-France"),
    ("cnam", "Conservatoire national des arts et métiers", K.SCHOOL, "Île-de-France"),
    ("cetim", "Cetim (Centre technique des industries mécaniques)", K.CTI, "Hauts-de-France"),
    ("ipc", "IPC (Centre technique industriel de la plasturgie et des composites)", K.CTI,
     "Auvergne-Rhône-Alpes"),
    ("ctif", "CTIF (Centre technique des industries de la fonderie)", K.CTI, "Île-de-France"),
    ("cerib", "Cerib (Centre d'études et de recherches de l'industrie du béton)", K.CTI,
     "Centre-Val de Loire"),
    ("fcba", "FCBA (Institut technologique forêt cellulose bois-construction ameublement)",
     K.CTI, "Nouvelle-Aquitaine"),
    ("ifth", "IFTH (Institut français du textile et de l'habillement)", K.CTI,
     "Auvergne-Rhône-Alpes"),
    ("ctp", "CTP (Centre technique du papier)", K.CTI, "Auvergne-Rhône-Alpes"),
    ("critt-materiaux-alsace", "CRITT Matériaux Alsace", K.CRT, "Grand Est"),
    ("critt-metall-2t", "CRITT Métall 2T", K.CRT, "Grand Est"),
    ("canoe", "CANOE – plateforme composites", K.CRT, "Nouvelle-Aquitaine"),
    ("aquimer", "Aquimer", K.CRT, "Hauts-de-France"),
    ("critt-sport-loisirs", "CRITT Sport Loisirs", K.CRT, "Nouvelle-Aquitaine"),
    ("gip-genopole", "GIP Genopole", K.GIP, "Île-de-France"),
    ("irt-railenium", "IRT Railenium", K.IRT, "Hauts-de-France"),
    ("institut-curie", "Institut Curie", K.FOUNDATION, "Île-de-France"),
    ("institut-pasteur", "Institut Pasteur", K.FOUNDATION, "Île-de-France"),
    ("aphp", "AP-HP (Assistance publique – Hôpitaux de Paris)", K.HOSPITAL, "Île-de-France"),
    ("satt-conectus", "SATT Conectus Alsace", K.COMPANY, "Grand Est"),
    ("satt-axlr", "SATT AxLR", K.COMPANY, "Occitanie"),
    ("satt-nord", "SATT Nord", K.COMPANY, "Hauts-de-France"),
    ("satt-sud-est", "SATT Sud-Est", K.COMPANY, "Provence-Alpes-Côte d'Azur"),
    ("satt-linksium", "SATT Linksium", K.COMPANY, "Auvergne-Rhône-Alpes"),
    ("satt-pulsalys", "SATT Pulsalys", K.COMPANY, "Auvergne-Rhône-Alpes"),
    ("satt-ouest", "SATT Ouest Valorisation", K.COMPANY, "Bretagne"),
    ("toulouse-tech-transfer", "Toulouse Tech Transfer", K.COMPANY, "Occitanie"),
    ("pole-biovalley", "Pôle BioValley France", K.COMPETITIVENESS_CLUSTER, "Grand Est"),
    ("pole-cereales-vallee", "Pôle Céréales Vallée", K.COMPETITIVENESS_CLUSTER,
     "Auvergne-Rhône-Alpes"),
    ("pole-aqua-valley", "Pôle Aqua-Valley", K.COMPETITIVENESS_CLUSTER, "Occitanie"),
    ("pole-nae", "Normandie AeroEspace", K.COMPETITIVENESS_CLUSTER, "Normandie"),
    ("pole-medicen", "Pôle Medicen Paris Region", K.COMPETITIVENESS_CLUSTER, "Île-de-France"),
    ("pole-systematic", "Pôle Systematic Paris-Region", K.COMPETITIVENESS_CLUSTER,
     "Île-de-France"),
    ("pole-i-trans", "Pôle i-Trans", K.COMPETITIVENESS_CLUSTER, "Hauts-de-France"),
    ("pole-aerospace-valley", "Pôle Aerospace Valley", K.COMPETITIVENESS_CLUSTER, "Occitanie"),
    ("pole-capenergies", "Pôle Capenergies", K.COMPETITIVENESS_CLUSTER,
     "Provence-Alpes-Côte d'Azur"),
    ("pole-bioeconomy", "Pôle Bioeconomy For Change", K.COMPETITIVENESS_CLUSTER, "Grand Est"),
    ("pole-minalogic", "Pôle Minalogic", K.COMPETITIVENESS_CLUSTER, "Auvergne-Rhône-Alpes"),
    ("pole-axelera", "Pôle Axelera", K.COMPETITIVENESS_CLUSTER, "Auvergne-Rhône-Alpes"),
    ("pole-lyonbiopole", "Pôle Lyonbiopôle", K.COMPETITIVENESS_CLUSTER, "Auvergne-Rhône-Alpes"),
    ("pole-alpha-rlh", "Pôle Alpha-RLH", K.COMPETITIVENESS_CLUSTER, "Nouvelle-Aquitaine"),
    ("pole-emc2", "Pôle EMC2", K.COMPETITIVENESS_CLUSTER, "Pays de la Loire"),
    ("pole-images-reseaux", "Pôle Images & Réseaux", K.COMPETITIVENESS_CLUSTER, "Bretagne"),
    ("pole-valorial", "Pôle Valorial", K.COMPETITIVENESS_CLUSTER, "Bretagne"),
    ("pole-materalia", "Pôle Materalia", K.COMPETITIVENESS_CLUSTER, "Grand Est"),
    ("pole-scs", "Pôle SCS", K.COMPETITIVENESS_CLUSTER, "Provence-Alpes-Côte d'Azur"),
    ("pole-vehicule-futur", "Pôle Véhicule du Futur", K.COMPETITIVENESS_CLUSTER,
     "Bourgogne-Franche-Comté"),
    ("pole-cosmetic-valley", "Pôle Cosmetic Valley", K.COMPETITIVENESS_CLUSTER,
     "Centre-Val de Loire"),
    ("pole-cap-digital", "Pôle Cap Digital", K.COMPETITIVENESS_CLUSTER, "Île-de-France"),
    ("pole-avenia", "Pôle Avenia", K.COMPETITIVENESS_CLUSTER, "Nouvelle-Aquitaine"),
    ("pole-mer-bretagne", "Pôle Mer Bretagne Atlantique", K.COMPETITIVENESS_CLUSTER,
     "Bretagne"),
)


@dataclass(frozen=True)
class Site:
    """A university site: its PUI, its local structures, and what its units work on."""

    code: str
    label: str
    region: str
    city: str
    universities: tuple[tuple[str, str], ...]
    schools: tuple[tuple[str, str, StructureKind], ...] = ()
    hospital: tuple[str, str] | None = None
    other_founders: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    weight: int = 30
    specialties: tuple[str, ...] = ()
    territorial: bool = True

    @property
    def founders(self) -> tuple[str, ...]:
        return (*(code for code, _ in self.universities),
                *(code for code, _, _ in self.schools),
                *((self.hospital[0],) if self.hospital else ()), *self.other_founders)


SITES: tuple[Site, ...] = (
    Site("strasbourg", "Université de Strasbourg", "Grand Est", "de Strasbourg",
         (("unistra", "Université de Strasbourg"),),
         (("insa-strasbourg", "INSA Strasbourg", K.SCHOOL),),
         ("hus", "Hôpitaux universitaires de Strasbourg"), ("satt-conectus",),
         ("critt-materiaux-alsace", "pole-biovalley"), 45, ("chimie", "sante")),
    Site("clermont", "Clermont Auvergne", "Auvergne-Rhône-Alpes", "d'Auvergne",
         (("uca", "Université Clermont Auvergne"),),
         (("clermont-inp", "Clermont Auvergne INP", K.SCHOOL),
          ("vetagro-sup", "VetAgro Sup", K.SCHOOL)),
         ("chu-clermont", "CHU de Clermont-Ferrand"), (), ("pole-cereales-vallee",), 30,
         ("agro", "ingenierie")),
    Site("montpellier", "Université de Montpellier", "Occitanie", "de Montpellier",
         (("umontpellier", "Université de Montpellier"),),
         (("institut-agro-montpellier", "L'Institut Agro Montpellier", K.SCHOOL),),
         ("chu-montpellier", "CHU de Montpellier"), ("satt-axlr",), ("pole-aqua-valley",), 45,
         ("agro", "environnement", "sante")),
    Site("normandie", "Normandie Université", "Normandie", "de Normandie",
         (("unicaen", "Université de Caen Normandie"),
          ("univ-rouen", "Université de Rouen Normandie")),
         (("ensicaen", "ENSICAEN", K.SCHOOL), ("insa-rouen", "INSA Rouen Normandie", K.SCHOOL)),
         None, (), ("pole-nae",), 35, ("chimie", "physique")),
    Site("sorbonne", "Alliance Sorbonne Université", "Île-de-France", "de Paris",
         (("sorbonne-u", "Sorbonne Université"),),
         (("utc", "Université de technologie de Compiègne", K.SCHOOL),),
         ("aphp", "AP-HP (Assistance publique – Hôpitaux de Paris)"), (), ("pole-medicen",), 55,
         ("sante", "physique")),
    Site("psl", "Université PSL", "Île-de-France", "de Paris",
         (("psl", "Université PSL"),),
         (("mines-paris", "Mines Paris - PSL", K.SCHOOL), ("espci", "ESPCI Paris - PSL",
                                                            K.SCHOOL)),
         None, ("institut-curie",), ("pole-systematic",), 40, ("physique", "chimie")),
    Site("lille", "Lille Hauts-de-France", "Hauts-de-France", "de Lille",
         (("ulille", "Université de Lille"),),
         (("centrale-lille", "Centrale Lille Institut", K.SCHOOL), ("junia", "JUNIA", K.EESPIG)),
         ("chu-lille", "CHU de Lille"), ("satt-nord",), ("pole-i-trans", "aquimer"), 45,
         ("sante", "ingenierie")),
    Site("toulouse", "Université de Toulouse", "Occitanie", "de Toulouse",
         (("utoulouse", "Université de Toulouse"),),
         (("toulouse-inp", "Toulouse INP", K.SCHOOL), ("insa-toulouse", "INSA Toulouse", K.SCHOOL),
          ("isae-supaero", "ISAE-SUPAERO", K.SCHOOL)),
         ("chu-toulouse", "CHU de Toulouse"), ("toulouse-tech-transfer",),
         ("pole-aerospace-valley",), 50, ("ingenierie", "numerique")),
    Site("aix-marseille", "Aix-Marseille Provence", "Provence-Alpes-Côte d'Azur", "de Marseille",
         (("amu", "Aix-Marseille Université"),),
         (("centrale-med", "Centrale Méditerranée", K.SCHOOL),),
         ("ap-hm", "AP-HM (Assistance publique – Hôpitaux de Marseille)"), ("satt-sud-est",),
         ("pole-capenergies",), 50, ("sante", "environnement", "energie")),
    Site("reims", "Reims Champagne-Ardenne", "Grand Est", "de Reims",
         (("urca", "Université de Reims Champagne-Ardenne"),), (), None, (),
         ("pole-bioeconomy",), 20, ("agro", "chimie")),
    Site("grenoble", "Université Grenoble Alpes", "Auvergne-Rhône-Alpes", "de Grenoble",
         (("uga", "Université Grenoble Alpes"),),
         (("grenoble-inp", "Grenoble INP - UGA", K.SCHOOL),),
         ("chu-grenoble", "CHU Grenoble Alpes"), ("satt-linksium",), ("pole-minalogic",), 50,
         ("physique", "numerique", "energie")),
    Site("lyon", "Lyon Saint-Étienne", "Auvergne-Rhône-Alpes", "de Lyon",
         (("ucbl", "Université Claude Bernard Lyon 1"),),
         (("insa-lyon", "INSA Lyon", K.SCHOOL), ("centrale-lyon", "École centrale de Lyon",
                                                 K.SCHOOL)),
         ("hcl", "Hospices civils de Lyon"), ("satt-pulsalys",),
         ("pole-axelera", "pole-lyonbiopole"), 55, ("sante", "chimie", "ingenierie")),
    Site("bordeaux", "Université de Bordeaux", "Nouvelle-Aquitaine", "de Bordeaux",
         (("ubordeaux", "Université de Bordeaux"),),
         (("bordeaux-inp", "Bordeaux INP", K.SCHOOL),),
         ("chu-bordeaux", "CHU de Bordeaux"), (), ("canoe", "pole-alpha-rlh"), 45,
         ("physique", "sante", "ingenierie")),
    Site("nantes", "Nantes Université", "Pays de la Loire", "de Nantes",
         (("nantes-u", "Nantes Université"),),
         (("centrale-nantes", "École centrale de Nantes", K.SCHOOL), ("icam", "Icam", K.EESPIG)),
         ("chu-nantes", "CHU de Nantes"), (), ("pole-emc2",), 40, ("ingenierie", "sante")),
    Site("rennes", "Université de Rennes", "Bretagne", "de Rennes",
         (("univ-rennes", "Université de Rennes"),),
         (("insa-rennes", "INSA Rennes", K.SCHOOL),
          ("institut-agro-rennes", "L'Institut Agro Rennes-Angers", K.SCHOOL)),
         ("chu-rennes", "CHU de Rennes"), ("satt-ouest",),
         ("pole-images-reseaux", "pole-valorial"), 40, ("numerique", "agro")),
    Site("lorraine", "Université de Lorraine", "Grand Est", "de Lorraine",
         (("ulorraine", "Université de Lorraine"),), (),
         ("chru-nancy", "CHRU de Nancy"), (), ("critt-metall-2t", "pole-materalia"), 45,
         ("ingenierie", "chimie")),
    Site("paris-saclay", "Université Paris-Saclay", "Île-de-France", "de Paris-Saclay",
         (("paris-saclay", "Université Paris-Saclay"),),
         (("centralesupelec", "CentraleSupélec", K.SCHOOL),
          ("ens-paris-saclay", "ENS Paris-Saclay", K.SCHOOL)),
         None, (), ("pole-systematic", "gip-genopole"), 60, ("physique", "numerique", "sante")),
    Site("cote-azur", "Université Côte d'Azur", "Provence-Alpes-Côte d'Azur", "de Nice",
         (("univ-cotedazur", "Université Côte d'Azur"),), (),
         ("chu-nice", "CHU de Nice"), (), ("pole-scs",), 30, ("numerique", "sante"),
         territorial=False),
    Site("bfc", "Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté", "de Bourgogne-Franche-Comté",
         (("ubourgogne", "Université de Bourgogne"), ("ufc", "Université de Franche-Comté")),
         (("utbm", "Université de technologie de Belfort-Montbéliard", K.SCHOOL),
          ("supmicrotech", "SUPMICROTECH-ENSMM", K.SCHOOL)),
         None, (), ("pole-vehicule-futur",), 35, ("ingenierie", "physique")),
    Site("poitiers", "Université de Poitiers", "Nouvelle-Aquitaine", "de Poitiers",
         (("upoitiers", "Université de Poitiers"),),
         (("isae-ensma", "ISAE-ENSMA", K.SCHOOL),), None, (), ("critt-sport-loisirs",), 25,
         ("ingenierie", "energie"), territorial=False),
    Site("centre-val-de-loire", "Centre-Val de Loire", "Centre-Val de Loire", "d'Orléans-Tours",
         (("univ-orleans", "Université d'Orléans"), ("univ-tours", "Université de Tours")),
         (("insa-cvl", "INSA Centre Val de Loire", K.SCHOOL),), None, (),
         ("pole-cosmetic-valley",), 30, ("chimie", "sante")),
    Site("paris-cite", "Université Paris Cité", "Île-de-France", "de Paris",
         (("u-paris", "Université Paris Cité"),), (),
         ("aphp", "AP-HP (Assistance publique – Hôpitaux de Paris)"), ("institut-pasteur",),
         ("pole-medicen",), 45, ("sante",), territorial=False),
    Site("gustave-eiffel", "Université Gustave Eiffel", "Île-de-France", "de Marne-la-Vallée",
         (("univ-eiffel", "Université Gustave Eiffel"),),
         (("enpc", "École nationale des ponts et chaussées", K.SCHOOL),), None, (),
         ("pole-cap-digital",), 25, ("ingenierie", "environnement"), territorial=False),
    Site("pau", "Université de Pau et des Pays de l'Adour", "Nouvelle-Aquitaine", "de Pau",
         (("uppa", "Université de Pau et des Pays de l'Adour"),), (), None, (), ("pole-avenia",),
         20, ("environnement", "energie"), territorial=False),
    Site("brest", "Université de Bretagne Occidentale", "Bretagne", "de Brest",
         (("ubo", "Université de Bretagne Occidentale"),),
         (("ensta-bretagne", "ENSTA Bretagne", K.SCHOOL),), ("chu-brest", "CHU de Brest"), (),
         ("pole-mer-bretagne",), 25, ("environnement", "numerique")),
)
SITE_UNITS = 920
"""Units of the university sites (at scale 1); about 70 more belong to national bodies."""


# --- what units work on, and what they are called ----------------------------------------------

DOMAINS: dict[str, tuple[str, ...]] = {
    "ingenierie": ("mécanique des fluides", "génie civil", "génie des procédés",
                   "mécanique et génie civil", "mécanique des matériaux", "génie mécanique",
                   "ingénierie des systèmes", "tribologie et dynamique des systèmes",
                   "conception et fabrication", "mécatronique", "robotique",
                   "automatique et génie des procédés", "mécanique, matériaux et procédés",
                   "acoustique", "matériaux composites"),
    "chimie": ("chimie organique", "chimie de coordination", "chimie et procédés",
               "catalyse et chimie du solide", "chimie moléculaire", "science des polymères",
               "chimie des matériaux", "électrochimie et physico-chimie",
               "chimie de l'environnement", "synthèse organique et catalyse"),
    "physique": ("physique des solides", "optique et photonique", "photonique et nanostructures",
                 "physique quantique", "nanosciences", "électronique et microélectronique",
                 "physique des lasers", "matière condensée", "microtechniques",
                 "instrumentation et capteurs"),
    "numerique": ("informatique", "informatique fondamentale",
                  "traitement du signal et des images", "intelligence artificielle",
                  "systèmes embarqués", "cybersécurité", "réseaux et télécommunications",
                  "mathématiques appliquées", "robotique et vision", "science des données",
                  "calcul haute performance", "informatique et automatique"),
    "energie": ("énergétique", "thermique et énergie", "conversion de l'énergie",
                "stockage électrochimique de l'énergie", "génie électrique", "énergie solaire",
                "hydrogène et piles à combustible", "plasmas et conversion d'énergie",
                "combustion et systèmes réactifs"),
    "sante": ("immunologie", "neurosciences", "pharmacologie", "cancérologie",
              "génétique médicale", "biologie cellulaire", "biothérapies",
              "imagerie biomédicale", "physiopathologie cardiovasculaire", "infectiologie",
              "maladies métaboliques", "oncologie translationnelle", "médecine régénératrice",
              "biologie du développement"),
    "agro": ("agroécologie", "sciences de l'aliment", "génétique végétale", "santé des plantes",
             "nutrition humaine", "écophysiologie végétale", "interactions plantes-microbes",
             "systèmes d'élevage", "qualité des produits agricoles", "agronomie"),
    "environnement": ("hydrosciences", "géosciences", "écologie et environnement",
                      "océanographie", "sciences de la Terre",
                      "biogéochimie des milieux aquatiques", "géologie et environnement",
                      "climat et environnement", "écotoxicologie", "hydrologie"),
}
DOMAIN_WEIGHTS = {"ingenierie": 18, "chimie": 10, "physique": 10, "numerique": 16, "energie": 8,
                  "sante": 20, "agro": 8, "environnement": 10}
HEADS = ("Laboratoire", "Institut", "Centre de recherche en", "Laboratoire de recherche en")
UNIT_NUMBERS = {"UMR": (5001, 9299), "UMR_S": (1001, 1999), "UR": (1001, 7999)}

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Emma", "Juliette", "Louise", "Alice",
    "Claire", "Hélène", "Sophie", "Isabelle", "Nathalie", "Valérie", "Sandrine", "Céline",
    "Aurélie", "Émilie", "Julie", "Marion", "Laure", "Pauline", "Anne", "Marie", "Catherine",
    "Agnès", "Delphine", "Élodie", "Béatrice", "Myriam", "Amina", "Fatima", "Nadia", "Yasmine",
    "Lucie", "Margaux", "Noémie", "Clémence", "Thomas", "Nicolas", "Julien", "Antoine",
    "Guillaume", "Pierre", "Olivier", "Sébastien", "Mathieu", "Alexandre", "Vincent", "François",
    "Laurent", "Philippe", "Stéphane", "Christophe", "Frédéric", "Éric", "David", "Jérôme",
    "Romain", "Maxime", "Hugo", "Lucas", "Louis", "Paul", "Karim", "Mehdi", "Yanis", "Rémi",
    "Damien", "Fabrice", "Xavier", "Benoît", "Cédric", "Arnaud", "Bruno", "Gilles", "Hervé",
    "Didier",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour",
    "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
    "Fernandez", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal",
    "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Leclercq", "Lacroix", "Fabre",
    "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Charles", "Guillot", "Rivière",
    "Le Gall", "Guillaume", "Adam", "Rey", "Moulin", "Gonzalez", "Berger", "Lecomte", "Ménard",
    "Fleury", "Deschamps", "Carpentier", "Julien", "Benoit", "Maillard", "Aubry", "Le Roux",
    "Renault", "Jacquet", "Collet", "Prévost", "Poirier", "Charpentier", "Royer", "Huet",
    "Baron", "Dupuy", "Pons", "Lainé", "Carré", "Breton", "Rémy", "Schneider", "Perrot",
    "Guyot", "Barré", "Marty", "Cousin", "Benali", "Haddad", "Diallo", "Traoré", "Mendes",
    "Ferreira", "Kaci", "Bouchard", "Tessier", "Klein", "Weber", "Hoarau", "Texier",
)

# Units of national bodies, CTIs, CRTs and schools: (group, name, tutelles, domain, site).
SPECIAL_UNITS: tuple[tuple[str, str, tuple[str, ...], str, str | None], ...] = (
    ("cea-list", "CEA-List – Département métrologie, instrumentation et information", ("cea",),
     "numerique", None),
    ("cea-list", "CEA-List – Département d'ingénierie logicielle et systèmes", ("cea",),
     "numerique", None),
    ("cea-list", "CEA-List – Département intelligence ambiante et systèmes interactifs",
     ("cea",), "numerique", None),
    ("cea-list", "CEA-List – Département imagerie et simulation pour le contrôle", ("cea",),
     "physique", None),
    ("cea-list", "CEA-List – Département systèmes et circuits intégrés numériques", ("cea",),
     "numerique", None),
    ("cea-leti", "CEA-Leti – Département composants silicium", ("cea",), "physique", None),
    ("cea-leti", "CEA-Leti – Département d'optronique", ("cea",), "physique", None),
    ("cea-leti", "CEA-Leti – Département des technologies pour la biologie et la santé",
     ("cea",), "physique", None),
    ("cea-liten", "CEA-Liten – Département de l'électricité et de l'hydrogène pour les "
     "transports", ("cea",), "energie", None),
    ("cea-liten", "CEA-Liten – Département des technologies solaires", ("cea",), "energie",
     None),
    ("cea-liten", "CEA-Liten – Département des technologies des nouveaux matériaux", ("cea",),
     "energie", None),
    ("ifpen", "IFPEN – Direction Motorisations et systèmes", ("ifpen",), "energie", None),
    ("ifpen", "IFPEN – Direction Électrochimie et matériaux", ("ifpen",), "energie", None),
    ("ifpen", "IFPEN – Direction Mécatronique, numérique et systèmes", ("ifpen",), "numerique",
     None),
    ("ifpen", "IFPEN – Direction Chimie et physico-chimie appliquées", ("ifpen",), "chimie",
     None),
    ("ifpen", "IFPEN – Direction Procédés de conversion et de séparation", ("ifpen",), "chimie",
     None),
    ("brgm", "BRGM – Direction Eau, environnement, procédés et analyses", ("brgm",),
     "environnement", None),
    ("brgm", "BRGM – Direction Géoressources", ("brgm",), "environnement", None),
    ("brgm", "BRGM – Direction Risques et prévention", ("brgm",), "environnement", None),
    ("brgm", "BRGM – Direction des actions territoriales", ("brgm",), "environnement", None),
    ("ifremer", "Ifremer – Unité Recherches et développements technologiques", ("ifremer",),
     "environnement", None),
    ("ifremer", "Ifremer – Unité Biotechnologies et ressources marines", ("ifremer",),
     "environnement", None),
    ("ifremer", "Ifremer – Unité Géosciences marines", ("ifremer",), "environnement", None),
    ("ifremer", "Ifremer – Unité Halieutique Manche Mer du Nord", ("ifremer",), "environnement",
     None),
    ("ifremer", "Laboratoire d'océanographie physique et spatiale (UMR 6523)",
     ("ifremer", "cnrs", "ubo", "ird"), "environnement", None),
    ("onera", "ONERA – Département aérodynamique, aéroélasticité, acoustique", ("onera",),
     "ingenierie", None),
    ("onera", "ONERA – Département matériaux et structures", ("onera",), "ingenierie", None),
    ("onera", "ONERA – Département traitement de l'information et systèmes", ("onera",),
     "numerique", None),
    ("onera", "ONERA – Département multi-physique pour l'énergétique", ("onera",), "energie",
     None),
    ("cti-materiaux", "Cetim – Direction recherche et innovation", ("cetim",), "ingenierie",
     None),
    ("cti-materiaux", "IPC – Pôle recherche plasturgie et composites", ("ipc",), "chimie", None),
    ("cti-materiaux", "CTIF – Recherche et développement fonderie", ("ctif",), "ingenierie",
     None),
    ("cti-materiaux", "IFTH – Textiles techniques et fonctionnels", ("ifth",), "chimie", None),
    ("cti-materiaux", "Icam – Laboratoire procédés et matériaux", ("icam",), "ingenierie", None),
    ("cti-construction", "Cerib – Recherche matériaux et structures béton", ("cerib",),
     "ingenierie", None),
    ("cti-construction", "FCBA – Recherche bois construction", ("fcba",), "ingenierie", None),
    ("cti-construction", "CSTB – Direction recherche et expertise", ("cstb",), "environnement",
     None),
    ("cti-chimie", "CTP – Bioraffinerie et matériaux biosourcés", ("ctp",), "chimie", None),
    ("arts", "LAMPA – Laboratoire angevin de mécanique, procédés et innovation", ("ensam",),
     "ingenierie", None),
    ("arts", "LCFC – Laboratoire de conception, fabrication, commande", ("ensam", "ulorraine"),
     "ingenierie", None),
    ("arts", "PIMM – Procédés et ingénierie en mécanique et matériaux (UMR 8006)",
     ("ensam", "cnrs", "cnam"), "ingenierie", None),
    ("arts", "I2M – Institut de mécanique et d'ingénierie (UMR 5295)",
     ("ubordeaux", "cnrs", "bordeaux-inp", "ensam"), "ingenierie", None),
    ("arts", "MSMP – Mechanics, surfaces and materials processing", ("ensam",), "ingenierie",
     None),
    ("arts", "LISPEN – Laboratoire d'ingénierie des systèmes physiques et numériques",
     ("ensam",), "ingenierie", None),
    ("arts", "LIFSE – Laboratoire d'ingénierie des fluides et des systèmes énergétiques",
     ("ensam", "cnam"), "energie", None),
    ("mines", "Centre des matériaux (UMR 7633)", ("mines-paris", "cnrs"), "ingenierie", None),
    ("mines", "CEMEF – Centre de mise en forme des matériaux (UMR 7635)",
     ("mines-paris", "cnrs"), "ingenierie", None),
    ("mines", "Centre de robotique", ("mines-paris",), "numerique", None),
    ("mines", "Centre de mathématiques appliquées", ("mines-paris",), "numerique", None),
    ("mines", "Centre de géosciences", ("mines-paris",), "environnement", None),
    ("mines", "Centre procédés, énergies renouvelables et systèmes énergétiques",
     ("mines-paris",), "energie", None),
    ("mines", "Centre de recherche sur les risques et les crises", ("mines-paris",),
     "ingenierie", None),
    ("imt", "LTCI – Laboratoire de traitement et communication de l'information", ("imt",),
     "numerique", None),
    ("imt", "SAMOVAR – Services répartis, architectures, modélisation, validation, "
     "administration des réseaux", ("imt",), "numerique", None),
    ("imt", "Lab-STICC – Laboratoire des sciences et techniques de l'information, de la "
     "communication et de la connaissance (UMR 6285)", ("imt", "cnrs", "ubo", "ensta-bretagne"),
     "numerique", None),
    ("imt", "LS2N – Laboratoire des sciences du numérique de Nantes (UMR 6004)",
     ("nantes-u", "cnrs", "centrale-nantes", "imt"), "numerique", None),
    ("genopole", "Laboratoire de biologie synthétique et bioproduction de Genopole",
     ("gip-genopole", "paris-saclay"), "sante", None),
    ("crt", "CRITT Matériaux Alsace – plateforme de recherche technologique",
     ("critt-materiaux-alsace",), "chimie", "strasbourg"),
    ("crt", "CRITT Métall 2T – traitements thermiques et de surface", ("critt-metall-2t",),
     "ingenierie", "lorraine"),
    ("crt", "CANOE – plateforme composites et matériaux avancés", ("canoe",), "chimie",
     "bordeaux"),
    ("crt", "Aquimer – valorisation des produits aquatiques", ("aquimer",), "agro", "lille"),
    ("crt", "CRITT Sport Loisirs – ingénierie des équipements sportifs",
     ("critt-sport-loisirs",), "ingenierie", "poitiers"),
    ("irt", "Laboratoire commun de recherche ferroviaire", ("ulille", "irt-railenium"),
     "ingenierie", "lille"),
)
ENGINEER_KINDS = frozenset({K.EPIC, K.CTI, K.CRT})
"""Single-tutelle units of these kinds count research engineers who do research (FAQ-2.16)."""


@dataclass(frozen=True)
class FormerSpec:
    code: str
    name: str
    coordinator: str
    group: str
    partial_unit: str | None = None


FORMERS: tuple[FormerSpec, ...] = (
    FormerSpec("c4-brgm", "Carnot BRGM", "brgm", "brgm",
               partial_unit="BRGM – Direction des actions territoriales"),
    FormerSpec("c4-cea-list", "Carnot CEA List", "cea", "cea-list"),
    FormerSpec("c4-ifpen", "Carnot IFPEN Transports Énergie", "ifpen", "ifpen"),
    FormerSpec("c4-arts", "Carnot ARTS", "ensam", "arts"),
    FormerSpec("c4-mines", "Carnot M.I.N.E.S", "mines-paris", "mines"),
    FormerSpec("c4-mers", "Carnot MERS", "ifremer", "ifremer"),
)
PARTIAL_TEAMS = ("Équipe Géothermie", "Équipe Stockage souterrain", "Équipe Risques côtiers",
                 "Équipe Après-mine")


@dataclass(frozen=True)
class ThematicSpec:
    code: str
    name: str
    coordinator: str
    theme: str
    alignments: tuple[tuple[str, str], ...]
    domains: tuple[str, ...]
    groups: tuple[str, ...] = ()


THEMATICS: tuple[ThematicSpec, ...] = (
    ThematicSpec("them-materiaux", "Carnot Matériaux & Procédés durables", "cetim",
                 "Matériaux et procédés pour une industrie décarbonée et circulaire",
                 (("SNA", "Recyclabilité, recyclage et réincorporation des matériaux"),
                  ("PEPR", "DIADEM – matériaux avancés"), ("CSF", "Chimie et matériaux")),
                 ("ingenierie", "chimie"), ("cti-materiaux",)),
    ThematicSpec("them-sante-numerique", "Carnot Santé numérique & Imagerie", "inserm",
                 "Imagerie médicale et santé numérique",
                 (("SNA", "Santé numérique"), ("PEPR", "Santé numérique"),
                  ("CSF", "Industries et technologies de santé")), ("sante",)),
    ThematicSpec("them-energie", "Carnot Énergies du futur", "cea",
                 "Hydrogène, stockage et réseaux électriques",
                 (("SNA", "Hydrogène décarboné"), ("PEPR", "H2 décarboné"),
                  ("CSF", "Nouveaux systèmes énergétiques")), ("energie",), ("cea-liten",)),
    ThematicSpec("them-cyber", "Carnot Télécom & Société numérique", "imt",
                 "Réseaux, cybersécurité et systèmes de confiance",
                 (("SNA", "Cybersécurité"), ("PEPR", "Cybersécurité"),
                  ("CSF", "Industries de sécurité")), ("numerique",), ("imt",)),
    ThematicSpec("them-ia", "Carnot Intelligence artificielle de confiance", "inria",
                 "Intelligence artificielle de confiance et science des données",
                 (("SNA", "Intelligence artificielle"), ("PEPR", "Intelligence artificielle")),
                 ("numerique",)),
    ThematicSpec("them-agro", "Carnot Agroécologie & Alimentation durable", "inrae",
                 "Agroécologie, alimentation durable et favorable à la santé",
                 (("SNA", "Systèmes agricoles durables et équipements agricoles"),
                  ("SNA", "Alimentation durable et favorable à la santé"),
                  ("PEPR", "Agroécologie et numérique"), ("CSF", "Agroalimentaire")),
                 ("agro",)),
    ThematicSpec("them-biotherapies", "Carnot Biothérapies & Bioproduction", "cnrs",
                 "Biothérapies et bioproduction de thérapies innovantes",
                 (("SNA", "Biothérapies et bioproduction de thérapies innovantes"),
                  ("PEPR", "Biothérapies et bioproduction"),
                  ("CSF", "Industries et technologies de santé")), ("sante",), ("genopole",)),
    ThematicSpec("them-aero", "Carnot Aéronautique & Spatial", "onera",
                 "Aéronefs décarbonés, systèmes spatiaux et matériaux pour l'aéronautique",
                 (("SNA", "Digitalisation et décarbonation des mobilités"),
                  ("CSF", "Aéronautique")), ("ingenierie",), ("onera",)),
    ThematicSpec("them-mobilite", "Carnot Mobilités décarbonées", "univ-eiffel",
                 "Véhicules, infrastructures et usages pour des mobilités décarbonées",
                 (("SNA", "Digitalisation et décarbonation des mobilités"),
                  ("PEPR", "Batteries"), ("CSF", "Automobile")), ("ingenierie", "energie")),
    ThematicSpec("them-quantique", "Carnot Technologies quantiques", "cnrs",
                 "Capteurs, communications et calcul quantiques",
                 (("SNA", "Technologies quantiques"), ("PEPR", "Quantique")), ("physique",)),
    ThematicSpec("them-eau", "Carnot Eau & Environnement", "ird",
                 "Ressources en eau, qualité des milieux et adaptation au changement climatique",
                 (("PEPR", "One Water – Eau bien commun"),
                  ("CSF", "Transformation et valorisation des déchets")), ("environnement",)),
    ThematicSpec("them-electronique", "Carnot Micro & Nanoélectronique", "cea",
                 "Composants et systèmes électroniques pour la souveraineté industrielle",
                 (("PEPR", "Électronique"), ("CSF", "Industrie électronique")), ("physique",),
                 ("cea-leti",)),
    ThematicSpec("them-construction", "Carnot Bâtiment & Ville durables", "cstb",
                 "Construction bas carbone et rénovation des bâtiments", (),
                 ("ingenierie", "environnement"), ("cti-construction",)),
    ThematicSpec("them-chimie-verte", "Carnot Chimie verte & Biosourcés", "cnrs",
                 "Chimie verte, biotechnologies industrielles et produits biosourcés",
                 (("SNA", "Produits biosourcés et biotechnologies industrielles"),
                  ("PEPR", "B-BEST – biotechnologies et bioproduits"),
                  ("CSF", "Chimie et matériaux")), ("chimie", "agro"), ("cti-chimie",)),
)

EMPOWERMENT = {
    K.UNIVERSITY: "Présidence de l'université",
    K.EPST: "Délégation régionale, par délégation de signature de la présidence",
    K.EPIC: "Direction générale déléguée, par délégation de signature",
    K.SCHOOL: "Direction de l'école",
    K.HOSPITAL: "Direction générale",
    K.GIP: "Direction du GIP",
}
NOT_EMPOWERED = "Direction d'unité (sans délégation de signature)"
STEPS = ("Appel et structures", "PUI", "Comptes de démonstration", "Personnes", "Unités",
         "Candidatures", "Unités déclarées", "Signatures", "Historique", "Registres de contrats",
         "Répartition 2026")


# --- the plan: everything decided in memory, then written -------------------------------------

@dataclass(eq=False)
class UnitPlan:
    rnsr: str
    name: str
    tutelles: tuple[str, ...]
    managing: str
    lead: str
    fte: Decimal
    engineers: Decimal = Decimal(0)
    domain: str = ""
    site: str | None = None
    group: str = ""
    teams: tuple[str, ...] = ()


@dataclass(eq=False)
class DeclarationPlan:
    unit: UnitPlan
    fte: Decimal
    shared_with: str | None = None
    teams: tuple[str, ...] = ()


@dataclass(eq=False)
class ApplicationPlan:
    code: str
    name: str
    kind: str
    coordinator: str
    pui: str | None = None
    theme: str = ""
    justification: str = ""
    alignments: tuple[tuple[str, str], ...] = ()
    declarations: list[DeclarationPlan] = field(default_factory=list)
    status: str = Status.DRAFT
    owner: str = ""
    missing_signature: str | None = None
    unempowered_signature: str | None = None
    former: dict[str, Any] | None = None


class _Names:
    """Unique person names: first × last name, shuffled once, then double-barrelled ones."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._pool = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        rng.shuffle(self._pool)
        self._next = 0
        self._extra: set[str] = set()

    def take(self) -> str:
        if self._next < len(self._pool):
            self._next += 1
            return self._pool[self._next - 1]
        while True:
            name = (f"{self._rng.choice(FIRST_NAMES)} {self._rng.choice(LAST_NAMES)}-"
                    f"{self._rng.choice(LAST_NAMES)}")
            if name not in self._extra:
                self._extra.add(name)
                return name


class _Identifiers:
    """RNSR numbers (a year 1970–2024, five digits, an upper-case letter) and unit numbers."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._rnsr: set[str] = set()
        self._numbers: dict[str, set[int]] = {prefix: set() for prefix in UNIT_NUMBERS}

    def rnsr(self) -> str:
        while True:
            value = (f"{self._rng.randint(1970, 2024)}{self._rng.randint(0, 99999):05d}"
                     f"{self._rng.choice(string.ascii_uppercase)}")
            if value not in self._rnsr:
                self._rnsr.add(value)
                return value

    def number(self, prefix: str) -> int:
        low, high = UNIT_NUMBERS[prefix]
        used = self._numbers[prefix]
        for _ in range(50):
            value = self._rng.randint(low, high)
            if value not in used:
                used.add(value)
                return value
        return self._rng.randint(low, high)  # the range is exhausted (large scales): repeat


def _elide(word: str) -> str:
    return "d'" if word[:1].lower() in "aeéèêiîoôuh" else "de "


def _half(value: float) -> Decimal:
    """Round to the half FTE, as declared."""
    return Decimal(round(value * 2)) / 2


@dataclass(frozen=True)
class _Ctx:
    """What every planning step needs: randomness, identifiers, names, structures' kinds."""

    rng: random.Random
    ids: _Identifiers
    names: _Names
    kinds: dict[str, StructureKind]


def _site_unit(ctx: _Ctx, site: Site, domain: str, schools_first: bool) -> UnitPlan:
    rng = ctx.rng
    universities = [code for code, _ in site.universities]
    agro_schools = [code for code, _, _ in site.schools
                    if code.startswith(("institut-agro", "vetagro"))]
    schools = [code for code, _, kind in site.schools
               if kind is K.SCHOOL and code not in agro_schools]
    local = [rng.choice(universities)]
    if schools and rng.random() < (0.45 if schools_first else 0.15):
        local.append(rng.choice(schools))
    national: list[str] = []

    def maybe(code: str, probability: float) -> None:
        if rng.random() < probability and code not in national:
            national.append(code)

    if domain == "sante":
        maybe("inserm", 0.85)
        maybe("cnrs", 0.25)
        if site.hospital:
            maybe(site.hospital[0], 0.3)
        if site.code == "paris-cite":
            maybe("institut-pasteur", 0.2)
    elif domain == "agro":
        maybe("inrae", 0.9)
        if agro_schools and rng.random() < 0.6:
            local.append(agro_schools[0])
        maybe("cnrs", 0.1)
        if site.code == "montpellier":
            maybe("cirad", 0.35)
    elif domain == "environnement":
        maybe("cnrs", 0.7)
        if site.code in {"montpellier", "aix-marseille"}:
            maybe("ird", 0.45)
        if site.code == "brest":
            maybe("ifremer", 0.35)
        maybe("inrae", 0.15)
    else:
        maybe("cnrs", 0.85 if domain in {"chimie", "physique"} else 0.7)
        if domain == "numerique":
            maybe("inria", 0.3)
        if domain in {"physique", "energie"}:
            maybe("cea", 0.12)
        if domain == "ingenierie" and site.code == "lille":
            maybe("junia", 0.15)
    tutelles = tuple(dict.fromkeys(local + national))
    managing = national[0] if national and rng.random() < 0.4 else local[0]
    return UnitPlan(ctx.ids.rnsr(), _unit_name(ctx, site, domain, national), tutelles, managing,
                    ctx.names.take(), _half(rng.triangular(6, 150, 28)), domain=domain,
                    site=site.code)


def _unit_name(ctx: _Ctx, site: Site, domain: str, national: list[str]) -> str:
    rng = ctx.rng
    topic = rng.choice(DOMAINS[domain])
    head = rng.choice(HEADS)
    name = f"{head} {topic}" if head.endswith(" en") else f"{head} {_elide(topic)}{topic}"
    if rng.random() < 0.6:
        name += f" {site.city}"
    if "cnrs" in national or "ird" in national:
        code = f"UMR {ctx.ids.number('UMR')}"
    elif "inserm" in national:
        code = f"UMR_S {ctx.ids.number('UMR_S')}"
    elif "inrae" in national:
        code = f"UMR {ctx.ids.number('UMR_S')}"
    else:
        code = f"UR {ctx.ids.number('UR')}"
    return f"{name} ({code})"


def _special_unit(ctx: _Ctx, spec: tuple[str, str, tuple[str, ...], str, str | None]) -> UnitPlan:
    group, name, tutelles, domain, site = spec
    rng = ctx.rng
    engineers = Decimal(0)
    if len(tutelles) == 1 and ctx.kinds[tutelles[0]] in ENGINEER_KINDS:
        if ctx.kinds[tutelles[0]] is K.EPIC:
            fte, engineers = _half(rng.uniform(25, 90)), _half(rng.uniform(10, 50))
        else:
            fte, engineers = _half(rng.uniform(3, 15)), _half(rng.uniform(12, 45))
    else:
        fte = _half(rng.triangular(10, 120, 35))
    teams = PARTIAL_TEAMS if any(spec.partial_unit == name for spec in FORMERS) else ()
    return UnitPlan(ctx.ids.rnsr(), name, tutelles, tutelles[0], ctx.names.take(), fte,
                    engineers, domain, site, group, teams)


def _declare(application: ApplicationPlan, unit: UnitPlan, *, shared_with: str | None = None,
             fte: Decimal | None = None) -> DeclarationPlan:
    declaration = DeclarationPlan(unit, unit.fte if fte is None else fte, shared_with)
    application.declarations.append(declaration)
    return declaration


@dataclass
class _CopyPlan:
    units: list[UnitPlan]
    applications: list[ApplicationPlan]


def _plan_copy(ctx: _Ctx, copy: int) -> _CopyPlan:
    """One national set: site and special units, 40 applications, their sharing and faults."""
    rng = ctx.rng
    suffix = "" if copy == 0 else f"-{copy + 1}"
    total_weight = sum(site.weight for site in SITES)
    by_site: dict[str, list[UnitPlan]] = {}
    for site in SITES:
        weights = [DOMAIN_WEIGHTS[d] * (3 if d in site.specialties else 1) for d in DOMAINS]
        count = round(SITE_UNITS * site.weight / total_weight)
        by_site[site.code] = [
            _site_unit(ctx, site, rng.choices(list(DOMAINS), weights)[0],
                       schools_first=len(site.schools) > 1)
            for _ in range(count)]
    specials = [_special_unit(ctx, spec) for spec in SPECIAL_UNITS]
    for unit in specials:
        if unit.site is not None:
            by_site[unit.site].append(unit)
    units = [unit for site in SITES for unit in by_site[site.code] if not unit.group] + specials
    taken: set[int] = set()

    def take(application: ApplicationPlan, unit: UnitPlan, **options: Any) -> DeclarationPlan:
        taken.add(id(unit))
        return _declare(application, unit, **options)

    formers = [_former(ctx, spec, suffix, specials, take) for spec in FORMERS]
    territorials = [_territorial(ctx, site, suffix, by_site[site.code], take)
                    for site in SITES if site.territorial]
    by_code = {application.code.removesuffix(suffix): application
               for application in territorials}
    # Broken on purpose: an IRT is a tutelle (FAQ-2.10); a unit from Toulouse (FAQ-2.3).
    take(by_code["terr-lille"], next(u for u in specials if u.group == "irt"))
    toulouse = [u for u in by_site["toulouse"] if id(u) not in taken and not u.group]
    take(by_code["terr-bordeaux"], toulouse[0])
    thematics = [_thematic(ctx, spec, suffix, by_site, specials, taken, take)
                 for spec in THEMATICS]
    by_code.update({application.code.removesuffix(suffix): application
                    for application in thematics})
    _share_units(ctx, territorials, thematics)
    _break_sharing(by_code)
    applications = formers + territorials + thematics
    _assign_statuses(ctx, applications, copy)
    return _CopyPlan(units, applications)


Take = Callable[..., DeclarationPlan]


def _former(ctx: _Ctx, spec: FormerSpec, suffix: str, specials: list[UnitPlan],
            take: Take) -> ApplicationPlan:
    rng = ctx.rng
    application = ApplicationPlan(spec.code + suffix, spec.name + _label(suffix), FORMER,
                                  spec.coordinator)
    members = [unit for unit in specials if unit.group == spec.group]
    for unit in members:
        declaration = take(application, unit)
        if unit.teams:
            declaration.teams = unit.teams[:2]
    newcomer = members[-1] if len(members) > 4 and not members[-1].teams else None
    departed = ctx.ids.rnsr()
    # The 2019 perimeter counts FTE as the rules do today (research engineers who do research
    # included, FAQ-2.16): each staying unit within ±8 % of its current FTE, and a unit that
    # left since, sized so that the whole is 92–106 % of today's (constant perimeter, FAQ-3.6).
    perimeter = {unit.rnsr: str(_half(float(_research_fte(unit)) * rng.uniform(0.92, 1.08)))
                 for unit in members if unit is not newcomer}
    wanted = float(sum(_research_fte(unit) for unit in members)) * rng.uniform(0.92, 1.06)
    kept = float(sum(Decimal(fte) for fte in perimeter.values()))
    perimeter[departed] = str(max(_half(wanted - kept), Decimal(5)))
    before = [unit.rnsr for unit in members if unit is not newcomer] + [departed]
    now = [unit.rnsr for unit in members]
    application.former = {
        "perimeter_2019": perimeter,
        "units_by_year": {"2023": before, "2024": before, "2025": now, "2026": now},
        "reference_abondement_cents": rng.randint(40, 160) * 1_000_000,
    }
    return application


def _research_fte(unit: UnitPlan) -> Decimal:
    """The unit's research FTE as declared: its engineers do research whenever it has some."""
    return unit.fte + unit.engineers


def _label(suffix: str) -> str:
    return f" ({suffix.lstrip('-')})" if suffix else ""


def _territorial(ctx: _Ctx, site: Site, suffix: str, pool: list[UnitPlan],
                 take: Take) -> ApplicationPlan:
    rng = ctx.rng
    application = ApplicationPlan(f"terr-{site.code}{suffix}",
                                  f"Carnot territorial {site.label}{_label(suffix)}",
                                  TERRITORIAL, site.universities[0][0], pui=f"pui-{site.code}")
    local = [unit for unit in pool if unit.group in {"", "crt"}]
    size = min(rng.randint(14, 28), round(len(local) * 0.65))
    chosen = rng.sample(local, size)
    crt = [unit for unit in local if unit.group == "crt"]
    if crt and crt[0] not in chosen:
        chosen[-1] = crt[0]
    if site.code == "montpellier" and not any("inserm" in u.tutelles for u in chosen):
        chosen[0] = next(u for u in local if "inserm" in u.tutelles and u not in chosen)
    for unit in sorted(chosen, key=lambda u: u.rnsr):
        take(application, unit)
    return application


def _thematic(ctx: _Ctx, spec: ThematicSpec, suffix: str, by_site: dict[str, list[UnitPlan]],
              specials: list[UnitPlan], taken: set[int], take: Take) -> ApplicationPlan:
    rng = ctx.rng
    application = ApplicationPlan(
        spec.code + suffix, spec.name + _label(suffix), THEMATIC, spec.coordinator,
        theme=spec.theme, alignments=spec.alignments)
    for unit in specials:
        if unit.group in spec.groups:
            take(application, unit)
    candidates = [unit for site in SITES for unit in by_site[site.code]
                  if unit.domain in spec.domains and not unit.group and id(unit) not in taken]
    rng.shuffle(candidates)
    candidates.sort(key=lambda u: spec.coordinator not in u.tutelles)  # stable: theirs first
    wanted = rng.randint(10, 20)
    for unit in candidates[:max(0, wanted - len(application.declarations))]:
        take(application, unit)
    application.declarations.sort(key=lambda d: d.unit.rnsr)
    application.justification = _justification(spec)
    return application


def _justification(spec: ThematicSpec) -> str:
    if not spec.alignments:
        return (f"« {spec.theme} » : une thématique portée par les industriels du secteur, "
                "partout en France ; les alignements restent à préciser.")
    aligned = " ; ".join(f"{kind} « {name} »" for kind, name in spec.alignments)
    return (f"« {spec.theme} » : une thématique nationale, portée par des unités de toute la "
            f"France et par leurs partenaires industriels, alignée sur {aligned}.")


def _share_units(ctx: _Ctx, territorials: list[ApplicationPlan],
                 thematics: list[ApplicationPlan]) -> None:
    """A few percent of units shared by a territorial and a thematic consortium, declared on
    both sides with the same FTE (FAQ-2.17, FAQ-2.21)."""
    rng = ctx.rng
    held = sum(len(a.declarations) for a in territorials + thematics)
    wanted = max(2, round(held * 0.03))
    candidates = [(territorial, declaration) for territorial in territorials
                  for declaration in territorial.declarations
                  if not declaration.unit.group
                  and f"pui-{declaration.unit.site}" == territorial.pui
                  and _base(territorial.code) not in {"terr-rennes", "terr-nantes"}]
    rng.shuffle(candidates)
    shared = 0
    for territorial, declaration in candidates:
        if shared == wanted:
            break
        unit = declaration.unit
        partners = [t for t in thematics if unit.domain in THEMATIC_DOMAINS[_base(t.code)]]
        if not partners:
            continue
        thematic = rng.choice(partners)
        declaration.shared_with = thematic.code
        _declare(thematic, unit, shared_with=territorial.code)
        shared += 1


THEMATIC_DOMAINS = {spec.code: spec.domains for spec in THEMATICS}


def _base(code: str) -> str:
    """The code without its copy suffix (them-agro-3 → them-agro)."""
    head, _, tail = code.rpartition("-")
    return head if tail.isdigit() else code


def _break_sharing(by_code: dict[str, ApplicationPlan]) -> None:
    """Faults on shared units: one side only (FAQ-2.17), different FTE (FAQ-2.17), two
    thematic consortia (FAQ-2.21)."""
    def unshared(application: ApplicationPlan, domains: Iterable[str]) -> UnitPlan:
        free = [d.unit for d in application.declarations
                if d.shared_with is None and not d.unit.group]
        return next((u for u in free if u.domain in domains), free[0])

    rennes, agro = by_code["terr-rennes"], by_code["them-agro"]
    _declare(agro, unshared(rennes, ("agro",)), shared_with=rennes.code)

    nantes, construction = by_code["terr-nantes"], by_code["them-construction"]
    declaration = next(d for d in nantes.declarations
                       if d.unit is unshared(nantes, ("ingenierie", "environnement")))
    declaration.shared_with = construction.code
    _declare(construction, declaration.unit, shared_with=nantes.code,
             fte=declaration.fte - Decimal("4.5") if declaration.fte > 10
             else declaration.fte + Decimal("4.5"))

    ia, cyber = by_code["them-ia"], by_code["them-cyber"]
    declaration = next(d for d in ia.declarations if d.unit is unshared(ia, ("numerique",)))
    declaration.shared_with = cyber.code
    _declare(cyber, declaration.unit, shared_with=ia.code)

    by_code["terr-montpellier"].missing_signature = "inserm"
    by_code["them-cyber"].unempowered_signature = "cnrs"
    for application in by_code.values():
        application.declarations.sort(key=lambda d: d.unit.rnsr)


BROKEN_CODES = frozenset(broken.code for broken in BROKEN)


def _assign_statuses(ctx: _Ctx, applications: list[ApplicationPlan], copy: int) -> None:
    """Broken ones stay drafts; of the clean ones, some are submitted, a few admissible or
    selected. The demo coordinator's applications are fixed."""
    clean = [a for a in applications if _base(a.code) not in BROKEN_CODES
             and (copy > 0 or a.code not in COORDINATOR_APPLICATIONS)]
    ctx.rng.shuffle(clean)
    for application, status in zip(clean, [Status.SUBMITTED] * 7 + [Status.ADMISSIBLE] * 3
                                    + [Status.SELECTED] * 2, strict=False):
        application.status = status
    for application in applications:
        application.owner = f"coord-{application.code}"
        if copy == 0 and application.code in COORDINATOR_APPLICATIONS:
            application.owner = COORDINATOR_USERNAME
            application.status = (Status.SUBMITTED if application.code ==
                                  SUBMITTED_FOR_COORDINATOR else Status.DRAFT)


# --- writing -----------------------------------------------------------------------------------

def _structure_specs(rng: random.Random) -> list[tuple[str, str, StructureKind, str, str]]:
    """Every structure once: code, name, kind, region, a SIREN with a valid Luhn key."""
    found: dict[str, tuple[str, StructureKind, str]] = {}
    for site in SITES:
        for code, name in site.universities:
            found.setdefault(code, (name, K.UNIVERSITY, site.region))
        for code, name, kind in site.schools:
            found.setdefault(code, (name, kind, site.region))
        if site.hospital:
            found.setdefault(site.hospital[0], (site.hospital[1], K.HOSPITAL, site.region))
    for code, name, kind, region in NATIONAL_STRUCTURES:
        found.setdefault(code, (name, kind, region))
    specs = []
    for code, (name, kind, region) in found.items():
        body = f"{rng.randint(10_000_000, 99_999_999)}"
        specs.append((code, name, kind, region, body + luhn.calc_check_digit(body)))
    return specs


@dataclass
class _Written:
    structures: dict[str, Structure] = field(default_factory=dict)
    puis: dict[str, Pui] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)


def _through(model: type[Model], rows: Iterable[dict[str, int]]) -> None:
    model._default_manager.bulk_create([model(**row) for row in rows], batch_size=2000)


def _write_structures(rng: random.Random, written: _Written) -> None:
    created = Structure.objects.bulk_create(
        Structure(code=code, name=name, kind=kind.value, region=region, siren=siren)
        for code, name, kind, region, siren in _structure_specs(rng))
    written.structures = {structure.code: structure for structure in created}


def _write_puis(written: _Written) -> None:
    created = Pui.objects.bulk_create(
        Pui(code=f"pui-{site.code}", name=f"PUI {site.label}", region=site.region)
        for site in SITES)
    written.puis = {pui.code: pui for pui in created}
    structures = written.structures
    _through(Pui.founders.through, (
        {"pui_id": written.puis[f"pui-{site.code}"].pk, "structure_id": structures[code].pk}
        for site in SITES for code in dict.fromkeys(site.founders)))
    _through(Pui.partners.through, (
        {"pui_id": written.puis[f"pui-{site.code}"].pk, "structure_id": structures[code].pk}
        for site in SITES for code in site.partners))


def _write_accounts(plans: list[ApplicationPlan], written: _Written, password: str) -> None:
    users = []
    for account in DEMO_ACCOUNTS:
        first, _, last = account.full_name.partition(" ")
        superuser = account.role is Role.ADMINISTRATOR
        users.append(User(username=account.username, first_name=first, last_name=last,
                          email=f"{account.username}@{DEMO_EMAIL_DOMAIN}", password=password,
                          is_staff=superuser, is_superuser=superuser))
    demo_usernames = {account.username for account in DEMO_ACCOUNTS}
    for plan in plans:
        if plan.owner not in demo_usernames:
            users.append(User(username=plan.owner, email=f"{plan.owner}@{DEMO_EMAIL_DOMAIN}",
                              last_name=f"Coordination {plan.code}",
                              password="!compte-de-demonstration-sans-mot-de-passe"))
    created = User.objects.bulk_create(users)
    written.users = {user.username: user for user in created}
    roles = {account.username: account.role for account in DEMO_ACCOUNTS}
    Profile.objects.bulk_create(
        Profile(user=user, role=roles.get(user.username, Role.COORDINATOR).value)
        for user in created)


def _write_people(units: list[UnitPlan], plans: list[ApplicationPlan], names: _Names,
                  written: _Written) -> dict[str, str]:
    """Scientific leads (one per unit) and signatories (one per tutelle, and a unit director
    without delegation per faulty application); returns the signatory of each structure."""
    people = [Person(full_name=unit.lead, email=_email(unit.lead, unit.managing),
                     structure=written.structures[unit.managing]) for unit in units]
    signatories: dict[str, str] = {}
    for code in written.structures:
        signatories[code] = names.take()
        people.append(Person(full_name=signatories[code], email=_email(signatories[code], code),
                             structure=written.structures[code]))
    for plan in plans:
        if plan.unempowered_signature:
            director = names.take()
            signatories[f"{plan.code}:{plan.unempowered_signature}"] = director
            people.append(Person(full_name=director,
                                 email=_email(director, plan.unempowered_signature),
                                 structure=written.structures[plan.unempowered_signature]))
    created = Person.objects.bulk_create(people, batch_size=2000)
    written.people = {person.full_name: person for person in created}
    return signatories


def _email(full_name: str, structure: str) -> str:
    return f"{slugify(full_name).replace('-', '.')}@{structure}.example"


def _write_units(units: list[UnitPlan], written: _Written) -> None:
    structures = written.structures
    created = Unit.objects.bulk_create(
        (Unit(rnsr=unit.rnsr, name=unit.name, managing_tutelle=structures[unit.managing])
         for unit in units), batch_size=2000)
    written.units = {unit.rnsr: unit for unit in created}
    _through(Unit.tutelles.through, (
        {"unit_id": written.units[unit.rnsr].pk, "structure_id": structures[code].pk}
        for unit in units for code in unit.tutelles))
    Team.objects.bulk_create(Team(unit=written.units[unit.rnsr], name=team)
                             for unit in units for team in unit.teams)


def _write_applications(call: Call, plans: list[ApplicationPlan], written: _Written) -> None:
    created = Application.objects.bulk_create(
        (Application(call=call, code=plan.code, name=plan.name, kind=plan.kind,
                     coordinator=written.structures[plan.coordinator], theme=plan.theme,
                     theme_justification=plan.justification, status=plan.status,
                     reference_fte=sum((Decimal(v) for v in plan.former["perimeter_2019"]
                                        .values()), start=Decimal(0)) if plan.former else None)
         for plan in plans), batch_size=1000)
    written.applications = {application.code: application for application in created}
    apps = written.applications
    _through(Application.puis.through, (
        {"application_id": apps[plan.code].pk, "pui_id": written.puis[plan.pui].pk}
        for plan in plans if plan.pui))
    _through(Application.owners.through, (
        {"application_id": apps[plan.code].pk, "user_id": written.users[plan.owner].pk}
        for plan in plans))
    Alignment.objects.bulk_create(Alignment(application=apps[plan.code], kind=kind, name=name)
                                  for plan in plans for kind, name in plan.alignments)
    FormerCarnotReference.objects.bulk_create(
        FormerCarnotReference(application=apps[plan.code], **plan.former)
        for plan in plans if plan.former)


def _write_declarations(plans: list[ApplicationPlan], written: _Written) -> None:
    rows = [(plan, declaration) for plan in plans for declaration in plan.declarations]
    structures, apps = written.structures, written.applications
    created = ApplicationUnit.objects.bulk_create(
        (ApplicationUnit(
            application=apps[plan.code], unit=written.units[declaration.unit.rnsr],
            scientific_lead=written.people[declaration.unit.lead],
            managing_tutelle=structures[declaration.unit.managing],
            permanent_researchers_fte=declaration.fte,
            research_engineers_fte=declaration.unit.engineers,
            research_engineers_do_research=declaration.unit.engineers > 0,
            shared_with=apps[declaration.shared_with] if declaration.shared_with else None,
            partial=bool(declaration.teams))
         for plan, declaration in rows), batch_size=2000)
    _through(ApplicationUnit.tutelles.through, (
        {"applicationunit_id": saved.pk, "structure_id": structures[code].pk}
        for saved, (_, declaration) in zip(created, rows, strict=True)
        for code in declaration.unit.tutelles))
    partial = [(saved, declaration) for saved, (_, declaration) in zip(created, rows, strict=True)
               if declaration.teams]
    teams = {(team.unit_id, team.name): team.pk
             for team in Team.objects.filter(unit__in=[saved.unit_id for saved, _ in partial])}
    _through(ApplicationUnit.teams.through, (
        {"applicationunit_id": saved.pk, "team_id": teams[(saved.unit_id, name)]}
        for saved, declaration in partial for name in declaration.teams))


def _write_signatures(rng: random.Random, plans: list[ApplicationPlan], written: _Written,
                      signatories: dict[str, str]) -> None:
    signatures = []
    for plan in plans:
        required = sorted({code for d in plan.declarations for code in d.unit.tutelles})
        for code in required:
            if code == plan.missing_signature:
                continue
            structure = written.structures[code]
            empowered = code != plan.unempowered_signature
            person = signatories[code if empowered else f"{plan.code}:{code}"]
            signatures.append(Signature(
                application=written.applications[plan.code], structure=structure,
                signatory=written.people[person], empowered=empowered,
                empowerment=EMPOWERMENT.get(K(structure.kind), "Direction générale")
                if empowered else NOT_EMPOWERED,
                signed_on=date(2026, 1, 5) + timedelta(days=rng.randint(0, 290))))
    Signature.objects.bulk_create(signatures, batch_size=2000)


TRAIL = {Status.SUBMITTED: (Status.SUBMITTED,),
         Status.ADMISSIBLE: (Status.SUBMITTED, Status.ADMISSIBLE),
         Status.SELECTED: (Status.SUBMITTED, Status.ADMISSIBLE, Status.SELECTED)}


def _write_history(plans: list[ApplicationPlan], written: _Written) -> None:
    """Each application's creation and transitions in the audit log, as the services record
    them, written in bulk (a national call has thousands)."""
    officer = written.users[OFFICER_USERNAME]
    application_type = ContentType.objects.get_for_model(Application)
    events = []
    for plan in plans:
        application, owner = written.applications[plan.code], written.users[plan.owner]
        filed = {"content_type": application_type, "object_id": str(application.pk),
                 "object_label": str(application), "application_code": plan.code,
                 "call_year": DEMO_CALL_YEAR}
        events.append(AuditEvent(
            acting_user=owner, kind=EventKind.APPLICATION_CREATED, **filed,
            after={"code": plan.code, "name": plan.name, "kind": plan.kind,
                   "coordinator": plan.coordinator}))
        source = Status.DRAFT
        for target in TRAIL.get(Status(plan.status), ()):
            events.append(AuditEvent(
                acting_user=owner if target is Status.SUBMITTED else officer,
                kind=TRANSITION_EVENTS[target], **filed,
                before={"status": source.value}, after={"status": target.value},
                reason="" if target is Status.SUBMITTED else "Dossier complet et recevable."
                if target is Status.ADMISSIBLE else "Retenue par le comité de sélection."))
            source = target
    AuditEvent.objects.bulk_create(events, batch_size=2000)


def _write_unit_leads(written: _Written) -> None:
    """The demo unit lead heads three units of the demo coordinator's clean application."""
    clean = written.applications[CLEAN_APPLICATION]
    units = list(ApplicationUnit.objects.filter(application=clean)
                 .order_by("unit__rnsr").values_list("unit_id", flat=True)[:3])
    lead = written.users[UNIT_LEAD_USERNAME]
    _through(Unit.leads.through, ({"unit_id": unit, "user_id": lead.pk} for unit in units))


def plan_demo(*, scale: int = 1, seed: int = 2026) -> tuple[list[UnitPlan], list[ApplicationPlan]]:
    """The demo's units and applications, decided in memory (no database): deterministic."""
    units, applications, _ = _plan(scale, seed)
    return units, applications


def _plan(scale: int, seed: int) -> tuple[list[UnitPlan], list[ApplicationPlan], _Ctx]:
    if scale < 1:
        raise ValueError("scale doit valoir au moins 1")
    rng = random.Random(seed)
    kinds = {code: kind for code, _, kind, _, _ in _structure_specs(random.Random(seed))}
    ctx = _Ctx(rng, _Identifiers(rng), _Names(rng), kinds)
    units: list[UnitPlan] = []
    applications: list[ApplicationPlan] = []
    for copy in range(scale):
        planned = _plan_copy(ctx, copy)
        units += planned.units
        applications += planned.applications
    return units, applications, ctx


def build_demo(*, scale: int = 1, seed: int = 2026,
               on_step: Callable[[int, str], None] | None = None) -> DemoSummary:
    """Write the whole demo dataset in one transaction; ``on_step(index, label)`` is called
    before each of the ``STEPS``. Fails if the demo call already exists."""
    started = time.monotonic()
    step = on_step or (lambda index, label: None)
    units, plans, ctx = _plan(scale, seed)
    ledgers = plan_ledgers(units, plans, seed=seed, year=DEMO_CALL_YEAR)
    for plan in plans:
        if plan.former:  # the previous abondement, consistent with the ledgers' revenue
            plan.former["reference_abondement_cents"] = \
                ledgers.reference_abondement_cents[plan.code]
    written = _Written()
    deadline = (timezone.localtime() + timedelta(days=DEADLINE_IN_DAYS)).replace(
        hour=12, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        step(0, STEPS[0])
        call = Call.objects.create(year=DEMO_CALL_YEAR, deadline=deadline,
                                   status=CallStatus.OPEN)
        _write_structures(random.Random(seed), written)
        step(1, STEPS[1])
        _write_puis(written)
        step(2, STEPS[2])
        _write_accounts(plans, written, make_password(DEMO_PASSWORD))
        step(3, STEPS[3])
        signatories = _write_people(units, plans, ctx.names, written)
        step(4, STEPS[4])
        _write_units(units, written)
        step(5, STEPS[5])
        _write_applications(call, plans, written)
        step(6, STEPS[6])
        _write_declarations(plans, written)
        _write_unit_leads(written)
        step(7, STEPS[7])
        _write_signatures(ctx.rng, plans, written, signatories)
        step(8, STEPS[8])
        _write_history(plans, written)
        step(9, STEPS[9])
        counts = write_ledgers(ledgers, units=written.units, structures=written.structures)
        step(10, STEPS[10])
        run, grants, expenditures = publish_demo_allocation(
            call=call, officer=written.users[OFFICER_USERNAME],
            coordinator=written.users[COORDINATOR_USERNAME],
            coordinator_applications=COORDINATOR_APPLICATIONS)
        funding = summarise(plan=ledgers, written=counts, run=run, grants=grants,
                            expenditures=expenditures)
    kinds = {kind: sum(1 for plan in plans if plan.kind == kind)
             for kind in (TERRITORIAL, THEMATIC, FORMER)}
    return DemoSummary(
        call_year=DEMO_CALL_YEAR, deadline=deadline, structures=len(written.structures),
        puis=len(written.puis), units=len(units), applications=kinds,
        declarations=sum(len(plan.declarations) for plan in plans),
        shared_units=len({d.unit.rnsr for plan in plans for d in plan.declarations
                          if d.shared_with}),
        broken=BROKEN, clean_application=CLEAN_APPLICATION, accounts=DEMO_ACCOUNTS,
        password=DEMO_PASSWORD, seconds=time.monotonic() - started, funding=funding)


# --- is it there, and removing it --------------------------------------------------------------

def demo_is_loaded() -> bool:
    """The demo call exists."""
    return Call.objects.filter(year=DEMO_CALL_YEAR).exists()


def database_is_empty() -> bool:
    """No call, structure, unit nor application: the demo may be loaded without conflict."""
    return not (Call.objects.exists() or Structure.objects.exists() or Unit.objects.exists()
                or Application.objects.exists())


def demo_conflicts() -> list[str]:
    """What already in the database would stop the demo from loading (French)."""
    problems = []
    if demo_is_loaded():
        problems.append(f"l'appel {DEMO_CALL_YEAR} existe déjà")
    usernames = sorted(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
                       .values_list("username", flat=True))
    if usernames:
        problems.append(f"comptes déjà présents : {', '.join(usernames)}")
    codes = [spec[0] for spec in _structure_specs(random.Random(0))]
    clashes = Structure.objects.filter(code__in=codes).count()
    if clashes:
        problems.append(f"{clashes} structure(s) du jeu de démonstration déjà présentes")
    return problems


@transaction.atomic
def demo_reset() -> None:
    """Remove the demo: the demo call and all its applications, the demo accounts and what they
    did in the audit log (``audit_forget``: what others did to the demo stays), then every
    structure, PUI, unit and person that no remaining application uses; with them, the call's
    allocation runs, grants and expenditures, and the ledgers of the removed units."""
    remove_demo_funding(call_year=DEMO_CALL_YEAR, email_domain=DEMO_EMAIL_DOMAIN)
    Application.objects.filter(call__year=DEMO_CALL_YEAR).delete()
    Call.objects.filter(year=DEMO_CALL_YEAR).delete()
    accounts = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    audit_forget(users=accounts, reason="Jeu de démonstration retiré (carnot demo --reset).")
    accounts.delete()
    remove_orphan_ledgers()
    declared = ApplicationUnit.objects.values("unit_id")
    Unit.objects.exclude(pk__in=declared).delete()
    Person.objects.exclude(pk__in=ApplicationUnit.objects.exclude(scientific_lead=None)
                           .values("scientific_lead_id")).exclude(
        pk__in=Signature.objects.values("signatory_id")).delete()
    Pui.objects.exclude(pk__in=Application.puis.through.objects.values("pui_id")).delete()
    used = (Q(pk__in=Application.objects.values("coordinator_id"))
            | Q(pk__in=Unit.objects.values("managing_tutelle_id"))
            | Q(pk__in=Unit.tutelles.through.objects.values("structure_id"))
            | Q(pk__in=ApplicationUnit.objects.values("managing_tutelle_id"))
            | Q(pk__in=Signature.objects.values("structure_id"))
            | Q(pk__in=Pui.founders.through.objects.values("structure_id"))
            | Q(pk__in=Pui.partners.through.objects.values("structure_id")))
    Structure.objects.exclude(used).delete()


def demo_counts() -> dict[str, int]:
    """What the database holds now, for the welcome message."""
    return {"applications": Application.objects.filter(call__year=DEMO_CALL_YEAR).count(),
            "units": Unit.objects.count(), "puis": Pui.objects.count(),
            "structures": Structure.objects.count()}
