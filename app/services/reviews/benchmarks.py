"""Transparent benchmarking: figures for this council and its peers, imported from CSV whole or not at
all, shown per indicator as a chart with its table, the council's position and every source.
Residents see an import once an officer publishes it (and the review is public)."""

import csv
import io
import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.i18n import _, current_locale, ngettext
from app.models.base import utcnow
from app.models.compare import BenchmarkImport, BenchmarkRow
from app.models.review import Review
from app.models.user import User
from app.services import audit
from app.services.reviews import access as review_access

COLUMNS = ("indicator", "council", "period", "value", "unit", "source", "date")
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_ERRORS_SHOWN = 20
LIMITS = {"indicator": 200, "council": 200, "period": 40, "unit": 40, "source": 500}


class BenchmarkFileError(InvalidInput):
    """A file refused whole; `lines` says what is wrong on which line (line 1 is the header)."""

    def __init__(self, message: str, lines: list[str] | None = None):
        super().__init__({"file": message}, message)
        self.lines = lines or []


@dataclass(frozen=True)
class ParsedRow:
    line: int
    indicator: str
    council: str
    period: str
    value: float
    unit: str
    source: str
    source_date: date


def parse(data: bytes) -> list[ParsedRow]:
    """Every row, or BenchmarkFileError naming each bad line."""
    if len(data) > MAX_BYTES:
        raise BenchmarkFileError(_("The file must be 1 MB or smaller"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BenchmarkFileError(_("The file must be a CSV saved as UTF-8")) from None
    if "\x00" in text:
        raise BenchmarkFileError(_("The file must be a CSV saved as UTF-8"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise BenchmarkFileError(_("The file is empty")) from None
    except csv.Error as error:
        raise BenchmarkFileError(_("Line {line}: {problem}").format(line=1, problem=error)) from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise BenchmarkFileError(
            _("Line 1: the header must name the columns {columns}; missing: {missing}").format(
                columns=", ".join(COLUMNS), missing=", ".join(missing)))
    where = {c: header.index(c) for c in COLUMNS}
    rows, problems = [], []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                too_many = _("The file has more than {limit} rows").format(limit=f"{MAX_ROWS:,}")
                raise BenchmarkFileError(too_many)
            row, errors = _row(line, cells, where)
            if errors:
                problems.append(_("Line {line}: {problem}").format(line=line, problem="; ".join(errors)))
            else:
                rows.append(row)
    except csv.Error as error:
        problems.append(_("Line {line}: {problem}").format(line=reader.line_num, problem=error))
    if problems:
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        if more:
            shown.append(ngettext("and {num} more line with problems", "and {num} more lines with problems",
                                  more).format(num=more))
        raise BenchmarkFileError(
            ngettext("Nothing was imported: {num} line of the file needs correcting",
                     "Nothing was imported: {num} lines of the file need correcting",
                     len(problems)).format(num=len(problems)),
            shown,
        )
    if not rows:
        raise BenchmarkFileError(_("The file has a header but no figures"))
    return rows


def _row(line: int, cells: list[str], where: dict[str, int]) -> tuple[ParsedRow | None, list[str]]:
    get = {c: (cells[i].strip() if i < len(cells) else "") for c, i in where.items()}
    errors = []
    for column in ("indicator", "council", "period", "value", "source", "date"):
        if not get[column]:
            errors.append(_("{column} is empty").format(column=column))
    for column, limit in LIMITS.items():
        if len(get[column]) > limit:
            errors.append(_("{column} is longer than {limit} characters").format(column=column, limit=limit))
    value = None
    if get["value"]:
        try:
            value = float(get["value"].replace(",", ""))
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            errors.append(_("value “{value}” is not a number").format(value=get["value"][:40]))
    when = None
    if get["date"]:
        try:
            when = date.fromisoformat(get["date"])
        except ValueError:
            errors.append(_("date “{value}” is not a date like 2026-03-31").format(value=get["date"][:40]))
    if errors:
        return None, errors
    return ParsedRow(
        line, get["indicator"], get["council"], get["period"], value, get["unit"], get["source"], when
    ), []


def import_csv(
    db: Session, review: Review, data: bytes, *, filename: str, council_name: str, officer: User
) -> BenchmarkImport:
    review_access.require_staff(officer)
    rows = parse(data)
    record = BenchmarkImport(
        review_id=review.id, filename=filename[:255], row_count=len(rows), imported_by_id=officer.id
    )
    db.add(record)
    db.flush()
    ours = council_name.strip().casefold()
    db.add_all(
        BenchmarkRow(
            import_id=record.id,
            review_id=review.id,
            line=r.line,
            indicator=r.indicator,
            council=r.council,
            is_this_council=r.council.casefold() == ours,
            period=r.period,
            value=r.value,
            unit=r.unit,
            source=r.source,
            source_date=r.source_date,
        )
        for r in rows
    )
    audit.record(
        db,
        actor_id=officer.id,
        action="benchmark.import",
        object_type="benchmark_import",
        object_id=record.id,
    )
    return record


def imports(db: Session, review_id: int) -> list[BenchmarkImport]:
    return list(
        db.scalars(
            select(BenchmarkImport).where(BenchmarkImport.review_id == review_id).order_by(BenchmarkImport.id)
        )
    )


def publish(db: Session, user: User, import_id: int) -> BenchmarkImport:
    record = db.get(BenchmarkImport, import_id)
    if record is None or not review_access.can_read(db, user, record.review_id):
        raise NotFound()
    review_access.require_staff(user)
    if record.published_at is None:
        record.published_at = utcnow()
        audit.record(
            db,
            actor_id=user.id,
            action="benchmark.publish",
            object_type="benchmark_import",
            object_id=record.id,
        )
    return record


@dataclass(frozen=True)
class Comparison:
    """One indicator in one period: every council's figure, highest first, and where this council is."""

    indicator: str
    period: str
    unit: str
    rows: list[BenchmarkRow]
    sources: list[tuple[str, date]]

    @property
    def top(self) -> float:
        return max((abs(r.value) for r in self.rows), default=0) or 1

    @property
    def position(self) -> str:
        ours = [i for i, r in enumerate(self.rows) if r.is_this_council]
        if not ours:
            return _("This council has no figure for this period.")
        rank = ours[0] + 1
        values = sorted(r.value for r in self.rows)
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        return _("{ordinal} highest of {total} councils (median {median}).").format(
            ordinal=_ordinal(rank), total=len(self.rows),
            median=f"{median:,.6g}{(' ' + self.unit) if self.unit else ''}")


def _ordinal(n: int) -> str:
    if current_locale() == "cy":
        return f"{n}{_welsh_ordinal_suffix(n)}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_WELSH_SUFFIXES = {1: "af", 2: "il", 3: "ydd", 4: "ydd", 5: "ed", 6: "ed",
                   11: "eg", 13: "eg", 14: "eg", 16: "eg", 17: "eg", 19: "eg"}


def _welsh_ordinal_suffix(n: int) -> str:
    """1af, 2il, 3ydd, 5ed, 7fed, 11eg, 21ain: the short forms councils print (decimal above 20)."""
    if n <= 20:
        return _WELSH_SUFFIXES.get(n, "fed")
    return "fed" if n % 10 == 0 and n >= 50 else "ain"


def comparisons(db: Session, review_id: int, *, published_only: bool = False) -> list[Comparison]:
    query = (
        select(BenchmarkRow)
        .join(BenchmarkImport, BenchmarkImport.id == BenchmarkRow.import_id)
        .where(BenchmarkRow.review_id == review_id)
    )
    if published_only:
        query = query.where(BenchmarkImport.published_at.is_not(None))
    groups: dict[tuple[str, str], list[BenchmarkRow]] = {}
    for row in db.scalars(query.order_by(BenchmarkRow.indicator, BenchmarkRow.period, BenchmarkRow.id)):
        groups.setdefault((row.indicator, row.period), []).append(row)
    result = []
    for (indicator, period), rows in groups.items():
        rows = sorted(rows, key=lambda r: (-r.value, r.council))
        sources = sorted({(r.source, r.source_date) for r in rows}, key=lambda s: (s[1], s[0]))
        result.append(Comparison(indicator, period, rows[0].unit, rows, sources))
    return result


def public_comparisons(db: Session, review_id: int) -> list[Comparison]:
    return comparisons(db, review_id, published_only=True)
