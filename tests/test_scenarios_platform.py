"""Issue 4's scenarios checked by hand, exercised through the platform.

Each test builds a small 2026 call in the database (``tests.builders.Platform``: every
consortium admissible — one scientific lead per unit, FTE of 2025, every tutelle signed), imports
its contracts from a CSV ledger written as a French spreadsheet exports it (``ledger_import``),
then runs the allocation as a programme officer (``allocation_run``), publishes it and turns it
into grants, and records expenditures as the consortium's coordinator (``expenditure_record``).
The figures in each docstring are computed by hand; the rules-level twins of these cases are in
``tests/scenarios/faq_2`` and ``faq_3`` (same units, same amounts).

Unless a test says otherwise the 2026 parameters apply: envelope 62 000 000,00 € (6 200 000 000
c), abondement and threshold bases on the revenue invoiced in 2025, eligibility threshold
strictly above 2 500 000,00 € (FAQ-2.19).
"""

from __future__ import annotations

from datetime import date

import pytest

from carnot.allocation.models import AllocationLine, AllocationRun
from carnot.audit.models import AuditEvent
from carnot.common.errors import ServiceError
from carnot.ledgers.models import ResearchContract
from carnot.ledgers.selectors import contract_eligibilities
from carnot.spending.models import Expenditure
from carnot.spending.selectors import vintages
from tests.builders import LedgerLine, Member, Platform

pytestmark = pytest.mark.django_db

ENVELOPE = 6_200_000_000
SHARED, TERR_OWN = "200919143B", "201119876B"
MICA_A, MICA_B, SANTE = "200919143B", "201220344C", "201523456D"


def _lines(run: AllocationRun) -> dict[str, AllocationLine]:
    return {line.application_code: line for line in run.lines.all()}


def _consortium(run: AllocationRun, code: str) -> dict[str, object]:
    return next(entry for entry in run.results["consortia"] if entry["id"] == code)


def _registry(platform: Platform) -> None:
    """Strasbourg and Clermont universities, the CNRS, Inserm, Montpellier; the PUI of
    Strasbourg (founder: Université de Strasbourg; partner: Université de Haute-Alsace)."""
    for code in ("unistra", "uha", "uca", "umontpellier"):
        platform.structure(code)
    for code in ("cnrs", "inserm"):
        platform.structure(code, "epst")


# --- FAQ-2.22: a shared unit ---------------------------------------------------------------------

