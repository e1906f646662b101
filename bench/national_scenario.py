"""A synthetic national Carnot scenario, deterministic for a given seed, for the benchmark.

``build_national_scenario()`` returns the JSON document of a whole national call at the scale
of the issue (60 consortia, 3,000 units, 200,000 contracts signed 2022–2026): real-looking
structures (universities, CNRS, Inserm, INRAE, CEA, schools, CTIs…), one PUI per territorial
consortium with founders and partners, thematic multi-tutelle consortia with a theme and
alignments, a handful of former Carnot 4 institutes, a few percent of units shared between a
territorial and a thematic consortium, every tutelle's signature, FTE for 2024 and 2025, and
contracts with the network's category mix (about 40 % with TPE/PME/ETI).

Figures follow ``shared/domain/network-facts.md`` in shape, not in volume: the benchmark has
four times the real number of contracts a year, on purpose.

    uv run python bench/national_scenario.py OUT.json [--contracts N] [--seed S] [--check]
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from carnot.scenario.loader import ScenarioError, scenario_from_json

DEFAULT_SEED = 2026
CALL_YEAR = 2026
FIRST_CONTRACT_YEAR = 2022
LAST_CONTRACT_YEAR = 2026
FTE_YEARS = (2024, 2025)
RNSR_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
SHARED_UNIT_SHARE = 0.03
"""Share of units declared in both a territorial and a thematic consortium (FAQ-2.17, 2.21)."""

# --- reference data --------------------------------------------------------------------------

# (site, PUI name, region, city, universities, schools): one PUI per site, in this order.
SITES: list[tuple[str, str, str, str, list[tuple[str, str]], list[tuple[str, str]]]] = [
    ("normandie", "PUI Normandie Université", "Normandie", "Caen",
     [("unicaen", "Université de Caen Normandie"), ("univ-rouen", "Université de Rouen Normandie")],
     [("insa-rouen", "INSA Rouen Normandie")]),
    ("clermont", "PUI Université Clermont Auvergne", "Auvergne-Rhône-Alpes", "Clermont-Ferrand",
     [("uca", "Université Clermont Auvergne")], [("clermont-inp", "Clermont Auvergne INP")]),
    ("sorbonne", "PUI Alliance Sorbonne Université", "Île-de-France", "Paris",
     [("sorbonne-universite", "Sorbonne Université")],
     [("utc", "Université de technologie de Compiègne")]),
    ("strasbourg", "PUI Université de Strasbourg", "Grand Est", "Strasbourg",
     [("unistra", "Université de Strasbourg"), ("uha", "Université de Haute-Alsace")],
     [("insa-strasbourg", "INSA Strasbourg")]),
    ("montpellier", "PUI Université de Montpellier", "Occitanie", "Montpellier",
     [("umontpellier", "Université de Montpellier")],
     [("enscm", "École nationale supérieure de chimie de Montpellier")]),
    ("psl", "PUI PSL", "Île-de-France", "Paris", [("psl", "Université PSL")],
     [("mines-paris", "Mines Paris – PSL"), ("espci", "ESPCI Paris – PSL")]),
    ("toulouse", "PUI Toulouse", "Occitanie", "Toulouse",
     [("ut3", "Université Toulouse III – Paul Sabatier"),
      ("ut-capitole", "Université Toulouse Capitole")],
     [("insa-toulouse", "INSA Toulouse"), ("toulouse-inp", "Toulouse INP")]),
    ("lille", "PUI Lille", "Hauts-de-France", "Lille", [("ulille", "Université de Lille")],
     [("centrale-lille", "Centrale Lille Institut")]),
    ("provence", "PUI Provence – Aix-Marseille", "Provence-Alpes-Côte d'Azur", "Marseille",
     [("amu", "Aix-Marseille Université")], [("centrale-med", "Centrale Méditerranée")]),
    ("reims", "PUI Reims Champagne-Ardenne", "Grand Est", "Reims",
     [("urca", "Université de Reims Champagne-Ardenne")],
     [("utt", "Université de technologie de Troyes")]),
    ("bordeaux", "PUI Bordeaux", "Nouvelle-Aquitaine", "Bordeaux",
     [("ubordeaux", "Université de Bordeaux")], [("bordeaux-inp", "Bordeaux INP")]),
    ("grenoble", "PUI Grenoble Alpes", "Auvergne-Rhône-Alpes", "Grenoble",
     [("uga", "Université Grenoble Alpes")], [("grenoble-inp", "Grenoble INP – UGA")]),
    ("lyon", "PUI Lyon Saint-Étienne", "Auvergne-Rhône-Alpes", "Lyon",
     [("ucbl", "Université Claude Bernard Lyon 1"), ("ujm", "Université Jean Monnet")],
     [("insa-lyon", "INSA Lyon"), ("ec-lyon", "École centrale de Lyon")]),
    ("nantes", "PUI Nantes", "Pays de la Loire", "Nantes",
     [("nantes-universite", "Nantes Université")], [("centrale-nantes", "Centrale Nantes")]),
    ("rennes", "PUI Rennes", "Bretagne", "Rennes", [("univ-rennes", "Université de Rennes")],
     [("insa-rennes", "INSA Rennes")]),
    ("saclay", "PUI Paris-Saclay", "Île-de-France", "Orsay",
     [("paris-saclay", "Université Paris-Saclay")],
     [("polytechnique", "École polytechnique"), ("centralesupelec", "CentraleSupélec")]),
    ("paris-cite", "PUI Université Paris Cité", "Île-de-France", "Paris",
     [("u-paris", "Université Paris Cité")], []),
    ("lorraine", "PUI Lorraine", "Grand Est", "Nancy",
     [("univ-lorraine", "Université de Lorraine")], []),
    ("cote-azur", "PUI Côte d'Azur", "Provence-Alpes-Côte d'Azur", "Nice",
     [("univ-cotedazur", "Université Côte d'Azur")], []),
    ("bfc", "PUI Bourgogne-Franche-Comté", "Bourgogne-Franche-Comté", "Dijon",
     [("ubourgogne", "Université de Bourgogne"), ("ufc", "Université de Franche-Comté")],
     [("utbm", "Université de technologie de Belfort-Montbéliard")]),
    ("poitiers", "PUI Poitiers", "Nouvelle-Aquitaine", "Poitiers",
     [("univ-poitiers", "Université de Poitiers")], [("isae-ensma", "ISAE-ENSMA")]),
    ("centre-vdl", "PUI Centre-Val de Loire", "Centre-Val de Loire", "Tours",
     [("univ-tours", "Université de Tours"), ("univ-orleans", "Université d'Orléans")], []),
    ("limoges", "PUI Limoges", "Nouvelle-Aquitaine", "Limoges",
     [("unilim", "Université de Limoges")], []),
    ("picardie", "PUI Picardie", "Hauts-de-France", "Amiens",
     [("u-picardie", "Université de Picardie Jules Verne")], []),
    ("brest", "PUI Bretagne occidentale", "Bretagne", "Brest",
     [("ubo", "Université de Bretagne Occidentale")], [("imt-atlantique", "IMT Atlantique")]),
    ("savoie", "PUI Savoie Mont Blanc", "Auvergne-Rhône-Alpes", "Chambéry",
     [("usmb", "Université Savoie Mont Blanc")], []),
    ("pau", "PUI Pau Pays de l'Adour", "Nouvelle-Aquitaine", "Pau",
     [("univ-pau", "Université de Pau et des Pays de l'Adour")], []),
    ("eiffel", "PUI Gustave Eiffel", "Île-de-France", "Champs-sur-Marne",
     [("univ-eiffel", "Université Gustave Eiffel")],
     [("enpc", "École nationale des ponts et chaussées")]),
    ("cergy", "PUI CY Cergy Paris", "Île-de-France", "Cergy",
     [("cyu", "CY Cergy Paris Université")], []),
    ("anjou-maine", "PUI Angers – Le Mans", "Pays de la Loire", "Angers",
     [("univ-angers", "Université d'Angers"), ("univ-lemans", "Le Mans Université")], []),
]

# (id, name, kind, region): national research organisations and other tutelles.
ORGANISATIONS = [
    ("cnrs", "CNRS", "epst", "Île-de-France"),
    ("inserm", "Inserm", "epst", "Île-de-France"),
    ("inrae", "INRAE", "epst", "Île-de-France"),
    ("inria", "Inria", "epst", "Île-de-France"),
    ("cea", "CEA", "epic", "Île-de-France"),
    ("ifpen", "IFP Énergies nouvelles", "epic", "Île-de-France"),
    ("brgm", "BRGM", "epic", "Centre-Val de Loire"),
    ("onera", "ONERA", "epic", "Île-de-France"),
    ("ifremer", "Ifremer", "epic", "Bretagne"),
    ("imt", "Institut Mines-Télécom", "school", "Île-de-France"),
    ("arts-et-metiers", "Arts et Métiers", "school", "Île-de-France"),
    ("institut-curie", "Institut Curie", "foundation", "Île-de-France"),
    ("institut-pasteur", "Institut Pasteur", "foundation", "Île-de-France"),
    ("ap-hp", "AP-HP", "hospital", "Île-de-France"),
    ("cetim", "Cetim", "cti", "Hauts-de-France"),
    ("ifth", "IFTH", "cti", "Hauts-de-France"),
    ("cerib", "Cerib", "cti", "Centre-Val de Loire"),
    ("ctif", "CTIF", "cti", "Île-de-France"),
]
EPIC_OR_CTI = {"cea", "ifpen", "brgm", "onera", "ifremer", "cetim", "ifth", "cerib", "ctif"}

# Organisations that co-found PUIs, with the probability that they found a given one.
PUI_ORGANISATIONS = [("cnrs", 1.0), ("inserm", 0.7), ("inrae", 0.5), ("inria", 0.35),
                     ("cea", 0.25)]
# Co-tutelles of a territorial unit besides its university, with their probabilities.
TERRITORIAL_COTUTELLES = [("cnrs", 0.55), ("inserm", 0.2), ("inrae", 0.12), ("inria", 0.06),
                          ("cea", 0.05)]

CLUSTERS = {
    "Normandie": ["Nextmove"],
    "Auvergne-Rhône-Alpes": ["Minalogic", "Axelera", "Tenerrdis"],
    "Île-de-France": ["Systematic Paris-Region", "Medicen Paris Region"],
    "Grand Est": ["BioValley France", "Materalia"],
    "Occitanie": ["Aerospace Valley", "Eurobiomed"],
    "Hauts-de-France": ["i-Trans", "Matikem"],
    "Provence-Alpes-Côte d'Azur": ["Capenergies", "SAFE Cluster"],
    "Nouvelle-Aquitaine": ["Alpha-RLH", "Xylofutur"],
    "Pays de la Loire": ["EMC2", "Atlanpole Biotherapies"],
    "Bretagne": ["Images & Réseaux", "Pôle Mer Bretagne Atlantique"],
    "Bourgogne-Franche-Comté": ["Vitagora", "Pôle Véhicule du Futur"],
    "Centre-Val de Loire": ["Cosmetic Valley", "Elastopole"],
}

# (slug, theme, tutelle organisations, alignments): one thematic consortium each, in order.
THEMES: list[tuple[str, str, list[str], list[tuple[str, str]]]] = [
    ("hydrogene", "Hydrogène et énergies décarbonées", ["cea", "cnrs", "ifpen"],
     [("SNA", "Hydrogène décarboné"), ("PEPR", "H2")]),
    ("batteries", "Batteries et stockage de l'énergie", ["cnrs", "cea"],
     [("SNA", "Batteries"), ("PEPR", "Batteries")]),
    ("cyber", "Cybersécurité", ["inria", "cnrs"],
     [("SNA", "Cybersécurité"), ("PEPR", "Cybersécurité")]),
    ("sante-numerique", "Santé numérique", ["inserm", "inria"],
     [("SNA", "Santé numérique"), ("PEPR", "Santé numérique")]),
    ("biotherapies", "Biothérapies et bioproduction", ["inserm", "cnrs"],
     [("SNA", "Biothérapies et bioproduction de thérapies innovantes")]),
    ("infectiologie", "Maladies infectieuses émergentes", ["inserm", "institut-pasteur"],
     [("SNA", "Maladies infectieuses émergentes"), ("PEPR", "MIE")]),
    ("materiaux", "Matériaux avancés", ["cnrs", "cea"],
     [("PEPR", "DIADEM"), ("CSF", "Chimie et matériaux")]),
    ("agroecologie", "Agroécologie et numérique", ["inrae", "inria"],
     [("PEPR", "Agroécologie et numérique"), ("SNA", "Systèmes agricoles durables")]),
    ("alimentation", "Alimentation durable et favorable à la santé", ["inrae", "inserm"],
     [("SNA", "Alimentation durable et favorable à la santé"), ("CSF", "Agroalimentaire")]),
    ("aero", "Aéronautique et spatial", ["onera", "cnrs"],
     [("CSF", "Aéronautique"), ("SNA", "Spatial")]),
    ("mobilites", "Mobilités décarbonées", ["ifpen", "cnrs"],
     [("CSF", "Automobile"), ("SNA", "Digitalisation et décarbonation des mobilités")]),
    ("quantique", "Technologies quantiques", ["cnrs", "cea"],
     [("SNA", "Technologies quantiques"), ("PEPR", "Quantique")]),
    ("ia", "Intelligence artificielle de confiance", ["inria", "cnrs"],
     [("SNA", "Intelligence artificielle"), ("PEPR", "IA")]),
    ("reseaux", "Cloud et réseaux du futur", ["inria", "imt"],
     [("SNA", "Cloud"), ("PEPR", "Réseaux du futur"), ("SNA", "5G et futures technologies")]),
    ("recyclage", "Recyclage et réincorporation des matériaux", ["brgm", "cnrs"],
     [("SNA", "Recyclabilité, recyclage et réincorporation des matériaux"),
      ("PEPR", "Recyclage")]),
    ("sous-sol", "Sous-sol et métaux critiques", ["brgm", "cnrs"],
     [("PEPR", "Sous-sol, bien commun"), ("CSF", "Mines et métallurgie")]),
    ("ocean", "Océan et ressources marines", ["ifremer", "cnrs"],
     [("PEPR", "Océan et climat"), ("CSF", "Industriels de la mer")]),
    ("ville-durable", "Villes et bâtiments durables", ["cnrs", "cerib"],
     [("SNA", "Solutions pour la ville durable et les bâtiments innovants"),
      ("CSF", "Industries pour la construction")]),
    ("decarbonation", "Décarbonation de l'industrie", ["cea", "ifpen"],
     [("SNA", "Décarbonation de l'industrie"), ("CSF", "Nouveaux systèmes énergétiques")]),
    ("electronique", "Électronique et composants", ["cea", "cnrs"],
     [("CSF", "Industrie électronique"), ("PEPR", "Électronique")]),
    ("industrie-futur", "Industrie du futur et procédés", ["cnrs", "cetim"],
     [("CSF", "Solutions industrie du futur")]),
    ("eau", "Eau et environnement", ["inrae", "brgm"],
     [("PEPR", "OneWater"), ("CSF", "Transformation et valorisation des déchets")]),
    ("biosources", "Produits biosourcés", ["inrae", "cnrs"],
     [("SNA", "Produits biosourcés et carburants durables"), ("PEPR", "B-BEST")]),
    ("neurosciences", "Santé mentale et neurosciences", ["inserm", "cnrs"],
     [("PEPR", "PROPSY"), ("CSF", "Industries et technologies de santé")]),
    ("oncologie", "Cancer et oncologie", ["inserm", "institut-curie"],
     [("CSF", "Industries et technologies de santé")]),
    ("nucleaire", "Nucléaire innovant", ["cea", "cnrs"], [("CSF", "Nucléaire")]),
    ("emr", "Énergies renouvelables en mer", ["ifremer", "cea"],
     [("PEPR", "TASE"), ("CSF", "Industries des nouveaux systèmes énergétiques")]),
    ("textiles", "Mode, luxe et textiles techniques", ["cnrs", "ifth"], [("CSF", "Mode et luxe")]),
    ("sport", "Sport et bien-être", ["inserm", "cnrs"],
     [("PEPR", "Sport de très haute performance")]),
    ("robotique", "Robotique et systèmes autonomes", ["inria", "cnrs", "cea"],
     [("PEPR", "O2R"), ("CSF", "Solutions industrie du futur")]),
]

# (id, name, coordinator, tutelle sets of its units, partial units): former Carnot 4 institutes.
FORMER_CARNOTS: list[tuple[str, str, str, list[list[str]], int]] = [
    ("fc-cea-list", "CEA-List", "cea", [["cea"]], 0),
    ("fc-cetim", "Cetim", "cetim", [["cetim"]], 0),
    ("fc-ifpen-te", "IFPEN Transports Énergie", "ifpen", [["ifpen"]], 0),
    ("fc-curie-cancer", "Curie-Cancer", "institut-curie",
     [["institut-curie", "inserm"], ["institut-curie", "cnrs"], ["institut-curie"]], 2),
    ("fc-brgm", "BRGM", "brgm", [["brgm"]], 0),
    ("fc-cea-leti", "CEA-Leti", "cea", [["cea"]], 0),
    ("fc-aphp", "Carnot@AP-HP", "ap-hp", [["ap-hp", "inserm"], ["ap-hp"]], 1),
    ("fc-mines", "M.I.N.E.S", "imt", [["imt"], ["imt", "cnrs"]], 0),
    ("fc-arts", "ARTS", "arts-et-metiers", [["arts-et-metiers"], ["arts-et-metiers", "cnrs"]], 0),
]

FIRST_NAMES = ["Anne", "Paul", "Marie", "Jean", "Claire", "Luc", "Sophie", "Pierre", "Julie",
               "Nicolas", "Camille", "Thomas", "Léa", "Antoine", "Inès", "Hugo", "Chloé",
               "Mathieu", "Sarah", "Olivier", "Emma", "Julien", "Manon", "Karim", "Élodie",
               "François", "Nadia", "Vincent", "Aurélie", "Yann", "Hélène", "Rémi", "Amina",
               "Stéphane", "Laure", "Benoît", "Fatima", "Guillaume", "Céline", "Damien"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
              "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
              "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
              "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas",
              "Perrin", "Morin", "Mathieu", "Clement", "Gauthier", "Dumont", "Lopez", "Fontaine",
              "Chevalier", "Robin", "Masson", "Benali", "Nguyen", "Haddad", "Le Gall", "Kerbrat"]
LAB_KINDS = ["Laboratoire", "Institut", "Centre de recherche", "Unité", "Équipe d'accueil"]
LAB_TOPICS = ["de mécanique et génie civil", "de chimie moléculaire", "des sciences du numérique",
              "de physique des matériaux", "de biologie cellulaire", "d'immunologie",
              "de génie des procédés", "d'électronique et de photonique", "de neurosciences",
              "d'agronomie et environnement", "de mathématiques appliquées",
              "des sciences de la Terre", "de pharmacologie", "d'informatique et systèmes",
              "d'énergétique", "de microbiologie", "de robotique", "de génétique",
              "des matériaux polymères", "d'océanographie", "de cancérologie",
              "de catalyse", "d'optique", "de nutrition humaine", "d'hydrologie"]
COMPANY_STEMS = ["Alti", "Bio", "Cryo", "Dyna", "Electro", "Ferro", "Géo", "Hydro", "Info",
                 "Laser", "Méca", "Nano", "Opti", "Photo", "Quanta", "Robo", "Sol", "Thermo",
                 "Vita", "Xylo", "Agri", "Aéro", "Cosmo", "Dermo", "Éco", "Flui", "Gen",
                 "Hélio", "Lumi", "Micro"]
COMPANY_SUFFIXES = ["tech", "gen", "sys", "nov", "lab", "tronic", "pharm", "mat", "flow", "data",
                    "log", "med", "form", "vision", "pulse"]
LARGE_GROUPS = ["Airbus", "Safran", "Thales", "Stellantis", "Renault", "TotalEnergies", "EDF",
                "Engie", "Saint-Gobain", "Michelin", "L'Oréal", "Sanofi", "Servier",
                "Air Liquide", "Arkema", "Dassault Systèmes", "Orange", "Schneider Electric",
                "Valeo", "Naval Group", "Framatome", "Orano", "Veolia", "Suez", "Danone",
                "Bouygues", "Vinci", "STMicroelectronics", "bioMérieux", "Ipsen", "Legrand",
                "Alstom", "SNCF", "Eramet", "Imerys", "Solvay", "Roquette", "Tereos", "Nexans",
                "Dassault Aviation", "MBDA", "ArianeGroup", "Plastic Omnium", "Forvia"]

# Contract category mix: about 40 % with TPE/PME/ETI, as in the network's figures.
CATEGORY_WEIGHTS = {"micro": 9, "sme": 19, "midcap": 12, "large": 43, "local_authority": 6,
                    "crt_member": 2, "other": 9}
COMPANY_CATEGORIES = {"micro", "sme", "midcap", "large"}


# --- helpers --------------------------------------------------------------------------------

def euros(cents: int) -> int | float:
    """An amount in cents as a JSON number of euros with at most two decimals.

    Whole euros are integers; otherwise ``cents / 100`` is the float nearest to the decimal
    value, whose ``repr`` (what ``json`` writes) is that decimal exactly.
    """
    whole, rest = divmod(cents, 100)
    return whole if rest == 0 else cents / 100


def _slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _split(rng: random.Random, total: int, weights: list[float], minimum: int) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder), each part ≥ minimum."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"{total} cannot give {minimum} to each of {len(weights)} parts")
    weight_sum = sum(weights)
    quotas = [spare * weight / weight_sum for weight in weights]
    parts = [int(quota) for quota in quotas]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - quotas[i], i))
    for index in order[:spare - sum(parts)]:
        parts[index] += 1
    return [minimum + part for part in parts]


@dataclass
class _Unit:
    rnsr: str
    name: str
    tutelles: list[str]
    managing: str
    lead: str
    fte: dict[str, Any]
    research_fte: float
    partial: bool = False
    holders: list[str] = field(default_factory=list)

    def declaration(self, shared_with: str | None) -> dict[str, Any]:
        declared: dict[str, Any] = {
            "rnsr": self.rnsr, "name": self.name, "tutelles": self.tutelles,
            "managing_tutelle": self.managing, "scientific_lead": self.lead, "fte": self.fte,
        }
        if self.partial:
            declared["partial"] = True
        if shared_with is not None:
            declared["shared_with"] = shared_with
        return declared


@dataclass
class _Draft:
    """An application being built: its own units, and shared units it joins."""

    id: str
    name: str
    kind: str
    coordinator: str
    units: list[_Unit]
    extra: dict[str, Any]
    joined: list[_Unit] = field(default_factory=list)
    shared_with: dict[str, str] = field(default_factory=dict)


class _Generator:
    def __init__(self, consortia: int, units: int, contracts: int, seed: int) -> None:
        if consortia < 3:
            raise ValueError("at least 3 consortia (one of each kind)")
        self.rng = random.Random(seed)
        self.contracts = contracts
        self.n_former = max(1, round(consortia * 0.08))
        self.n_territorial = max(1, round(consortia * 0.42))
        self.n_thematic = consortia - self.n_former - self.n_territorial
        if self.n_thematic < 1:
            raise ValueError("not enough consortia for a thematic one")
        if units < 3 * consortia:
            raise ValueError("at least 3 units per consortium")
        self.n_units = units
        self.structures: list[dict[str, Any]] = []
        self.puis: list[dict[str, Any]] = []
        self.region_of: dict[str, str] = {}
        self.city_of: dict[str, str] = {}
        self.site_members: list[tuple[dict[str, Any], str, list[str], list[str]]] = []
        self.rnsrs: set[str] = set()
        self.units: list[_Unit] = []

    # -- structures and PUIs -----------------------------------------------------------------

    def _structure(self, identifier: str, name: str, kind: str, region: str,
                   **extra: Any) -> None:
        if identifier in self.region_of:
            return
        self.region_of[identifier] = region
        self.structures.append({"id": identifier, "name": name, "kind": kind, "region": region,
                                **extra})

    def sites(self) -> list[tuple[str, str, str, str, list[tuple[str, str]],
                                  list[tuple[str, str]]]]:
        """The real sites, then numbered synthetic ones if more PUIs are asked for."""
        sites = list(SITES)
        for number in itertools.count(1):
            if len(sites) >= self.n_territorial:
                break
            base = SITES[(number - 1) % len(SITES)]
            sites.append((f"{base[0]}-{number}", f"{base[1]} {number}", base[2], base[3],
                          [(f"{uid}-{number}", f"{name} ({number})") for uid, name in base[4]],
                          [(f"{sid}-{number}", f"{name} ({number})") for sid, name in base[5]]))
        return sites

    def build_structures(self) -> None:
        rng = self.rng
        for identifier, name, kind, region in ORGANISATIONS:
            self._structure(identifier, name, kind, region)
        for region, clusters in CLUSTERS.items():
            region_slug = _slug(region).replace("'", "")
            self._structure(f"satt-{region_slug}", f"SATT {region}", "company", region,
                            siren=_siren(rng))
            self._structure(f"crt-{region_slug}", f"CRT {region} Innovation", "crt", region)
            self._structure(f"incubateur-{region_slug}", f"Incubateur {region}", "association",
                            region)
            for cluster in clusters:
                self._structure(f"pole-{_slug(cluster)}", f"Pôle {cluster}",
                                "competitiveness_cluster", region)
        for site, pui_name, region, city, universities, schools in self.sites():
            for identifier, name in universities:
                self._structure(identifier, name, "university", region)
                self.city_of.setdefault(identifier, city)
            for identifier, name in schools:
                self._structure(identifier, name, "school", region)
                self.city_of.setdefault(identifier, city)
            region_slug = _slug(region).replace("'", "")
            organisations = [org for org, chance in PUI_ORGANISATIONS if rng.random() < chance]
            founders = [uid for uid, _ in universities] + [sid for sid, _ in schools]
            founders += [*organisations, f"satt-{region_slug}", f"incubateur-{region_slug}"]
            partners = [f"crt-{region_slug}"]
            partners += [f"pole-{_slug(cluster)}" for cluster in CLUSTERS[region]]
            pui = {"id": f"pui-{site}", "name": pui_name, "founders": founders,
                   "partners": partners, "region": region}
            self.site_members.append((pui, city, [uid for uid, _ in universities],
                                      [sid for sid, _ in schools]))
        self.puis = [pui for pui, _, _, _ in self.site_members[:self.n_territorial]]

    # -- units --------------------------------------------------------------------------------

    def new_rnsr(self) -> str:
        while True:
            year = self.rng.randint(1970, 2024)
            serial = self.rng.randint(0, 99999)
            rnsr = f"{year}{serial:05d}{self.rng.choice(RNSR_LETTERS)}"
            if rnsr not in self.rnsrs:
                self.rnsrs.add(rnsr)
                return rnsr

    def new_unit(self, tutelles: list[str], city: str, partial: bool = False) -> _Unit:
        rng = self.rng
        permanent = round(min(150.0, max(2.0, rng.lognormvariate(math.log(9), 0.7))), 1)
        fte: dict[str, Any] = {}
        engineers_count = any(tutelle in EPIC_OR_CTI for tutelle in tutelles)
        engineers = round(permanent * rng.uniform(0.2, 0.8), 1) if engineers_count else 0.0
        research = permanent + engineers
        with_spec = engineers_count or rng.random() < 0.1
        for year in FTE_YEARS:
            drift = 1.0 if year == 2025 else rng.uniform(0.93, 1.05)
            researchers = round(permanent * drift, 1)
            if not with_spec:
                fte[str(year)] = researchers
                continue
            spec_engineers = engineers if engineers_count else round(rng.uniform(0.5, 6), 1)
            fte[str(year)] = {"permanent_researchers": researchers,
                              "research_engineers": round(spec_engineers * drift, 1),
                              "research_engineers_do_research": engineers_count}
        managing = tutelles[0] if rng.random() < 0.8 else rng.choice(tutelles)
        name = f"{rng.choice(LAB_KINDS)} {rng.choice(LAB_TOPICS)} de {city}"
        unit = _Unit(self.new_rnsr(), name, tutelles, managing, _person(rng), fte, research,
                     partial)
        self.units.append(unit)
        return unit

    def unit_sizes(self) -> list[int]:
        """Distinct units of each consortium: former Carnots, territorial, then thematic."""
        rng = self.rng
        weights = ([rng.uniform(0.5, 1.2) for _ in range(self.n_former)]
                   + [rng.uniform(0.9, 1.8) for _ in range(self.n_territorial)]
                   + [rng.uniform(0.6, 1.5) for _ in range(self.n_thematic)])
        return _split(rng, self.n_units, weights, minimum=3)

    # -- applications ------------------------------------------------------------------------

    def signatures(self, declared: list[dict[str, Any]]) -> list[dict[str, Any]]:
        tutelles = sorted({tutelle for unit in declared for tutelle in unit["tutelles"]})
        first = date(CALL_YEAR, 3, 16)
        return [{"structure": tutelle, "signatory": _person(self.rng),
                 "signed_on": (first + timedelta(days=self.rng.randint(0, 45))).isoformat()}
                for tutelle in tutelles]

    def former_drafts(self, sizes: list[int]) -> list[_Draft]:
        drafts = []
        for number, size in enumerate(sizes):
            base_id, name, coordinator, tutelle_sets, partial = (
                FORMER_CARNOTS[number % len(FORMER_CARNOTS)])
            suffix = "" if number < len(FORMER_CARNOTS) else f"-{number // len(FORMER_CARNOTS)}"
            cities = [site[3] for site in SITES]
            units = [self.new_unit(list(self.rng.choice(tutelle_sets)), self.rng.choice(cities),
                                   partial=index < partial) for index in range(size)]
            drafts.append(_Draft(base_id + suffix, name + suffix, "former_carnot", coordinator,
                                 units, {"former_carnot": self.former_block(units)}))
        return drafts

    def territorial_drafts(self, sizes: list[int]) -> list[_Draft]:
        drafts = []
        for (pui, city, universities, schools), size in zip(self.site_members, sizes,
                                                            strict=False):
            local = universities * 4 + schools
            units = []
            for _ in range(size):
                tutelles = [self.rng.choice(local)]
                tutelles += [org for org, chance in TERRITORIAL_COTUTELLES
                             if org in pui["founders"] and self.rng.random() < chance]
                units.append(self.new_unit(tutelles, city))
            drafts.append(_Draft("terr-" + pui["id"].removeprefix("pui-"),
                                 f"Carnot territorial {pui['name'].removeprefix('PUI ')}",
                                 "territorial", pui["founders"][0],
                                 units, {"puis": [pui["id"]]}))
        return drafts

    def thematic_drafts(self, sizes: list[int]) -> list[_Draft]:
        rng = self.rng
        universities = [uid for _, _, site_universities, schools in self.site_members
                        for uid in site_universities + schools]
        drafts = []
        for number, size in enumerate(sizes):
            slug, theme, organisations, alignments = THEMES[number % len(THEMES)]
            suffix = "" if number < len(THEMES) else f"-{number // len(THEMES)}"
            units = []
            for _ in range(size):
                tutelles = [rng.choice(universities), rng.choice(organisations)]
                if len(organisations) > 1 and rng.random() < 0.25:
                    tutelles.append(rng.choice(organisations))
                units.append(self.new_unit(list(dict.fromkeys(tutelles)),
                                           self.city_of[tutelles[0]]))
            extra = {"theme": theme + suffix,
                     "alignments": [{"kind": kind, "name": name} for kind, name in alignments]}
            drafts.append(_Draft(f"them-{slug}{suffix}", f"Carnot {theme}{suffix}", "thematic",
                                 organisations[0], units, extra))
        return drafts

    def share_units(self, territorials: list[_Draft], thematics: list[_Draft]) -> None:
        """A few percent of territorial units also join a thematic consortium (FAQ-2.21),
        declared on both sides with the other's id and the same FTE (FAQ-2.17)."""
        candidates = [(draft, unit) for draft in territorials for unit in draft.units]
        count = min(len(candidates), round(self.n_units * SHARED_UNIT_SHARE))
        for index in sorted(self.rng.sample(range(len(candidates)), count)):
            territorial, unit = candidates[index]
            thematic = self.rng.choice(thematics)
            thematic.joined.append(unit)
            territorial.shared_with[unit.rnsr] = thematic.id
            thematic.shared_with[unit.rnsr] = territorial.id

    def build_applications(self) -> list[dict[str, Any]]:
        sizes = self.unit_sizes()
        formers = self.former_drafts(sizes[:self.n_former])
        territorials = self.territorial_drafts(
            sizes[self.n_former:self.n_former + self.n_territorial])
        thematics = self.thematic_drafts(sizes[self.n_former + self.n_territorial:])
        self.share_units(territorials, thematics)
        applications = []
        for draft in (*formers, *territorials, *thematics):
            declared = [unit.declaration(draft.shared_with.get(unit.rnsr))
                        for unit in (*draft.units, *draft.joined)]
            for unit in (*draft.units, *draft.joined):
                unit.holders.append(draft.kind)
            applications.append({
                "id": draft.id, "name": draft.name, "kind": draft.kind,
                "coordinator": draft.coordinator, **draft.extra, "units": declared,
                "signatures": self.signatures(declared),
            })
        return applications

    def former_block(self, units: list[_Unit]) -> dict[str, Any]:
        """The 2019 perimeter (close to today's, ±a few %), units present each year 2023–2026
        (a couple joined in 2024, one left after 2023), the previous year's abondement."""
        rng = self.rng
        perimeter = {unit.rnsr: round(unit.research_fte * rng.uniform(0.94, 1.06), 1)
                     for unit in units}
        left = self.new_rnsr()
        perimeter[left] = round(rng.uniform(2, 6), 1)
        current = [unit.rnsr for unit in units]
        joined = set(rng.sample(current, min(2, len(current) - 1)))
        by_year = {"2023": sorted([left, *(rnsr for rnsr in current if rnsr not in joined)]),
                   "2024": sorted(current), "2025": sorted(current), "2026": sorted(current)}
        abondement = rng.randint(80_000, 350_000) * 1_000
        return {"perimeter_2019": perimeter, "units_by_year": by_year,
                "reference_abondement": euros(abondement)}

    # -- contracts ---------------------------------------------------------------------------

    def partner_pools(self) -> dict[str, tuple[list[str], list[float]]]:
        rng = self.rng

        def companies(count: int, legal: list[str]) -> list[str]:
            names = []
            for number in range(count):
                stem, suffix = rng.choice(COMPANY_STEMS), rng.choice(COMPANY_SUFFIXES)
                names.append(f"{stem}{suffix} {rng.choice(legal)} {number:04d}")
            return names

        regions = list(CLUSTERS)
        cities = [site[3] for site in SITES]
        pools = {
            "micro": companies(2500, ["SAS", "SARL", "SASU"]),
            "sme": companies(3500, ["SAS", "SA", "SARL"]),
            "midcap": companies(700, ["SA", "SAS"]),
            "large": LARGE_GROUPS + [f"Groupe {name}" for name in companies(150, ["SA"])],
            "local_authority": ([f"Région {region}" for region in regions]
                                + [f"Métropole de {city}" for city in cities]),
            "crt_member": [f"CRT {region} Innovation" for region in regions],
            "other": ([f"Fondation {name}" for name in companies(60, ["Recherche"])]
                      + ["Ademe", "Bpifrance", "Agence de l'eau Seine-Normandie", "CNES",
                         "Office français de la biodiversité", "Commission européenne"]),
        }
        # A few partners place many contracts: Zipf-like weights.
        return {category: (names, list(itertools.accumulate(
                    1 / (rank + 1) ** 0.8 for rank in range(len(names)))))
                for category, names in pools.items()}

    def amount_cents(self) -> int:
        rng = self.rng
        draw = rng.random()
        if draw < 0.004:
            return 1_500_000  # exactly the PME threshold: not "more than 15 k€"
        if draw < 0.008:
            return 3_000_000  # exactly the general threshold
        euros_ = min(8_000_000.0, max(2_000.0, rng.lognormvariate(math.log(50_000), 0.85)))
        rounding = rng.random()
        if rounding < 0.25:
            return round(euros_ / 100) * 10_000
        if rounding < 0.85:
            return round(euros_) * 100
        return round(euros_ * 100)

    def invoiced(self, total: int, signed: date) -> dict[str, int | float]:
        """What was invoiced each year: from the signature year on, for one to four years,
        at most the total (some contracts are not fully invoiced yet)."""
        rng = self.rng
        duration = rng.choices((1, 2, 3, 4), weights=(30, 35, 20, 15))[0]
        shares = [rng.uniform(0.5, 1.5) for _ in range(duration)]
        if signed.month >= 10:
            shares[0] *= 0.3
        invoiced_ratio = 1.0 if rng.random() < 0.7 else rng.uniform(0.6, 1.0)
        scale = total * invoiced_ratio / sum(shares)
        result = {}
        for offset, share in enumerate(shares):
            year = signed.year + offset
            cents = int(share * scale)
            if year > LAST_CONTRACT_YEAR or cents <= 0:
                continue
            result[str(year)] = euros(cents)
        return result

    def build_contracts(self) -> list[dict[str, Any]]:
        rng = self.rng
        pools = self.partner_pools()
        activity = [unit.research_fte * rng.lognormvariate(0, 0.6)
                    * (3.0 if any(t in EPIC_OR_CTI for t in unit.tutelles) else 1.0)
                    for unit in self.units]
        unit_weights = list(itertools.accumulate(activity))
        units = rng.choices(self.units, cum_weights=unit_weights, k=self.contracts)
        categories = list(CATEGORY_WEIGHTS)
        category_weights = list(itertools.accumulate(CATEGORY_WEIGHTS.values()))
        year_weights = list(itertools.accumulate((20, 21, 21, 21, 17)))
        years = list(range(FIRST_CONTRACT_YEAR, LAST_CONTRACT_YEAR + 1))
        contracts = []
        for number, unit in enumerate(units, start=1):
            category = rng.choices(categories, cum_weights=category_weights)[0]
            names, weights = pools[category]
            partner = names[bisect.bisect(weights, rng.random() * weights[-1])]
            year = rng.choices(years, cum_weights=year_weights)[0]
            last_day = date(year, 9, 30) if year == CALL_YEAR else date(year, 12, 31)
            first_day = date(year, 1, 1)
            signed = first_day + timedelta(days=rng.randint(0, (last_day - first_day).days))
            total = self.amount_cents()
            contract: dict[str, Any] = {
                "id": f"C-{year}-{number:06d}", "unit": unit.rnsr, "partner": partner,
                "partner_category": category, "total": euros(total),
                "signed_on": signed.isoformat(), "invoiced": self.invoiced(total, signed),
            }
            if category in COMPANY_CATEGORIES and rng.random() < 0.05:
                contract["cifre"] = True
            if "thematic" in unit.holders and rng.random() < 0.08:
                contract["in_theme"] = False
            contracts.append(contract)
        return contracts


