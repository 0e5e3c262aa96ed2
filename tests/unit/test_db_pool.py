"""The pool keeps as many connections as one process uses at once, so busy moments reuse them."""

from sqlalchemy import event
from sqlalchemy.pool import QueuePool, SingletonThreadPool

from app.db import MAX_OVERFLOW, POOL_SIZE, make_engine


def test_connections_used_at_once_are_kept_for_the_next_requests(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.db'}")
    connect_count = 0

    def _count(*_args):
        nonlocal connect_count
        connect_count += 1

    event.listen(engine, "connect", _count)
    for _round in range(2):
        busy = [engine.connect() for _ in range(16)]  # one process's requests at a busy moment
        for connection in busy:
            connection.close()
    assert engine.pool.checkedin() == 16
    assert connect_count == 16  # the second busy moment opened nothing new
    engine.dispose()


def test_postgresql_pool_is_bounded_as_before():
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")  # no connection is made
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == POOL_SIZE
    assert POOL_SIZE + MAX_OVERFLOW == 30


def test_in_memory_sqlite_keeps_its_single_connection_pool():
    assert isinstance(make_engine("sqlite://").pool, SingletonThreadPool)
