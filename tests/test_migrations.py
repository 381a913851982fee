"""The migrations and the models agree; 0006 drops the unused bot_state table and back."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from storage import migrate
from storage.models import Base


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_the_migrated_schema_has_exactly_the_models_tables(engine: Engine) -> None:
    assert _tables(engine) == set(Base.metadata.tables)
    assert "bot_state" not in _tables(engine)


def test_migrations_down_to_0005_and_up(engine: Engine) -> None:
    migrate.downgrade(engine, "0005")
    assert "bot_state" in _tables(engine)
    migrate.upgrade(engine)
    assert "bot_state" not in _tables(engine)
    assert _tables(engine) == set(Base.metadata.tables)


def test_0009_adds_the_persons_tenant_and_redaction_and_goes_back(engine: Engine) -> None:
    def columns(table: str) -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns(table)}

    migrate.downgrade(engine, "0008")
    assert "tenant_id" not in columns("person")
    assert "redacted_at" not in columns("progress_update")
    migrate.upgrade(engine)
    assert "tenant_id" in columns("person") and "redacted_at" in columns("progress_update")
