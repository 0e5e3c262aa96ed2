"""SQLite on storage that refuses writes: a read-only database file, and a full disk.

Residents who submit get the service's clear 503 page (JSON under /api/) with Retry-After, never
a stack trace; pages that only read keep working; nothing is half-written (`PRAGMA
integrity_check` is ok); and once the condition clears, the same running app writes again.

Read-only: the file is made read-only (mode 0444, and the immutable attribute when running as
root, whom mode bits do not stop) before the app next opens a connection, as after a restore with
the wrong permissions. Full disk: the database on a 6 MB tmpfs, filled to the last byte (skipped
where this process may not mount one: `PRAGMA max_page_count` was tried as a stand-in, but rows
that fit in pages the file already has still go in, so it does not reproduce a full disk).
"""

import contextlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db import Database
from app.main import create_app
from app.models.petition import PetitionSignature
from app.services import petitions
from tests.conftest import test_settings as settings_for
from tests.faults.data import prepare
from tests.helpers import Browser


@pytest.fixture
def sqlite_only(backend):
    if backend != "sqlite":
        pytest.skip("a database file on local storage is SQLite's")


def _prepare(database) -> dict:
    """The test client has one address: lift the per-address signing limits for this petition."""
    prepared = prepare(database)
    with database.transaction() as db:
        settings = petitions.current_settings(db)
        settings.signing_limit_per_address_short = settings.signing_limit_per_address_long = "100/minute"
        db.merge(settings)
    return prepared


def _sign(browser: Browser, petition_id: int, n: int):
    return browser.submit(f"/petitions/{petition_id}/signatures",
                          {"name": f"Signer {n}", "email": f"signer{n}@storage.example", "location": "RV1 2AB",
                           "consent": "1"}, headers={"X-Forwarded-For": f"10.8.0.{n}"})


def _answer(browser: Browser, prepared: dict, n: int):
    return browser.post(f"/api/v1/consultations/{prepared['consultation_id']}/responses",
                        json={"idempotency_key": f"storage-{n}", "respondent_type": "resident",
                              "answers": {str(prepared["question_id"]): "Longer opening hours."}},
                        headers={"Authorization": f"Bearer {prepared['token']}"})


def _assert_refused_clearly(browser: Browser, prepared: dict, n: int) -> None:
    page = _sign(browser, prepared["petition_id"], n)
    assert page.status_code == 503 and page.headers["retry-after"], page.status_code
    assert "please try again" in page.text and "Traceback" not in page.text
    assert "<main" in page.text  # the service's own page, with its layout
    api = _answer(browser, prepared, n)
    assert api.status_code == 503 and "try again" in api.json()["detail"]
    assert browser.get(f"/petitions/{prepared['petition_id']}").status_code == 200  # reading still works


def _assert_healthy(database: Database, signed: int, petition_id: int) -> None:
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with database.transaction(write=False) as db:
        stored = db.scalar(select(func.count()).select_from(PetitionSignature).where(
            PetitionSignature.petition_id == petition_id, PetitionSignature.email.like("%@storage.example")))
    assert stored == signed


def _running_app(url: str):
    database = Database(url)
    return database, Browser(create_app(settings_for(url), database))


def test_read_only_database_file(committed_database, sqlite_only):
    prepared = _prepare(committed_database)
    path = Path(committed_database.engine.url.database)
    database, browser = _running_app(committed_database.url)
    with browser:
        assert _sign(browser, prepared["petition_id"], 1).status_code == 303
        # The app's next connection opens the file as it now is (none stays open in this process:
        # SQLite would reuse a closed connection's read-write descriptor).
        database.dispose()
        committed_database.dispose()
        immutable = _make_read_only(path)
        try:
            _assert_refused_clearly(browser, prepared, 2)
        finally:
            _make_writable(path, immutable)
        assert _sign(browser, prepared["petition_id"], 3).status_code == 303, "writes did not come back"
        assert _answer(browser, prepared, 3).status_code == 201
    _assert_healthy(database, 2, prepared["petition_id"])
    database.dispose()


def _make_read_only(path: Path) -> bool:
    path.chmod(0o444)
    if os.geteuid() != 0:
        return False
    if not _run_quietly("chattr", "+i", str(path)):
        path.chmod(0o644)
        pytest.skip("running as root, and the file system has no immutable attribute to stop root writing")
    return True


def _make_writable(path: Path, immutable: bool) -> None:
    if immutable:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o644)


def _run_quietly(*command: str) -> bool:
    try:
        return subprocess.run(command, capture_output=True).returncode == 0
    except OSError:  # no such command here
        return False


class FullDisk:
    """A small tmpfs holding the database, which can be filled to the last byte and emptied."""

    def __init__(self, workdir: Path, source: Path):
        self.mount_point = workdir / f"disk-{uuid.uuid4().hex[:6]}"
        self.mount_point.mkdir()
        if not _run_quietly("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(self.mount_point)):
            # PRAGMA max_page_count is no stand-in: rows that fit in pages already there still go in.
            pytest.skip("this process may not mount a small tmpfs to fill")
        self.path = self.mount_point / "chorus.db"
        shutil.copyfile(source, self.path)
        self.url = f"sqlite:///{self.path}"
        self.filler = self.mount_point / "filler"

    def fill(self, database: Database) -> None:
        # An empty write-ahead log: the next write must take new space (a used log is reused).
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        descriptor = os.open(self.filler, os.O_WRONLY | os.O_CREAT)
        try:
            for size in (1 << 20, 4096, 1):  # down to the last byte
                with contextlib.suppress(OSError):
                    while os.write(descriptor, b"\0" * size):
                        pass
        finally:
            os.close(descriptor)

    def clear(self) -> None:
        self.filler.unlink()

    def remove(self) -> None:
        subprocess.run(["umount", "--lazy", str(self.mount_point)], check=True)  # even if a file is open


def test_full_disk(committed_database, sqlite_only, tmp_path):
    prepared = _prepare(committed_database)
    committed_database.dispose()
    disk = FullDisk(tmp_path, Path(committed_database.engine.url.database))
    try:
        database, browser = _running_app(disk.url)
        with browser:
            assert _sign(browser, prepared["petition_id"], 1).status_code == 303
            disk.fill(database)
            _assert_refused_clearly(browser, prepared, 2)
            _assert_refused_clearly(browser, prepared, 3)  # and again: nothing is stuck half-way
            disk.clear()
            assert _sign(browser, prepared["petition_id"], 4).status_code == 303, "writes did not come back"
            assert _answer(browser, prepared, 4).status_code == 201
        _assert_healthy(database, 2, prepared["petition_id"])
        database.dispose()
    finally:
        disk.remove()
