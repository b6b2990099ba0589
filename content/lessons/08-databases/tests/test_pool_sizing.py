import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout


def test_the_pool_is_a_share_of_the_database_limit(example, tmp_path):
    engine = example("pool_sizing").make_engine(
        f"sqlite:///{tmp_path / 'shop.db'}", workers=4, db_connections=100
    )
    assert engine.pool.size() == 19
    assert engine.pool._max_overflow == 6


def test_a_connection_never_returned_exhausts_the_pool(example, tmp_path):
    engine = example("pool_sizing").make_engine(
        f"sqlite:///{tmp_path / 'shop.db'}", workers=1, db_connections=1
    )
    engine.pool._timeout = 0.1
    held = engine.connect()  # like a session that is never closed
    with pytest.raises(PoolTimeout):
        engine.connect()
    held.close()
    with engine.connect():
        pass
