"""The simulation page (``funding:simulation``): the form, the results of every consortium, the
user's own highlighted, errors by line, htmx partial, and nothing stored. Figures by hand in
``tests/allocation/simulation_world.py`` (envelope 7 520 000,00 €, each share equal to its base).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carnot.allocation.forms.simulation import LineError, parse_changes, parse_euros, parse_line
from carnot.allocation.simulation_scenario import AddContract, AddUnit, ChangeContract, RemoveUnit
from carnot.ledgers.models import InvoicedAmount, ResearchContract
from carnot.rules.domain import PartnerCategory
from tests.allocation.simulation_world import (
    EXTRA,
    OWN,
    THEM_OWN,
    SimulationWorld,
    build_simulation_world,
)

pytestmark = pytest.mark.django_db

URL = reverse("funding:simulation", kwargs={"year": 2026})
NBSP = "\u202f"


@pytest.fixture
def world() -> SimulationWorld:
    return build_simulation_world()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(code, own, difference in cents) of each results row, in the page's order."""
    return re.findall(r'data-testid="simulation-row" data-code="([^"]+)" data-own="(\w+)" '
                      r'data-difference="(-?\d+)"', html)


def _text(html: str) -> str:
    """The page's text, spaces collapsed (narrow no-break spaces of amounts kept)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_the_page_shows_the_call_as_it_stands_and_says_nothing_is_stored(
        world: SimulationWorld) -> None:
    response = _client(world.coordinator).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Rien n'est enregistré" in html
    assert "vos consortiums (terr-alsace) seulement" in html
    assert _rows(html) == [("carnot4-mica", "false", "0"), ("terr-alsace", "true", "0"),
                           ("them-materiaux", "false", "0")]
    assert 'data-testid="own-badge">Votre consortium' in html
    assert "Répartition actuelle (aucun changement)" in html
    text = _text(html)
    assert f"Total (3 consortiums) 7{NBSP}520{NBSP}000,00 € 7{NBSP}520{NBSP}000,00 €" in text
    assert f"Vide : l'enveloppe en vigueur, 7{NBSP}520{NBSP}000,00 €" in text


def test_the_page_lists_the_parameters_with_value_and_source(world: SimulationWorld) -> None:
    html = _client(world.officer).get(URL).content.decode()

    rows = dict(re.findall(r'data-testid="simulation-parameter" data-name="([^"]+)">(.*?)</tr>',
                           html, re.DOTALL))
    assert "envelope" not in rows, "the envelope has its own field"
    assert {"guarantee_rate", "perimeter_kept_minimum", "floor_policy"} <= set(rows)
    assert "0.80" in rows["guarantee_rate"] and "#FAQ-3.5" in rows["guarantee_rate"]
    assert "top_up" in rows["floor_policy"] and "hypothèse" in rows["floor_policy"]
    assert 'name="param_guarantee_rate"' in rows["guarantee_rate"]
    assert "retirer 201119876B de terr-alsace" in html, "the change format is documented"
    assert 'data-own="true"' not in html, "an officer has no consortium of their own"


def test_an_officer_simulates_the_envelope_and_a_contract_by_lines(
        world: SimulationWorld) -> None:
    """+10 % of the envelope and C-O2 moved to an ETI: terr's base 200 000 000 c of 750 000 000;
    827 200 000 × 200 / 750 = 220 586 666,66… → 220 586 667 (largest remainder), them
    827 200 000 × 250 / 750 = 275 733 333,33… → 275 733 333, mica 330 880 000."""
    response = _client(world.officer).post(URL, {
        "enveloppe": "8 272 000,00 €",
        "changements": f"# plus 10 %\n\ncontrat {OWN}/C-O2 catégorie=ETI\n"})

    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(html) == [("carnot4-mica", "false", "30880000"),
                           ("them-materiaux", "false", "25733333"),
                           ("terr-alsace", "false", "18586667")]
    text = _text(html)
    assert "Résultats simulés" in text
    assert (f"Total (3 consortiums) 7{NBSP}520{NBSP}000,00 € 8{NBSP}272{NBSP}000,00 € "
            f"+752{NBSP}000,00 €") in text
    assert (f"assiette de l'abondement : 2{NBSP}020{NBSP}000,00 € → 2{NBSP}000{NBSP}000,00 €"
            in text)
    assert f"{OWN}/C-O2 : comptait → ne compte pas" in text
    assert f"Modifier le contrat {OWN}/C-O2 : partenaire ETI" in text


def test_a_unit_withdrawn_shows_the_rule_that_now_fails(world: SimulationWorld) -> None:
    html = _client(world.coordinator).post(
        URL, {"changements": f"retirer l'unité {OWN} de terr-alsace"}).content.decode()

    text = _text(html)
    assert "recevable" in text and "oui → non" in text
    assert "échoue désormais : FAQ-2.19" in text
    assert _rows(html)[0] == ("terr-alsace", "true", "-202000000")


def test_parameter_override_on_its_field(world: SimulationWorld) -> None:
    html = _client(world.association).post(
        URL, {"param_perimeter_kept_minimum": "0,9"}).content.decode()

    text = _text(html)
    assert "Paramètre perimeter_kept_minimum : 0.85 → 0.9" in text
    assert "abondement garanti : oui → non" in text


def test_errors_come_back_on_the_form_by_line(world: SimulationWorld) -> None:
    client = _client(world.officer)
    unreadable = client.post(URL, {"changements": "retirer 201119876B de terr-alsace\n"
                                                  "doubler tout\n"
                                                  "contrat 201119876B/C-O1 montant=douze"})
    text = _text(unreadable.content.decode())
    assert unreadable.status_code == 200
    assert "Ligne 2 : ligne non comprise" in text
    assert "Ligne 3 : « douze » n'est pas un montant" in text
    assert 'data-testid="simulation-results"' not in unreadable.content.decode()

    refused = client.post(URL, {"changements": "# d'abord\nretirer 201119876B de terr-alsace\n"
                                               "contrat 201119876B/C-ABSENT cifre=oui",
                                "param_guarantee_rate": "2", "enveloppe": "-3"})
    text = _text(refused.content.decode())
    assert "Enveloppe : « -3 » n'est pas un montant positif" in text
    refused = client.post(URL, {"changements": "retirer 201119876B de terr-alsace\n\n"
                                               "contrat 201119876B/C-ABSENT cifre=oui",
                                "param_guarantee_rate": "2"})
    text = _text(refused.content.decode())
    assert "Paramètre « guarantee_rate » : valeur refusée" in text
    refused = client.post(URL, {"changements": "retirer 201119876B de terr-alsace\n\n"
                                               "contrat 201119876B/C-ABSENT cifre=oui"})
    text = _text(refused.content.decode())
    assert "Ligne 3 : Contrat « 201119876B/C-ABSENT » introuvable" in text


def test_a_coordinator_is_refused_another_consortiums_units_with_a_french_message(
        world: SimulationWorld) -> None:
    response = _client(world.coordinator).post(
        URL, {"changements": f"contrat {OWN}/C-O1 cifre=oui\n"
                             f"retirer {THEM_OWN} de them-materiaux"})

    text = _text(response.content.decode())
    assert response.status_code == 200
    assert ("Ligne 2 : Changement n° 2 refusé : them-materiaux n'est pas l'un de vos "
            "consortiums (terr-alsace)") in text
    assert 'data-testid="simulation-results"' not in response.content.decode()


def test_htmx_gets_the_simulation_section_only(world: SimulationWorld) -> None:
    response = _client(world.officer).post(URL, {"enveloppe": "7 520 000,01"},
                                           headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<main" not in html and 'data-testid="simulation-not-stored"' not in html
    assert 'id="simulation"' in html and 'hx-post="/financement/2026/simulation/"' in html
    assert [code for code, _, difference in _rows(html) if difference != "0"] == [
        "carnot4-mica"], "the extra cent goes to the largest remainder"


def test_unit_leads_are_refused_and_anonymous_users_sent_to_log_in(
        world: SimulationWorld) -> None:
    assert _client(world.unit_lead).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('login')}?next={URL}"
    assert _client(world.officer).get(
        reverse("funding:simulation", kwargs={"year": 2031})).status_code == 404


def test_the_page_writes_nothing(world: SimulationWorld) -> None:
    before = (list(ResearchContract.objects.values_list("pk", "total_cents",
                                                        "partner_category")),
              list(InvoicedAmount.objects.values_list("pk", "amount_cents")))
    client = _client(world.officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {
            "enveloppe": "1 000,00",
            "changements": f"retirer {OWN} de terr-alsace\najouter {EXTRA} à terr-alsace "
                           f"etp=3\ncontrat {EXTRA}/C-E1 montant=1 facturé 2025=1 cifre=oui\n"
                           f"nouveau contrat {EXTRA}/HYP catégorie=PME montant=20 000 "
                           "signé=01/01/2025"})
    assert response.status_code == 200 and "Résultats simulés" in response.content.decode()
    writes = [query["sql"] for query in queries
              if not query["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    after = (list(ResearchContract.objects.values_list("pk", "total_cents",
                                                       "partner_category")),
             list(InvoicedAmount.objects.values_list("pk", "amount_cents")))
    assert after == before


# --- The lines of the changes box ------------------------------------------------------------

def test_each_kind_of_line_is_read() -> None:
    assert parse_line("Retirer  l'unité 201119876b de terr-alsace") == RemoveUnit(
        "terr-alsace", "201119876B")
    assert parse_line("ajouter 201733333D à Terr-Alsace etp=12,5") == AddUnit(
        "Terr-Alsace", "201733333D", Decimal("12.5"))
    assert parse_line("ajouter 201733333D dans terr-alsace") == AddUnit(
        "terr-alsace", "201733333D", None)
    assert parse_line("contrat 201119876b/C-O2 montant=45 000,00 € Facturé 2025=1 000 "
                      "facturé_2026=2,5 catégorie=grande entreprise thématique=non "
                      "cifre=oui") == ChangeContract(
        "201119876B/C-O2", total_cents=4_500_000, invoiced_cents={2025: 100_000, 2026: 250},
        partner_category=PartnerCategory.LARGE, in_theme=False, cifre=True)


def test_hypothetical_contract_line_reads_every_field() -> None:
    change = parse_line("nouveau contrat 201119876B/HYP-1 catégorie=PME montant=50 000 "
                        "signé=15/03/2025 facturé 2025=50 000 partenaire=Optique Rhénane")
    assert change == AddContract("201119876B", "HYP-1", PartnerCategory.SME, 5_000_000,
                                 date(2025, 3, 15), {2025: 5_000_000},
                                 partner="Optique Rhénane")


@pytest.mark.parametrize(("line", "reason"), [
    ("contrat 201119876B/C-O2", "rien à changer"),
    ("contrat 201119876B/C-O2 couleur=bleu", "« couleur » : clé inconnue"),
    ("contrat 201119876B/C-O2 catégorie=startup", "catégorie inconnue"),
    ("contrat 201119876B/C-O2 cifre=peut-être", "« oui » ou « non » attendu"),
    ("contrat 201119876B/C-O2 montant=12,345", "au centime près"),
    ("contrat 201119876B/C-O2 signé=01/01/2025", "ne se changent pas ici"),
    ("nouveau contrat 201119876B/H catégorie=PME", "montant, signé à donner"),
    ("nouveau contrat 201119876B/H catégorie=PME montant=1 signé=31/02/2025",
     "cette date n'existe pas"),
    ("ajouter 201733333D à terr-alsace etp=-1", "positif ou nul"),
    ("ajouter 201733333D à terr-alsace chef=moi", "seule la clé « etp »"),
    ("contrat 201119876B/C-O2 montant", "« clé=valeur » attendu"),
])
def test_unreadable_lines_say_why(line: str, reason: str) -> None:
    with pytest.raises(LineError, match=re.escape(reason)):
        parse_line(line)


def test_the_box_numbers_its_lines_and_skips_comments() -> None:
    numbered = parse_changes("# essai\n\nretirer 201119876B de terr-alsace\n  # fin")
    assert numbered == [(3, RemoveUnit("terr-alsace", "201119876B"))]
    assert parse_euros("45.000,00") == 4_500_000 and parse_euros("1 234,5 €") == 123_450
