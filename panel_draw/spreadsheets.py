"""Read a pool and its quotas from the two spreadsheets a council keeps (CSV).

respondents.csv has one row per volunteer, one column per quota category and an optional
`id` column (otherwise the row number, from 1, is the id); categories.csv has the columns
category,feature,min,max.
"""

from __future__ import annotations

import csv

from .models import Quota, Volunteer

ID_COLUMN = "id"
QUOTA_COLUMNS = ("category", "feature", "min", "max")


class InputError(ValueError):
    """A spreadsheet cannot be read as expected."""


def read_quotas(path: str) -> list[Quota]:
    rows = _read_csv(path)
    if not rows:
        raise InputError(f"{path} has no quota rows")
    missing = [c for c in QUOTA_COLUMNS if c not in rows[0]]
    if missing:
        raise InputError(f"{path} needs the columns {', '.join(QUOTA_COLUMNS)}; missing {missing}")
    quotas = []
    for line, row in enumerate(rows, start=2):
        try:
            low, high = int(row["min"]), int(row["max"])
        except (TypeError, ValueError) as exc:
            raise InputError(f"{path} line {line}: min and max must be whole numbers") from exc
        quotas.append(Quota(row["category"].strip(), row["feature"].strip(), low, high))
    return quotas


def read_pool(path: str, quotas: list[Quota], households_column: str | None) -> list[Volunteer]:
    rows = _read_csv(path)
    if not rows:
        raise InputError(f"{path} has no volunteers")
    categories = list(dict.fromkeys(q.category for q in quotas))
    wanted = categories + ([households_column] if households_column else [])
    missing = [c for c in wanted if c not in rows[0]]
    if missing:
        raise InputError(f"{path} has no column(s) {', '.join(missing)}")
    has_ids = ID_COLUMN in rows[0]
    return [
        Volunteer(
            id=(row[ID_COLUMN] or "").strip() if has_ids else str(number),
            features={c: (row[c] or "").strip() for c in categories},
            household=((row[households_column] or "").strip() or None) if households_column else None,
        )
        for number, row in enumerate(rows, start=1)
    ]


def _read_csv(path: str) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    return [{(k or "").strip(): v for k, v in row.items()} for row in rows]
