"""The network the demo describes: national structures, university sites with their schools and
hospitals, what units work on and what they and their people are called, the former Carnot 4
and thematic consortia, who signs for each kind of structure."""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum import luhn

from carnot.rules.domain import ApplicationKind, StructureKind

K = StructureKind
TERRITORIAL = ApplicationKind.TERRITORIAL.value
THEMATIC = ApplicationKind.THEMATIC.value
FORMER = ApplicationKind.FORMER_CARNOT.value

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

def structure_specs(rng: random.Random) -> list[tuple[str, str, StructureKind, str, str]]:
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
