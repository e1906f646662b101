"""What the demo's partners are called and what they weigh: company names built from roots and
endings, trades and places, foreign forms and bodies, regions, and the group figures of each
size class (décret 2008-1354)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from carnot.rules.domain import PartnerCategory

if TYPE_CHECKING:
    pass


C = PartnerCategory

# --- names ---------------------------------------------------------------------------------------

ROOTS = ("Alpi", "Armor", "Atlan", "Azur", "Calor", "Cristal", "Delta", "Électro", "Géo",
         "Hélio", "Hydro", "Lumi", "Méca", "Micro", "Nano", "Néo", "Océa", "Opti", "Phyto",
         "Poly", "Robo", "Sigma", "Sol", "Techni", "Thermo", "Vecto", "Vita", "Aéro", "Agri",
         "Chimi", "Cogni", "Ferro", "Flux", "Immuno", "Iso", "Magné", "Métal", "Nutri",
         "Pharma", "Photo", "Plasti", "Silic", "Spectro", "Synth", "Terra", "Textil", "Tribo",
         "Visio", "Biom", "Cardio", "Dermo", "Enzy", "Kéra", "Lipo", "Neuro", "Osmo", "Proté",
         "Quartz", "Radio", "Tita", "Valo", "Xéno")
ENDINGS = ("gen", "tech", "lab", "sys", "nov", "line", "dyn", "log", "med", "cell", "mat",
           "form", "sens", "tronic", "clean", "wave", "core", "pulse", "via", "tis", "flow",
           "vision", "motion", "pharm")
DESCRIPTORS = ("Technologies", "Industries", "Systèmes", "Ingénierie", "Solutions",
               "Instruments", "Biotech", "Matériaux", "Innovation", "Diagnostics", "Procédés",
               "Composants", "Énergie", "Robotique", "Analytics")
TRADES = ("Mécanique de précision", "Usinage", "Fonderie", "Plasturgie", "Traitements de surface",
          "Chaudronnerie", "Électronique", "Optique", "Laboratoires", "Biscuiterie",
          "Fromagerie", "Semences", "Composites", "Menuiserie industrielle",
          "Céramiques techniques", "Verrerie", "Papeterie", "Textiles techniques", "Cosmétiques",
          "Hydraulique", "Découpe laser", "Robinetterie", "Vinaigrerie", "Forge")
PLACES = ("du Jura", "de l'Allier", "du Velay", "de Savoie", "du Forez", "d'Armor", "du Cotentin",
          "de Gascogne", "du Lauragais", "de Provence", "du Berry", "de Champagne", "des Vosges",
          "du Morvan", "de l'Ouest", "du Sud-Ouest", "du Dauphiné", "de Bourgogne", "de Touraine",
          "du Limousin", "du Quercy", "de Picardie", "de Lorraine", "d'Alsace", "d'Auvergne",
          "de Bretagne", "de Normandie", "du Roussillon", "du Béarn", "des Cévennes")
FOREIGN_FORMS = (("GmbH", "DE"), ("AG", "CH"), ("B.V.", "NL"), ("Ltd", "GB"), ("S.p.A.", "IT"),
                 ("S.L.", "ES"), ("SA", "BE"), ("AB", "SE"))
FOREIGN_BODIES = (
    ("Institut für angewandte Werkstofftechnik e.V.", "DE"),
    ("Stiftung für Polymerforschung", "DE"),
    ("Centro Tecnológico del Mediterráneo", "ES"),
    ("Nordic Materials Research Foundation", "SE"),
    ("Istituto per le Tecnologie Agroalimentari", "IT"),
    ("Vlaams Instituut voor Procestechnologie", "BE"),
    ("Swiss Centre for Applied Photonics", "CH"),
    ("Netherlands Organisation for Water Research", "NL"),
)
OTHER_BODIES = (
    "Association française des industries de la fonderie", "Fondation pour la recherche médicale",
    "Fondation pour la recherche sur la biodiversité", "Union des coopératives agricoles de "
    "l'Ouest", "Syndicat national des industries de la plasturgie", "Chambre régionale "
    "d'agriculture de Bretagne", "Agence de l'eau Loire-Bretagne", "Agence de l'eau Rhône "
    "Méditerranée Corse", "Institut technique de la vigne et du vin", "Centre hospitalier de "
    "Perpignan", "Ligue contre le cancer – comité du Rhône", "Association des industries de "
    "la mer", "Office de l'eau de La Réunion", "Interprofession des fruits et légumes frais",
    "Fédération française du bâtiment", "Parc naturel régional des Vosges du Nord",
    "Conservatoire du littoral", "Fondation de l'avenir pour la recherche médicale appliquée",
    "Association pour le développement de l'aquaculture", "Groupement des industries "
    "ferroviaires",
)
REGIONS = {
    "Grand Est": ("Région Grand Est", "Eurométropole de Strasbourg",
                  "Collectivité européenne d'Alsace", "Grand Reims", "Métropole du Grand Nancy",
                  "Metz Métropole"),
    "Auvergne-Rhône-Alpes": ("Région Auvergne-Rhône-Alpes", "Clermont Auvergne Métropole",
                             "Département du Puy-de-Dôme", "Grenoble-Alpes Métropole",
                             "Métropole de Lyon", "Saint-Étienne Métropole"),
    "Occitanie": ("Région Occitanie", "Montpellier Méditerranée Métropole", "Toulouse Métropole",
                  "Département de la Haute-Garonne", "Département de l'Hérault"),
    "Normandie": ("Région Normandie", "Caen la Mer", "Métropole Rouen Normandie"),
    "Île-de-France": ("Région Île-de-France", "Ville de Paris", "Communauté Paris-Saclay",
                      "Département de l'Essonne", "Paris – Vallée de la Marne"),
    "Hauts-de-France": ("Région Hauts-de-France", "Métropole européenne de Lille",
                        "Département du Nord"),
    "Provence-Alpes-Côte d'Azur": ("Région Sud Provence-Alpes-Côte d'Azur",
                                   "Métropole Aix-Marseille-Provence",
                                   "Métropole Nice Côte d'Azur",
                                   "Département des Bouches-du-Rhône"),
    "Nouvelle-Aquitaine": ("Région Nouvelle-Aquitaine", "Bordeaux Métropole", "Grand Poitiers",
                           "Communauté d'agglomération Pau Béarn Pyrénées",
                           "Département de la Gironde"),
    "Pays de la Loire": ("Région Pays de la Loire", "Nantes Métropole",
                         "Département de Loire-Atlantique"),
    "Bretagne": ("Région Bretagne", "Rennes Métropole", "Brest Métropole",
                 "Département du Finistère"),
    "Bourgogne-Franche-Comté": ("Région Bourgogne-Franche-Comté", "Dijon Métropole",
                                "Grand Besançon Métropole"),
    "Centre-Val de Loire": ("Région Centre-Val de Loire", "Orléans Métropole",
                            "Tours Métropole Val de Loire"),
}
SITE_REGIONS = {
    "strasbourg": "Grand Est", "reims": "Grand Est", "lorraine": "Grand Est",
    "clermont": "Auvergne-Rhône-Alpes", "grenoble": "Auvergne-Rhône-Alpes",
    "lyon": "Auvergne-Rhône-Alpes", "montpellier": "Occitanie", "toulouse": "Occitanie",
    "normandie": "Normandie", "sorbonne": "Île-de-France", "psl": "Île-de-France",
    "paris-saclay": "Île-de-France", "paris-cite": "Île-de-France",
    "gustave-eiffel": "Île-de-France", "lille": "Hauts-de-France",
    "aix-marseille": "Provence-Alpes-Côte d'Azur", "cote-azur": "Provence-Alpes-Côte d'Azur",
    "bordeaux": "Nouvelle-Aquitaine", "poitiers": "Nouvelle-Aquitaine",
    "pau": "Nouvelle-Aquitaine", "nantes": "Pays de la Loire", "rennes": "Bretagne",
    "brest": "Bretagne", "bfc": "Bourgogne-Franche-Comté",
    "centre-val-de-loire": "Centre-Val de Loire",
}

# Group figures of each size class (décret 2008-1354): headcount, turnover and balance sheet
# in euros; the rules package checks that they give the class.
FIGURES = {C.MICRO: ((2, 9), (150_000, 1_900_000), (100_000, 1_800_000)),
           C.SME: ((12, 240), (2_500_000, 48_000_000), (2_000_000, 40_000_000)),
           C.MIDCAP: ((260, 4_800), (60_000_000, 1_400_000_000), (50_000_000, 1_800_000_000)),
           C.LARGE: ((5_500, 160_000), (1_600_000_000, 60_000_000_000),
                     (2_200_000_000, 80_000_000_000))}
POOL_SIZES = {C.MICRO: 140, C.SME: 420, C.MIDCAP: 150, C.LARGE: 80}
FOREIGN_COMPANIES = 36
GROWN_SHARE = 0.12
"""ETI that were PME until 2024: their earlier contracts keep the PME class (open question 8)."""
