"""The admissibility panel's revenue rules, computed from the contract ledgers: the 2,5 M€
threshold (FAQ-2.19) and the bases (FAQ-2.22) — not yet checkable while a consortium's units have
no contract in the ledgers, failed or passed once they do; and the panel follows the ledgers
(an import changes it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from stdnum import luhn

from carnot.accounts.models import Role
from carnot.applications import selectors, services
from carnot.applications.models import Application
from carnot.applications.selectors import (
    PanelLine,
    blocking_failures,
    call_revision,
    panel_for,
)
from carnot.applications.workflow import Status as WorkflowStatus
from carnot.common.errors import ServiceError
from carnot.ledgers.services import ledger_import
from carnot.registry.models import Call, Unit
from carnot.rules.money import format_euros
from carnot.rules.verdicts import Status
from tests.web import factories

pytestmark = pytest.mark.django_db

HEADER = ("RNSR;Référence contrat;Partenaire;SIREN/SIRET;Catégorie;Montant total HT;"
          "Date de signature;Facturé 2025")
SIREN = "123456782"
assert luhn.is_valid(SIREN)


class Call2026:
    """A territorial consortium of one unit (ICube) and a thematic one of two (IGBMC, shared
    with the territorial consortium, and IJL), each passing every rule but the revenue ones."""

    def __init__(self) -> None:
        self.call = factories.make_call()
        self.coordinator = factories.make_user(Role.COORDINATOR, "coordination")
        self.officer = factories.make_user(Role.PROGRAMME_OFFICER, "ministere")
        unistra = factories.make_structure("unistra")
        self.cnrs = factories.make_structure("cnrs", "epst", name="CNRS")
        pui = factories.make_pui("pui-strasbourg", [unistra, self.cnrs])
        self.icube = factories.make_unit("201923456A", [unistra, self.cnrs], name="ICube")
        self.igbmc = factories.make_unit("199712345C", [unistra, self.cnrs], name="IGBMC")
        inserm = factories.make_structure("inserm", "epst", name="Inserm")
        self.ijl = factories.make_unit("201822222B", [self.cnrs, inserm], name="IJL")
        self.territorial = factories.make_application(
            self.call, self.coordinator, "terr-strasbourg", "territorial", unistra, [pui])
        self.thematic = factories.make_application(
            self.call, self.coordinator, "them-materiaux", "thematic", self.cnrs)
        services.application_update(application=self.thematic, by=self.coordinator,
                                    theme="Matériaux pour l'énergie",
                                    alignments=[("PEPR", "DIADEM – matériaux avancés")])
        self.declare(self.territorial, self.icube)
        self.declare(self.territorial, self.igbmc, shared_with=self.thematic)
        self.declare(self.thematic, self.igbmc, shared_with=self.territorial)
        self.declare(self.thematic, self.ijl)
        for application, structures in ((self.territorial, (unistra, self.cnrs)),
                                        (self.thematic, (unistra, self.cnrs, inserm))):
            for structure in structures:
                services.signature_record(application=application, by=self.coordinator,
                                          structure=structure,
                                          signatory=f"Signataire {structure.code}",
                                          empowered=True)

    def declare(self, application: Application, unit: Unit,
                shared_with: Application | None = None) -> None:
        services.unit_declare(
            application=application, by=self.coordinator, rnsr=unit.rnsr,
            scientific_lead=f"Responsable {unit.name}", managing_tutelle=unit.managing_tutelle,
            tutelles=list(unit.tutelles.all()), permanent_researchers_fte=Decimal("40"),
            shared_with=shared_with)

    def import_ledger(self, *rows: tuple[Unit, str, str]) -> None:
        """One contract per row (unit, reference, amount in euros), with a large company,
        signed and invoiced in full in 2025."""
        lines = [HEADER] + [f"{unit.rnsr};{reference};Groupe Valmont Industrie;{SIREN};GE;"
                            f"{amount};14/01/2025;{amount}" for unit, reference, amount in rows]
        ledger_import(content="\n".join(lines).encode(), filename="registre.csv",
                      by=User.objects.get(username="ministere"))

    def panel(self, application: Application) -> dict[str, PanelLine]:
        application.refresh_from_db()
        return {line.rule: line for line in panel_for(application=application)}


@pytest.fixture
def world() -> Call2026:
    return Call2026()


def _messages(line: PanelLine, status: Status) -> list[str]:
    return [verdict.message for verdict in line.verdicts if verdict.status is status]


def test_without_any_contract_in_the_ledgers_the_revenue_rules_are_not_yet_checkable(
        world: Call2026) -> None:
    panel = world.panel(world.territorial)
    threshold = _messages(panel["FAQ-2.19"], Status.NOT_CHECKABLE)
    assert len(threshold) == 1
    assert "registre des contrats ne compte aucun contrat de ses unités (2 unités)" in threshold[0]
    assert format_euros(250_000_000) in threshold[0]
    assert panel["FAQ-2.22"].status is Status.NOT_CHECKABLE
    assert blocking_failures(list(panel.values())) == []
    services.application_transition(application=world.territorial,
                                    target=WorkflowStatus.SUBMITTED, by=world.coordinator)


def test_importing_a_ledger_changes_the_panel_below_then_above_the_threshold(
        world: Call2026) -> None:
    before = call_revision(call=world.call)
    world.import_ledger((world.icube, "ICUBE-2025-001", "1 000 000,00"))
    assert call_revision(call=world.call) != before
    panel = world.panel(world.territorial)
    failed = _messages(panel["FAQ-2.19"], Status.FAILED)
    assert len(failed) == 1 and format_euros(100_000_000) in failed[0]
    assert "pas supérieures au seuil" in failed[0]
    bases = _messages(panel["FAQ-2.22"], Status.NOT_CHECKABLE)
    assert "Assiette du seuil 2025" in bases[0] and "une fois toutes les règles" in bases[0]
    with pytest.raises(ServiceError, match=r"FAQ-2\.19"):
        services.application_transition(application=world.territorial,
                                        target=WorkflowStatus.SUBMITTED, by=world.coordinator)

    world.import_ledger((world.icube, "ICUBE-2025-001", "1 000 000,00"),
                        (world.icube, "ICUBE-2025-002", "1 600 000,00"))
    panel = world.panel(world.territorial)
    assert panel["FAQ-2.19"].status is Status.PASSED
    assert any(format_euros(260_000_000) in message
               for message in _messages(panel["FAQ-2.19"], Status.PASSED))
    assert panel["FAQ-2.22"].status is Status.PASSED
    assert blocking_failures(list(panel.values())) == []


def test_a_shared_unit_counts_in_full_for_the_threshold_and_half_for_the_abondement(
        world: Call2026) -> None:
    """FAQ-2.22: IGBMC's 2 000 000,02 € count in full in each consortium's threshold base and
    are split 1 000 000,01 € each way for the abondement (the first holder by id rounds)."""
    world.import_ledger((world.icube, "ICUBE-2025-001", "1 500 000,00"),
                        (world.igbmc, "IGBMC-2025-001", "2 000 000,02"),
                        (world.ijl, "IJL-2025-001", "700 000,00"))
    territorial, thematic = world.panel(world.territorial), world.panel(world.thematic)
    assert any(format_euros(350_000_002) in message
               for message in _messages(territorial["FAQ-2.19"], Status.PASSED))
    assert any(format_euros(270_000_002) in message
               for message in _messages(thematic["FAQ-2.19"], Status.PASSED))
    parts = {}
    for code, panel in (("terr", territorial), ("them", thematic)):
        verdict = next(v for v in panel["FAQ-2.22"].verdicts if v.status is Status.PASSED)
        parts[code] = verdict.figures["parts_cents"]["199712345C"]
        assert "partagée avec" in verdict.message
    assert sorted(parts.values()) == [100_000_001, 100_000_001]


def test_a_contract_that_does_not_count_does_not_make_the_ledger_checkable_as_passed(
        world: Call2026) -> None:
    """A unit with contracts, none of which counts: the ledger is not empty, the threshold
    fails on 0 € (only an empty ledger is « not yet checkable »)."""
    lines = [HEADER, f"{world.icube.rnsr};ICUBE-CRT;CRITT Matériaux;{SIREN};CRT;"
             "3 000 000,00;14/01/2025;3 000 000,00"]
    ledger_import(content="\n".join(lines).encode(), filename="crt.csv", by=world.officer)
    panel = world.panel(world.territorial)
    assert panel["FAQ-2.19"].status is Status.FAILED
    failed = _messages(panel["FAQ-2.19"], Status.FAILED)
    assert len(failed) == 1 and f"comptées en entier, FAQ-2.22) : {format_euros(0)}," in failed[0]


def test_the_panel_changes_when_the_call_parameters_or_applications_change_but_not_else(
        world: Call2026) -> None:
    world.import_ledger((world.icube, "ICUBE-2025-001", "2 600 000,00"))
    first = call_revision(call=world.call)
    assert call_revision(call=world.call) == first
    call = Call.objects.get(pk=world.call.pk)
    call.parameter_overrides = {"eligibility_threshold": "3000000.00"}
    call.save()
    assert call_revision(call=call) != first
    assert world.panel(world.territorial)["FAQ-2.19"].status is Status.FAILED


def test_the_contracts_are_read_again_only_when_the_ledgers_or_the_declared_units_change(
        world: Call2026, monkeypatch: pytest.MonkeyPatch) -> None:
    """A panel refresh after an edit of an application's figures re-evaluates the call on the
    contracts already read; an import, or a unit declared, reads them again."""
    reads: list[int] = []
    read = selectors.national_contracts

    def counted(*, call: Call) -> tuple[object, ...]:
        reads.append(call.pk)
        return read(call=call)

    monkeypatch.setattr(selectors, "national_contracts", counted)
    world.import_ledger((world.icube, "ICUBE-2025-001", "2 600 000,00"))
    assert world.panel(world.territorial)["FAQ-2.19"].status is Status.PASSED
    assert len(reads) == 1

    services.application_update(application=world.territorial, by=world.coordinator,
                                name="Carnot Alsace — nouveau nom")
    assert world.panel(world.territorial)["FAQ-2.19"].status is Status.PASSED
    assert len(reads) == 1, "same ledgers, same units: the contracts are not read again"

    world.import_ledger((world.icube, "ICUBE-2025-001", "1 000 000,00"))
    assert world.panel(world.territorial)["FAQ-2.19"].status is Status.FAILED
    assert len(reads) == 2

    unit = factories.make_unit("201533333D", [world.cnrs], name="LRGP")
    world.declare(world.thematic, unit)
    world.panel(world.thematic)
    assert len(reads) == 3
