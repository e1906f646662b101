"""The former history tables are copied into the audit log row for row: who, when, what, old
and new, why — then the pages show them as before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from carnot.applications.models import Application
from carnot.applications.selectors import application_changes, application_transitions
from carnot.audit.models import AuditEvent
from carnot.spending.selectors import spending_history

BEFORE = [("applications", "0002_ledgerimportjob"),
          ("spending", "0002_former_funding_content_types")]
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_transitions_changes_and_spending_changes_become_events() -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="coord")
    structure = old.get_model("registry", "Structure").objects.create(
        code="unistra", name="Unistra", kind="university")
    call = old.get_model("registry", "Call").objects.create(year=2026, deadline=AT)
    application = old.get_model("applications", "Application").objects.create(
        call=call, code="terr-alsace", name="Alsace", kind="territorial",
        coordinator=structure)
    transition = old.get_model("applications", "TransitionRecord").objects.create(
        application=application, source="admissible", target="rejected", by=user,
        reason="Périmètre trop restreint.")
    changes = old.get_model("applications", "ChangeRecord")
    for subject, field, before, after in (
            ("candidature", "création", "", "Alsace"),
            ("candidature", "theme", "", "Santé"),
            ("unité 200012345A", "ajout", "", "200012345A"),
            ("unité 200012345A", "permanent_researchers_fte", "12.50", "20"),
            ("signature unistra", "signataire", "", "Michel Deneken (habilité)"),
            ("signature unistra", "retrait", "Michel Deneken (habilité)", "")):
        changes.objects.create(application=application, by=user, subject=subject, field=field,
                               old=before, new=after)
    old.get_model("spending", "SpendingChange").objects.create(
        application=application, by=user, what="Abondement 2026", old="",
        new="1 000,00 € (répartition n° 1)")

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # back to today's schema

    copied = Application.objects.get(code="terr-alsace")
    assert [(t.source, t.target, t.by.username, t.at, t.reason)
            for t in application_transitions(application=copied)] == [
        ("admissible", "rejected", "coord", transition.at, "Périmètre trop restreint.")]
    assert {(c.subject, c.field, c.old, c.new, c.by.username)
            for c in application_changes(application=copied)} == {
        ("candidature", "création", "", "Alsace", "coord"),
        ("candidature", "theme", "", "Santé", "coord"),
        ("unité 200012345A", "ajout", "", "200012345A", "coord"),
        ("unité 200012345A", "permanent_researchers_fte", "12.50", "20", "coord"),
        ("signature unistra", "signataire", "", "Michel Deneken (habilité)", "coord"),
        ("signature unistra", "retrait", "Michel Deneken (habilité)", "", "coord")}
    (grant,) = spending_history(application=copied)
    assert (grant.what, grant.old, grant.new, grant.by.username) == (
        "Abondement 2026", "", "1 000,00 € (répartition n° 1)", "coord")
    assert set(AuditEvent.objects.values_list("kind", flat=True)) == {
        "application.rejected", "application.created", "application.changed", "unit.declared",
        "unit.changed", "signature.recorded", "signature.removed", "grant.opened"}
