"""Refusals of an uploaded spreadsheet or CSV file: each bad cell located as the user sees it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SheetError:
    """One refused cell (or sheet, or file): where it is, as the user sees it, and why.

    ``row`` counts as the spreadsheet does (the header row is 1); ``column`` is the column's
    header (on « Candidature », the field's name in column A). Both are None for an error about
    the whole sheet or file; ``sheet`` is None for an error about the whole file.
    """

    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [part for part in (
            f"feuille « {self.sheet} »" if self.sheet else "",
            f"ligne {self.row}" if self.row is not None else "",
            f"colonne « {self.column} »" if self.column else "",
        ) if part]
        return f"{', '.join(where)} : {self.message}" if where else self.message


class SpreadsheetRejected(Exception):
    """The file is refused whole; ``errors`` lists every problem found, sheet by sheet and row by
    row."""

    def __init__(self, errors: Iterable[SheetError]) -> None:
        self.errors = list(errors)
        super().__init__(f"Fichier refusé : {len(self.errors)} erreur(s).")