def test_shared_unit_counts_in_full_for_the_threshold_and_half_for_the_abondement() -> None:
    """FAQ-2.22 — « Une unité présente dans deux consortiums : ses contrats sont imputés en
    totalité à chacun pour le seuil d'éligibilité, et à parts égales pour l'abondement. »

    Unit 200919143B is shared by « terr-alsace » (territorial, PUI Strasbourg) and
    « them-materiaux » (thematic), declared on both sides. Its ledger: a contract with a large
    company invoicing 2 000 000,00 € in 2025 and one with a PME invoicing 1 000 000,01 €:
    3 000 000,01 € = 300 000 001 c. The territorial's own unit 201119876B: 1 000 000,00 € with an
    ETI.

    Threshold (in full): terr 300 000 001 + 100 000 000 = 400 000 001 c; them 300 000 001 c —
    above 2 500 000,00 € only because the shared unit counts in full (its half, 1 500 000,00 €,
    would not reach it). Abondement (half each, the odd cent to the first by id, « terr-alsace »
    < « them-materiaux »): 150 000 001 c and 150 000 000 c; terr 250 000 001 c, them
    150 000 000 c, total 400 000 001 c.

    Pro rata of 6 200 000 000 c: terr 6 200 000 000 × 250 000 001 / 400 000 001
    = 3 875 000 005,81…; them × 150 000 000 / 400 000 001 = 2 324 999 994,19…; whole parts
    6 199 999 999 c, the last cent to the largest remainder (terr): 3 875 000 006 c and
    2 324 999 994 c, together the envelope to the cent.
    """
    platform = Platform.open()
    _registry(platform)
    pui = platform.pui("pui-strasbourg", founders=["unistra"], partners=["uha"])
    shared = platform.unit(SHARED, "unistra", "cnrs")
    own = platform.unit(TERR_OWN, "uha")
    terr = platform.consortium("terr-alsace", "territorial", "unistra",
                               [Member(shared, 60), Member(own, 20)], puis=[pui])
    them = platform.consortium("them-materiaux", "thematic", "cnrs", [Member(shared, 60)],
                               theme="Matériaux avancés")
    platform.share(shared, terr, them)
    report = platform.import_ledger(
        LedgerLine(SHARED, "C-PART-1", "Safran", "GE", "2 500 000,00 €", "10/01/2024",
                   {2025: "2 000 000,00 €"}),
        LedgerLine(SHARED, "C-PART-2", "Nanolike", "PME", "1 200 000,01 €", "20/05/2024",
                   {2025: "1 000 000,01 €"}),
        LedgerLine(TERR_OWN, "C-PROPRE", "Lisi Aerospace", "ETI", "1 500 000,00 €",
                   "01/02/2024", {2025: "1 000 000,00 €"}))
    assert (report.rows, report.contracts_created, report.invoiced_written) == (3, 3, 3)

    run = platform.run()

    lines = _lines(run)
    assert lines["terr-alsace"].admissible and lines["them-materiaux"].admissible, (
        run.results["consortia"])
    assert {code: (line.threshold_revenue_cents, line.abondement_revenue_cents)
            for code, line in lines.items()} == {
        "terr-alsace": (400_000_001, 250_000_001),
        "them-materiaux": (300_000_001, 150_000_000)}
    assert {code: line.allocation_cents for code, line in lines.items()} == {
        "terr-alsace": 3_875_000_006, "them-materiaux": 2_324_999_994}
    assert run.allocated_cents == ENVELOPE

    grants = platform.publish_and_grant(run)
    assert {code: grant.amount_cents for code, grant in grants.items()} == {
        "terr-alsace": 3_875_000_006, "them-materiaux": 2_324_999_994}


# --- FAQ-3.2: a PME contract of 20 000 € and an ETI one -----------------------------------------

def test_a_pme_contract_of_20_000_euros_counts_and_an_eti_one_does_not() -> None:
    """FAQ-3.2 — « Seuls comptent les contrats de plus de 15 k€ HT avec une PME (TPE comprises)
    et de plus de 30 k€ HT avec tout autre partenaire. »

    The 2026 parameters: contract_threshold_sme = 15 000,00 €, contract_threshold_general =
    30 000,00 €, both strict (contract_threshold_is_strict, open question 1 in
    docs/interpretations.md: « plus de » read as strictly above).

    « them-materiaux » imports its ledger: a base contract with a large company invoicing
    2 600 000,00 € in 2025 (above the 2,5 M€ threshold); PME-20K, 20 000,00 € with a PME —
    above 15 000,00 €, it counts; ETI-20K, 20 000,00 € with an ETI — below 30 000,00 €, it does
    not; ETI-30K, exactly 30 000,00 € with an ETI — not strictly above, it does not; ETI-30K01,
    30 000,01 € — it counts. Each invoiced in 2025: 20 000,00 €, 20 000,00 €, 30 000,00 € and
    10 000,00 €.

    Base: 2 600 000,00 + 20 000,00 + 10 000,00 = 2 630 000,00 € = 263 000 000 c (the two ETI
    contracts that do not count add nothing); the only consortium, it receives the whole
    envelope.
    """
    platform = Platform.open()
    _registry(platform)
    unit = platform.unit(SHARED, "unistra", "cnrs")
    platform.consortium("them-materiaux", "thematic", "cnrs", [Member(unit, 40)])
    platform.import_ledger(
        LedgerLine(SHARED, "C-SOCLE", "Safran", "GE", "3 000 000,00 €", "01/03/2024",
                   {2024: "400 000,00 €", 2025: "2 600 000,00 €"}),
        LedgerLine(SHARED, "PME-20K", "Nanolike", "PME", "20 000,00 €", "01/04/2025",
                   {2025: "20 000,00 €"}),
        LedgerLine(SHARED, "ETI-20K", "Lisi Aerospace", "ETI", "20 000,00 €", "01/04/2025",
                   {2025: "20 000,00 €"}),
        LedgerLine(SHARED, "ETI-30K", "Mersen", "ETI", "30 000,00 €", "02/04/2025",
                   {2025: "30 000,00 €"}),
        LedgerLine(SHARED, "ETI-30K01", "Manitou", "ETI", "30 000,01 €", "03/04/2025",
                   {2025: "10 000,00 €"}))

    by_id = contract_eligibilities(call=platform.call)
    eligibility = {contract.reference: by_id[contract.pk]
                   for contract in ResearchContract.objects.all()}
    verdicts = {reference: (found.eligible, found.rule, found.threshold_cents)
                for reference, found in eligibility.items()}
    assert verdicts == {
        "C-SOCLE": (True, "FAQ-3.2", 3_000_000),
        "PME-20K": (True, "FAQ-3.2", 1_500_000),
        "ETI-20K": (False, "FAQ-3.2", 3_000_000),
        "ETI-30K": (False, "FAQ-3.2", 3_000_000),
        "ETI-30K01": (True, "FAQ-3.2", 3_000_000)}
    assert ("20\u202f000,00 € HT dépasse le seuil de 15\u202f000,00 €"
            in eligibility["PME-20K"].message)
    assert ("20\u202f000,00 € HT ne dépasse pas le seuil de 30\u202f000,00 €"
            in eligibility["ETI-20K"].message)
    assert ("30\u202f000,00 € HT ne dépasse pas le seuil de 30\u202f000,00 €"
            in eligibility["ETI-30K"].message)

    line = _lines(platform.run())["them-materiaux"]
    assert line.admissible
    assert (line.threshold_revenue_cents, line.abondement_revenue_cents) == (263_000_000,
                                                                           263_000_000)
    assert line.allocation_cents == ENVELOPE


