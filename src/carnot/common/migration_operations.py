"""Migration operations of our own."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState


class CreateUnlessAdopted(migrations.SeparateDatabaseAndState):
    """The creation of a model that moved out of the former ``funding`` app, table name kept:
    the migration state always learns the model; the database creates its table only when the
    table is not there yet. A database migrated before the split keeps its table, its rows and
    its sequences as they are; a new database gets the table created."""

    def __init__(self, table: str, operations: list[Operation]) -> None:
        super().__init__(database_operations=operations, state_operations=operations)
        self.table = table

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (type(self).__qualname__, [],
                {"table": self.table, "operations": self.state_operations})

    def database_forwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor,
                          from_state: ProjectState, to_state: ProjectState) -> None:
        if self.table in schema_editor.connection.introspection.table_names():
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"Create the table {self.table} unless the former funding app made it"
