"""Storage on real SQLite and real PostgreSQL: schema, the default data, queries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from storage import migrate
from storage.audit import COMMAND_LINE
from storage.db import make_sessionmaker, transaction
from storage.membership_requests import choose_bodies
from storage.models import (
    Action,
    Base,
    Body,
    Meeting,
    Outcome,
    Plan,
    ProgressUpdate,
    Section,
    Theme,
)
from storage.people import add_memberships, ensure_person, find_person
from storage.plan_queries import action_by_number, actions, history, plan_record, plans
from storage.seed_data import SEED_DIR, ensure_default_data, load_default_data

NOW = datetime(2022, 6, 1, 12, 0, tzinfo=UTC)


def count(engine: Engine, model: type[Base]) -> int:
    with make_sessionmaker(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_migrations_create_exactly_the_model_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    for name, table in Base.metadata.tables.items():
        columns = {c["name"] for c in inspect(engine).get_columns(name)}
        assert columns == set(table.columns.keys()), name


def test_downgrade_and_upgrade_again(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert "action" in inspect(engine).get_table_names()


def test_default_plan_is_complete(engine: Engine) -> None:
    assert count(engine, Action) == 55
    with make_sessionmaker(engine)() as session:
        current = plan_record(session)
        assert current.key == "safer-norfolk-2021-24"
        assert [t.number for t in current.themes] == [1, 2, 3]
        outcomes = [o.number for t in current.themes for o in t.outcomes]
        assert outcomes == list(range(1, 13))
        assert [t.action_count for t in current.themes] == [30, 10, 15]
        assert current.themes[0].sections == (
            "Fraud",
            "Neighbourhood crime",
            "Community Relations and Prevent",
            "Resilient cohesive communities",
        )
        numbers = [a.number for a in actions(session)]
        expected = [f"1.{i}" for i in range(1, 31)]
        expected += [f"2.{i}" for i in range(1, 11)] + [f"3.{i}" for i in range(1, 16)]
        assert numbers == expected
        assert all(a.owners for a in actions(session))
        assert all(a.due_readable for a in actions(session))


def test_action_fields_are_as_written(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        a = action_by_number(session, "1.22")
        assert a is not None
        assert a.due_text == "Engagement plan in place by June 22 then ongoing"
        assert a.deadline == date(2022, 6, 30) and a.ongoing
        assert a.success_measure == "Completed engagement with communities and groups"
        assert [o.key for o in a.owners] == ["CRPSG"]
        b = action_by_number(session, "3.15")
        assert b is not None and b.deadline == date(2023, 3, 31) and not b.ongoing
        c = action_by_number(session, "1.19")
        assert c is not None and {o.key for o in c.owners} == {
            "CRPSG",
            "IAG",
            "OPCCN",
            "RESPONSIBLE-AUTHORITIES",
        }


def test_november_2021_updates_are_loaded(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        updated = {a.number: a.latest for a in actions(session) if a.latest is not None}
        assert set(updated) == {"1.18", "1.20", "1.23", "1.24", "1.26", "1.27"}
        first = updated["1.18"]
        assert first is not None and first.status == "Complete"
        assert first.text.startswith("Group established")
        assert all(u.source == "seed" for u in updated.values() if u is not None)


def test_previous_plan_is_held(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        everything = plans(session)
        assert [p.is_current for p in everything] == [True, False]
        previous = everything[1]
        assert previous.key == "cspp-2018-21"
        assert next(t.title for t in previous.themes).lower().startswith("domestic abuse")
        assert all(t.lead_officer and t.why and t.objectives for t in previous.themes)


def test_bodies_have_abbreviations_and_reporting_lines(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        bodies = {b.key: b for b in session.scalars(select(Body)).all()}
        for key in ("OPCCN", "NCCSP", "DASVG", "CRPSG", "NASP", "MASH", "IAG"):
            assert key in bodies
        assert bodies["DASVG"].reports_to_id == bodies["NCCSP"].id
        assert bodies["CRPSG"].reports_to_id == bodies["NCCSP"].id
        aliases = {a.normalised for a in bodies["CONSTABULARY"].aliases}
        assert "constabulary" in aliases


def test_meetings_are_seeded(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        panel = session.scalar(
            select(Meeting).where(Meeting.starts_local == datetime(2022, 2, 24, 10, 0))
        )
        assert panel is not None and "County Hall" in panel.location and panel.time_stated
        # The documents give no dates for the DASVG: only its cadence, never an invented series.
        assert session.scalar(select(Meeting.id).join(Body).where(Body.key == "DASVG")) is None
        dasvg = session.scalar(select(Body).where(Body.key == "DASVG"))
        assert dasvg is not None and (dasvg.meets or "").startswith("monthly")
        assert session.scalar(select(Meeting.id).where(Meeting.rrule.is_not(None))) is None
        june = session.scalar(
            select(Meeting).where(Meeting.starts_local == datetime(2022, 6, 9, 10, 0))
        )
        assert june is not None and not june.time_stated and june.confirmed


def test_loading_again_changes_nothing(engine: Engine) -> None:
    before = {
        m: count(engine, m)
        for m in (Plan, Theme, Outcome, Section, Action, ProgressUpdate, Body, Meeting)
    }
    factory = make_sessionmaker(engine)
    assert ensure_default_data(factory, NOW) is False
    with transaction(factory) as session:
        load_default_data(session, NOW)  # a forced reload is an idempotent upsert
    after = {m: count(engine, m) for m in before}
    assert after == before


def test_progress_updates_are_unique_by_key(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        action_id = session.scalar(select(Action.id).where(Action.number == "2.1"))
        session.add(
            ProgressUpdate(
                action_id=action_id,
                status="On track",
                text="a",
                idempotency_key="k1",
                created_at=NOW,
            )
        )
    with pytest.raises(IntegrityError), transaction(factory) as session:
        session.add(
            ProgressUpdate(
                action_id=action_id,
                status="On track",
                text="b",
                idempotency_key="k1",
                created_at=NOW,
            )
        )
    with factory() as session:
        assert [u.text for u in history(session, int(action_id or 0))] == ["a"]


def test_status_must_be_known(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with pytest.raises(IntegrityError), transaction(factory) as session:
        action_id = session.scalar(select(Action.id).where(Action.number == "2.1"))
        session.add(
            ProgressUpdate(
                action_id=action_id, status="Nearly", text="x", idempotency_key="k2", created_at=NOW
            )
        )


def test_people_and_memberships(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        person = ensure_person(
            session,
            aad_object_id="aad-1",
            name="Inspector",
            email="Inspector@Norfolk.Police.UK",
            domain_bodies={"norfolk.police.uk": ("CONSTABULARY",)},
        )
        assert person.body_keys == ("CONSTABULARY",)
        assert add_memberships(
            session, person.id, ["OPCCN", "NOPE"], role="member", source="self"
        ) == ["NOPE"]
    with transaction(factory) as session:
        found = find_person(session, "inspector@norfolk.police.uk")
        assert found is not None and set(found.body_keys) == {"CONSTABULARY", "OPCCN"}
        choose_bodies(session, found.id, ["DASVG"], COMMAND_LINE, NOW)
    with factory() as session:
        again = find_person(session, "aad-1")
        # The domain rule's membership stays; OPCCN (self-service) is left; DASVG is asked for.
        assert again is not None and again.body_keys == ("CONSTABULARY", "DASVG")
        assert again.claimed == ("DASVG",) and again.memberships == (("CONSTABULARY", "member"),)


def test_actions_filters(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        opccn = actions(session, body_keys=["OPCCN"])
        assert {a.number for a in opccn} >= {"1.4", "1.16", "1.19", "2.10", "3.1", "3.3", "3.4"}
        assert [a.number for a in actions(session, section="Modern Slavery")] == [
            "2.8",
            "2.9",
            "2.10",
        ]
        assert len(actions(session, theme=2)) == 10
        assert {a.number for a in actions(session, words=["channel", "panel"])} >= {"1.27"}


def test_seed_files_exist() -> None:
    names = {p.name for p in SEED_DIR.glob("*.yaml")}
    assert {"partnership.yaml", "plan_2021_24.yaml", "plan_2018_21.yaml"} <= names


def test_cached_plan_sees_every_change(engine: Engine, tmp_path: Path) -> None:
    from storage.importing import import_plan_file
    from storage.updates import NewUpdate, record_update

    factory = make_sessionmaker(engine)
    with factory() as session:
        first = action_by_number(session, "2.1")
        assert first is not None and first.latest is None
        assert actions(session, numbers=["2.1"])[0].latest is None  # now cached
    with transaction(factory) as session:
        new = NewUpdate(first.id, "At risk", "Profile late", None, None, None, "A", "cache-test")
        record_update(session, new, NOW)
    with factory() as session:
        (after,) = actions(session, numbers=["2.1"])
        assert after.latest is not None and after.latest.status == "At risk"
    csv_file = tmp_path / "plan.csv"
    csv_file.write_text("N,Action,Success measure,Owner,Date\n2.1,Rewritten,Done,OPCCN,2024\n")
    assert import_plan_file(factory, csv_file, now=NOW).applied
    with factory() as session:
        (imported,) = actions(session, numbers=["2.1"])
        assert imported.text == "Rewritten" and [o.key for o in imported.owners] == ["OPCCN"]


def test_migration_keeps_placeholder_series_unconfirmed(engine: Engine) -> None:
    from storage.meetings import meeting_series

    migrate.downgrade(engine, "0005")
    with engine.begin() as connection:
        body_id = connection.scalar(select(Body.id).where(Body.key == "DASVG"))
        connection.execute(
            text(
                "INSERT INTO meeting (body_id, title, starts_local, timezone, duration_minutes, "
                "location, rrule, source, uid, created_at) VALUES (:body, 'DASVG', "
                "'2021-04-14 10:00:00', 'Europe/London', 90, '', 'FREQ=MONTHLY;BYDAY=2WE', "
                "'seed', 'seed:DASVG:20210414T1000:dasvg', '2022-01-01 00:00:00')"
            ),
            {"body": body_id},
        )
    migrate.upgrade(engine)
    with make_sessionmaker(engine)() as session:
        placeholder = session.scalar(
            select(Meeting).where(Meeting.uid == "seed:DASVG:20210414T1000:dasvg")
        )
        assert placeholder is not None and not placeholder.confirmed  # kept, not shown
        assert all(s.body_key != "DASVG" for s in meeting_series(session))
        june = session.scalar(
            select(Meeting).where(Meeting.starts_local == datetime(2022, 6, 9, 10, 0))
        )
        assert june is not None and june.confirmed and not june.time_stated  # date only