# --- FAQ-3.4 to 3.7: the guarantee of a former Carnot 4 ------------------------------------------

def _former_carnot_world(kept_fte_of_second_unit: int) -> Platform:
    """« carnot4-mica », labelled in 2019 with units 200919143B (60 FTE) and 201220344C (40 FTE):
    100 FTE; it keeps 50 FTE and ``kept_fte_of_second_unit``. Each unit invoiced 1 500 000,00 €
    a year in 2023, 2024 and 2025 (mean 3 000 000,00 €) and 1 365 000,00 € in 2026
    (2 730 000,00 € = 91 %); reference abondement 1 234 567,89 €. Beside it « them-sante », a
    thematic consortium whose unit invoiced 2 700 000,00 € in 2025."""
    platform = Platform.open()
    _registry(platform)
    mica_a = platform.unit(MICA_A, "unistra", "cnrs")
    mica_b = platform.unit(MICA_B, "uha")
    sante = platform.unit(SANTE, "inserm", "umontpellier")
    mica = platform.consortium("carnot4-mica", "former_carnot", "unistra",
                               [Member(mica_a, 50), Member(mica_b, kept_fte_of_second_unit)])
    platform.former_carnot(mica, {MICA_A: 60, MICA_B: 40}, 123_456_789)
    platform.consortium("them-sante", "thematic", "inserm", [Member(sante, 30)],
                        theme="Santé numérique")
    yearly = {2023: "1 500 000,00 €", 2024: "1 500 000,00 €", 2025: "1 500 000,00 €",
              2026: "1 365 000,00 €"}
    platform.import_ledger(
        LedgerLine(MICA_A, "CA", "Safran", "GE", "20 000 000,00 €", "01/06/2022", yearly),
        LedgerLine(MICA_B, "CB", "Michelin", "GE", "20 000 000,00 €", "01/06/2022", yearly),
        LedgerLine(SANTE, "CS", "Sanofi", "GE", "3 000 000,00 €", "15/01/2025",
                   {2025: "2 700 000,00 €"}))
    return platform


