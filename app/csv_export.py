"""CSV for spreadsheets, written one way: every cell a spreadsheet could run as a formula is
neutralised with a leading apostrophe (OWASP "CSV injection"), because residents' words are data."""

import csv
import io
from collections.abc import Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def restored_cell(text: str) -> str:
    """Undo `safe_cell`, so an exported file imported again keeps the resident's text."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def csv_text(rows: Iterable[Iterable], *, lineterminator: str = "\r\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_line(row: Iterable) -> str:
    return csv_text([row])