def _siren(rng: random.Random) -> str:
    """Nine digits with a valid Luhn check digit."""
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def build_national_scenario(consortia: int = 60, units: int = 3000, contracts: int = 200_000,
                            seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The JSON document of a synthetic national call, the same for the same arguments."""
    generator = _Generator(consortia, units, contracts, seed)
    generator.build_structures()
    applications = generator.build_applications()
    return {
        "call": {"year": CALL_YEAR},
        "structures": generator.structures,
        "puis": generator.puis,
        "applications": applications,
        "contracts": generator.build_contracts(),
    }


def write_national_scenario(path: Path, **arguments: Any) -> int:
    """Build the scenario and write it as compact UTF-8 JSON; returns the size in bytes."""
    document = build_national_scenario(**arguments)
    content = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return len(content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a synthetic national Carnot scenario (JSON).")
    parser.add_argument("output", type=Path)
    parser.add_argument("--consortia", type=int, default=60)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--contracts", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--check", action="store_true",
                        help="read the file back with carnot's scenario loader")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    size = write_national_scenario(args.output, consortia=args.consortia, units=args.units,
                                   contracts=args.contracts, seed=args.seed)
    print(f"{args.output}: {size / 1e6:.1f} MB written in {time.perf_counter() - started:.1f} s")
    if args.check:
        try:
            loaded = scenario_from_json(args.output.read_bytes(), str(args.output))
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            return 1
        call = loaded.call
        print(f"valid: {len(call.applications)} applications, {len(call.structures)} "
              f"structures, {len(call.puis)} PUIs, {len(call.contracts)} contracts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