def test_former_carnot_keeping_86_percent_of_its_fte_and_91_percent_of_its_revenue_is_guaranteed(
        ) -> None:
    """FAQ-3.4 to 3.7 — a former Carnot 4 keeps 80 % of its reference abondement when it keeps
    at least 85 % of its 2019 perimeter (FAQ-3.5; within ±15 %, FAQ-3.6) and invoices at least
    90 % of its 2023–2025 mean on that perimeter (FAQ-3.7).

    « carnot4-mica » keeps 50 + 36 = 86 FTE of 100: 86 %; it invoiced 2 730 000,00 € in 2026 for
    a mean of 3 000 000,00 €: 91 %. Guaranteed: 80 % × 1 234 567,89 € = 987 654,312 € →
    98 765 431 c.

    Envelope 1 500 000,00 € (150 000 000 c) so that the floor matters. Bases (2025): mica
    300 000 000 c, sante 270 000 000 c. Pro rata mica 150 000 000 × 300 / 570 = 78 947 368,42 c,
    below its floor: raised to 98 765 431 c (floor_policy top_up); sante gets what is left,
    150 000 000 − 98 765 431 = 51 234 569 c.
    """
    platform = _former_carnot_world(36)

    run = platform.run(envelope_cents=150_000_000)

    lines = _lines(run)
    mica = lines["carnot4-mica"]
    assert mica.admissible and lines["them-sante"].admissible, run.results["consortia"]
    assert (mica.guarantee_applies, mica.guarantee_cents) == (True, 98_765_431)
    assert mica.abondement_revenue_cents == 300_000_000
    assert {code: line.allocation_cents for code, line in lines.items()} == {
        "carnot4-mica": 98_765_431, "them-sante": 51_234_569}
    messages = " | ".join(reason["message"]
                          for reason in _consortium(run, "carnot4-mica")["guarantee"]["reasons"])
    assert "86,00 % du périmètre initial maintenu" in messages
    assert "= 91,00 % de la moyenne 2023–2025" in messages
    grants = platform.publish_and_grant(run)
    assert grants["carnot4-mica"].amount_cents == 98_765_431
    assert sum(grant.amount_cents for grant in grants.values()) == 150_000_000


def test_former_carnot_keeping_84_percent_of_its_fte_is_not_guaranteed() -> None:
    """FAQ-3.5 — no prorated guarantee: a former Carnot 4 that keeps less than 85 % of its 2019
    perimeter loses it whole, even with 91 % of its revenue and above 2,5 M€; its perimeter is
    also outside ±15 % (FAQ-3.6). It stays admissible and gets its pro rata share.

    « carnot4-mica » keeps 50 + 34 = 84 FTE of 100: 84 %. Same envelope of 1 500 000,00 € and
    bases as the guaranteed case: mica 150 000 000 × 300 / 570 = 78 947 368,421… c, sante
    150 000 000 × 270 / 570 = 71 052 631,578… c; whole parts 149 999 999 c, the last cent to the
    largest remainder (sante): mica 78 947 368 c, sante 71 052 632 c.
    """
    platform = _former_carnot_world(34)

    run = platform.run(envelope_cents=150_000_000)

    lines = _lines(run)
    mica = lines["carnot4-mica"]
    assert mica.admissible, run.results["consortia"]
    assert (mica.guarantee_applies, mica.guarantee_cents) == (False, 0)
    assert {code: line.allocation_cents for code, line in lines.items()} == {
        "carnot4-mica": 78_947_368, "them-sante": 71_052_632}
    reasons = {reason["rule"]: reason
               for reason in _consortium(run, "carnot4-mica")["guarantee"]["reasons"]}
    assert reasons["FAQ-3.5"]["status"] == "failed"
    assert "84,00 % seulement du périmètre initial maintenu" in reasons["FAQ-3.5"]["message"]
    assert reasons["FAQ-3.6"]["status"] == "failed"
    assert reasons["FAQ-3.7"]["status"] == "passed"


# --- ALLOC-3: shares that need rounding ----------------------------------------------------------

