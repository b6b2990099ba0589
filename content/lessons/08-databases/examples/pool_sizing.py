from sqlalchemy import Engine, create_engine


def make_engine(url: str, workers: int, db_connections: int) -> Engine:
    """An engine whose pool fits a share of the database's connection limit.

    Every worker process has its own pool, so the total is workers × (pool_size + max_overflow).
    """
    per_worker = max(1, db_connections // workers)
    overflow = per_worker // 4
    return create_engine(
        url,
        pool_size=per_worker - overflow,  # kept open between requests
        max_overflow=overflow,  # opened under load, closed when returned
        pool_timeout=5,  # seconds to wait for a free connection before failing
        pool_pre_ping=True,  # test a connection before handing it out
        pool_recycle=1800,  # replace connections older than 30 minutes
    )
