"""SQLite writers take the lock up front, so concurrent writers never see "database is locked"."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, text

from app.models.review import Review


def test_concurrent_writers_all_succeed(committed_database):
    def write(n):
        with committed_database.transaction() as db:
            count = db.scalar(select(func.count(Review.id)))
            db.add(Review(title=f"Review {n} after {count}", service="s"))
        return n

    with ThreadPoolExecutor(max_workers=16) as pool:
        done = list(pool.map(write, range(200)))
    assert len(done) == 200
    with committed_database.transaction(write=False) as db:
        assert db.scalar(select(func.count(Review.id))) == 200


def test_sqlite_pragmas(committed_database):
    if not committed_database.is_sqlite:
        return
    with committed_database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