def test_pro_rata_shares_are_rounded_by_largest_remainder_to_the_envelope_to_the_cent() -> None:
    """ALLOC-3 — the envelope is shared pro rata of the abondement bases, each share rounded down
    to the cent, the cents left over going to the largest remainders: the total is the envelope
    to the cent.

    Three thematic consortia whose units invoiced 2 600 000,00 €, 2 700 000,00 € and
    2 800 000,00 € in 2025 (bases 26 : 27 : 28, total 8 100 000,00 €). Envelope 6 200 000 000 c:
    them-a 6 200 000 000 × 26 / 81 = 1 990 123 456,790…; them-b × 27 / 81 = 2 066 666 666,667…;
    them-c × 28 / 81 = 2 143 209 876,543…. Whole parts: 6 199 999 998 c; the two cents left go
    to the two largest remainders (a: 0,790, b: 0,667): 1 990 123 457, 2 066 666 667 and
    2 143 209 876 c. Rounding each share to the nearest cent would give 6 200 000 001 c, one
    cent more than the envelope.
    """
    platform = Platform.open()
    _registry(platform)
    units = {"them-a": platform.unit("201011111A", "unistra", "cnrs"),
             "them-b": platform.unit("201122222B", "uha", "cnrs"),
             "them-c": platform.unit("201233333C", "uca", "inserm")}
    for code, unit in units.items():
        platform.consortium(code, "thematic", unit.managing_tutelle.code, [Member(unit, 30)])
    platform.import_ledger(*(
        LedgerLine(unit.rnsr, f"C-{code}", f"Partenaire {code}", "GE", "3 000 000,00 €",
                   "15/01/2025", {2025: invoiced})
        for (code, unit), invoiced in zip(
            units.items(), ("2 600 000,00 €", "2 700 000,00 €", "2 800 000,00 €"), strict=True)))

    run = platform.run()

    lines = _lines(run)
    assert all(line.admissible for line in lines.values()), run.results["consortia"]
    assert [lines[code].abondement_revenue_cents for code in units] == [
        260_000_000, 270_000_000, 280_000_000]
    assert {code: line.allocation_cents for code, line in lines.items()} == {
        "them-a": 1_990_123_457, "them-b": 2_066_666_667, "them-c": 2_143_209_876}
    assert run.allocated_cents == sum(line.allocation_cents for line in lines.values()) == ENVELOPE
    grants = platform.publish_and_grant(run)
    assert sum(grant.amount_cents for grant in grants.values()) == ENVELOPE


# --- FAQ-4.1: an expenditure after its vintage's deadline ----------------------------------------

def test_an_expenditure_after_the_deadline_of_its_vintage_is_refused_and_nothing_is_stored(
        ) -> None:
    """FAQ-4.1 — « L'abondement de l'année N est utilisable de N à N+4. »

    « them-materiaux », alone in the call, is granted the whole envelope of 1 000 000,00 € (the
    run's envelope): its 2026 vintage of 100 000 000 c is usable until 31/12/2030. Its
    coordinator records 1 000,00 € of equipment on 31/12/2030, the last day: accepted, 999 000,00 €
    left. The same coordinator records 2 000,00 € on 02/01/2031: refused — no vintage is usable
    on that date — naming the 2026 vintage, its deadline and what it has left; nothing is stored,
    neither the expenditure nor a line of history.
    """
    platform = Platform.open()
    _registry(platform)
    unit = platform.unit(SHARED, "unistra", "cnrs")
    them = platform.consortium("them-materiaux", "thematic", "cnrs", [Member(unit, 40)])
    platform.import_ledger(
        LedgerLine(SHARED, "C-SOCLE", "Safran", "GE", "3 000 000,00 €", "01/03/2024",
                   {2025: "2 600 000,00 €"}))
    grants = platform.publish_and_grant(platform.run(envelope_cents=100_000_000))
    assert grants["them-materiaux"].amount_cents == 100_000_000

    accepted = platform.spend(them, date(2030, 12, 31), 100_000)
    assert [(part.grant.year, part.amount_cents) for part in accepted] == [(2026, 100_000)]
    history = AuditEvent.objects.count()

    with pytest.raises(ServiceError) as refused:
        platform.spend(them, date(2031, 1, 2), 200_000)

    message = " ".join(refused.value.messages)
    assert "Dépense du 02/01/2031 refusée" in message and "FAQ-4.1" in message
    assert "abondement 2026 (utilisable jusqu'au 31/12/2030" in message
    assert "999\u202f000,00 €" in message
    assert Expenditure.objects.count() == 1
    assert AuditEvent.objects.count() == history
    (vintage,) = vintages(application=them, today=date(2031, 1, 2))
    assert (vintage.year, vintage.deadline, vintage.spent_cents, vintage.remaining_cents,
            vintage.expired) == (2026, date(2030, 12, 31), 100_000, 99_900_000, True)
