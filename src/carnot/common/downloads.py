"""Files the pages hand out: CSV as French spreadsheet programs read it, and attachments."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV with « ; » between cells, the separator French spreadsheet programs
    expect (the comma is the decimal separator)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A download named ``filename``; CSV text gets its byte order mark, so that spreadsheet
    programs read it as UTF-8."""
    if content_type == CSV and isinstance(content, str):
        content = "\ufeff" + content
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
