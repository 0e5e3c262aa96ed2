"""What several benchmarks share: a fresh database to run on, results kept per database, and the
CPU time of the processes under test."""

import json
import os
import uuid
from pathlib import Path


def fresh_database(base: str, label: str, *, sqlite_dir: Path | None = None, migrate: bool = True) -> str:
    """A new, empty database next to `base` (a new PostgreSQL database on the same server, or a new
    SQLite file), migrated to head unless `migrate` is False; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    suffix = uuid.uuid4().hex[:6]
    if base.startswith("sqlite"):
        folder = sqlite_dir or Path("/tmp")
        url = f"sqlite:///{folder / f'chorus-bench-{label}-{suffix}.db'}"
    else:
        name = f"chorus_bench_{label}_{suffix}"
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    if migrate:
        from app.migrations_runner import upgrade_to_head

        upgrade_to_head(url)
    return url


def save_per_database(path: Path, key: str, summary: dict) -> None:
    """Keep one result per database in `path`: a later run replaces only its own `key`'s entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous[key] = summary
    path.write_text(json.dumps(previous, indent=2) + "\n")


def process_table() -> dict[int, tuple[int, int, float]]:
    """Every live process as pid -> (parent pid, process group id, user + system CPU seconds),
    read from /proc."""
    per_second = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while the table was read
        table[int(entry.name)] = (int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / per_second)
    return table
