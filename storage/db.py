"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from bot.plan.types import StoreUnavailable

SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or opened; the message says which and why."""


def _normalise_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` and use the psycopg 3 driver for both."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a writer commits; the busy timeout makes concurrent writers
    # wait instead of failing with "database is locked"; SQLite enforces foreign keys only
    # when asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


SUPPORTED_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (SQLite file or PostgreSQL), configured for this bot.

    Raises:
        DatabaseUnavailable: for a URL that is not a SQLite or PostgreSQL one (says which).
    """
    url = _normalise_url(url)
    try:
        scheme = make_url(url).drivername
    except Exception as exc:  # SQLAlchemy's ArgumentError and friends: a malformed URL
        raise DatabaseUnavailable(f"DATABASE_URL is not a database URL: {exc}") from None
    if scheme not in SUPPORTED_SCHEMES:
        raise DatabaseUnavailable(
            f"DATABASE_URL uses {scheme!r}; use sqlite:///path/to/file.sqlite3 or "
            "postgresql://user@host:5432/database"
        )
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        # Enough pooled connections for every worker thread: a connection opened beyond the
        # pool is closed after use, and reopening one (with its pragmas) costs on every turn.
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 10)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine, info: dict[str, Any] | None = None) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit.

    ``info`` is copied into every session's ``info`` (the stores put their plan cache there).
    """
    return sessionmaker(engine, expire_on_commit=False, info=info or {})


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def database_errors() -> Iterator[None]:
    """The driver's errors as :class:`StoreUnavailable`, the one error the stores raise."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"the database failed ({type(exc).__name__})") from exc


@contextmanager
def reading(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads; a database failure is :class:`StoreUnavailable`."""
    with database_errors(), factory() as session:
        yield session


@contextmanager
def writing(factory: sessionmaker[Session]) -> Iterator[Session]:
    """:func:`transaction`, with a database failure as :class:`StoreUnavailable`."""
    with database_errors(), transaction(factory) as session:
        yield session


def check_reachable(engine: Engine) -> None:
    """Run a trivial query.

    Raises:
        DatabaseUnavailable: with the driver's reason, when the database cannot be used.
    """
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not usable"; say why
        target = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"cannot use the database {target}: {exc}") from exc


def insert_if_new(
    session: Session, model: type[DeclarativeBase], values: dict[str, Any], unique: list[str]
) -> bool:
    """Insert a row unless one with the same ``unique`` columns exists; True when inserted.

    One ``INSERT ... ON CONFLICT DO NOTHING`` statement, inside the caller's transaction. (A
    SAVEPOINT would do on PostgreSQL, but Python's sqlite3 commits a SAVEPOINT opened outside
    a transaction when it is released: the row would be committed before the rest of the
    unit of work, e.g. before its audit entry.)
    """
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(table).values(**values)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(**values)
    else:
        raise NotImplementedError(f"no insert-if-new for {dialect}")
    session.flush()
    statement = statement.on_conflict_do_nothing(index_elements=unique)
    # RETURNING gives a row only when one was inserted (psycopg's rowcount here is -1).
    inserted = session.execute(statement.returning(table.c[unique[0]])).first()
    return inserted is not None
