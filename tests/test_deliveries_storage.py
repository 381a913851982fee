"""Migration 0003 (prompts and reminders) and the deliveries table on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import IntegrityError

from bot.plan.schedule import BodyRules, PlannedDelivery
from storage import deliveries, migrate
from storage.body_rules import all_rules, rules_for, save_rules
from storage.channel_links import channel_targets, link_channel, links, unlink_channel
from storage.db import make_sessionmaker, transaction
from storage.delivery_problems import problems
from storage.models import BodyRule, Delivery
from storage.reminders import reminder_targets, subscribe, unsubscribe
from tests.jobs_support import add_conversation, add_person

NOW = datetime(2022, 3, 2, 10, 0, tzinfo=UTC)
NEW_TABLES = {"channel_link", "body_rule", "reminder_subscription", "delivery"}


def planned(recipient: str = "conversation:1", missed: bool = False) -> PlannedDelivery:
    return PlannedDelivery(
        rule="prompt",
        occurrence_key="1@2022-03-09T10:00",
        recipient=recipient,
        body_key="DASVG",
        meeting_id=1,
        occurrence_starts=NOW + timedelta(days=7),
        due_at=NOW,
        missed=missed,
    )


def test_migration_0003_down_and_up(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    migrate.downgrade(engine, "0002")  # this feature's migration only
    tables = set(inspect(engine).get_table_names())
    assert not NEW_TABLES & tables
    assert {"meeting", "conversation_ref", "person", "report_link_use"} <= tables
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    uniques = inspect(engine).get_unique_constraints("delivery")
    assert any(u["column_names"] == ["rule", "occurrence_key", "recipient"] for u in uniques)


def test_planning_twice_stores_one_row(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        first = deliveries.record_planned(
            session, [(planned(), ""), (planned("x", True), "late")], NOW
        )
    with transaction(factory) as session:
        again = deliveries.record_planned(
            session, [(planned(), ""), (planned("x", True), "late")], NOW
        )
    assert len(first) == 2 and again == []
    with factory() as session:
        rows = session.execute(select(Delivery.recipient, Delivery.status, Delivery.outcome)).all()
    assert sorted(rows) == [("conversation:1", "pending", ""), ("x", "skipped", "late")]
    with pytest.raises(IntegrityError), transaction(factory) as session:
        session.add(
            Delivery(
                rule="prompt",
                occurrence_key="1@2022-03-09T10:00",
                recipient="conversation:1",
                occurrence_starts=NOW,
                due_at=NOW,
            )
        )


def test_a_delivery_is_claimed_once_and_finished_by_its_claimer(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        deliveries.record_planned(session, [(planned(), "")], NOW)
    with factory() as session:
        (delivery_id,) = deliveries.due_ids(session, NOW)
        assert deliveries.due_ids(session, NOW - timedelta(seconds=1)) == []
    with transaction(factory) as session:
        assert deliveries.claim(session, delivery_id, "a", NOW)
    with transaction(factory) as session:
        assert not deliveries.claim(session, delivery_id, "b", NOW)
        assert not deliveries.finish(session, delivery_id, "b", "sent", NOW, attempts=1)
        assert deliveries.due_ids(session, NOW) == []
    with transaction(factory) as session:
        assert deliveries.release(session, delivery_id, "a", 1, NOW)
    with transaction(factory) as session:
        assert deliveries.claim(session, delivery_id, "b", NOW)
        assert deliveries.finish(
            session, delivery_id, "b", "sent", NOW, attempts=2, http_status=200, activity_id="9"
        )
    with factory() as session:
        record = deliveries.delivery(session, delivery_id)
    assert record is not None and record.status == "sent" and record.attempts == 3
    assert record.sent_at == NOW and record.body_key == "DASVG"


def test_stale_claims_become_unknown_and_are_listed(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        deliveries.record_planned(session, [(planned(), ""), (planned("y"), "")], NOW)
        first, second = deliveries.due_ids(session, NOW)
        deliveries.claim(session, first, "dead", NOW)
        deliveries.settle(session, second, "no_chat", "no personal chat", NOW)
    with transaction(factory) as session:
        assert (
            deliveries.expire_stale_claims(
                session, NOW + timedelta(minutes=5), timedelta(minutes=30)
            )
            == []
        )
        assert deliveries.expire_stale_claims(
            session, NOW + timedelta(minutes=31), timedelta(minutes=30)
        ) == [first]
    with factory() as session:
        found = problems(session, NOW - timedelta(days=1))
    assert {p.delivery.status for p in found} == {"unknown", "no_chat"}
    assert all(p.body_label == "DASVG" for p in found)


def test_links_rules_and_reminder_opt_ins(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    ref = add_conversation(factory, "19:c@thread", "http://127.0.0.1:9/")
    with transaction(factory) as session:
        assert link_channel(session, "DASVG", ref, None, NOW)
        assert not link_channel(session, "DASVG", ref, None, NOW)
        assert link_channel(session, "NCCSP", ref, None, NOW)
        with pytest.raises(KeyError):
            link_channel(session, "NOPE", ref, None, NOW)
    with factory() as session:
        assert [(t.body_key, t.since) for t in channel_targets(session)] == [
            ("DASVG", NOW),
            ("NCCSP", NOW),
        ]
    with transaction(factory) as session:
        assert unlink_channel(session, ref, ["NCCSP"]) == ["NCCSP"]
        assert [link.body_key for link in links(session)] == ["DASVG"]
    with transaction(factory) as session:
        assert rules_for(session, "DASVG") == BodyRules(7, 3, 1)
        save_rules(session, "DASVG", BodyRules(10, 4, 2), None, NOW)
    with factory() as session:
        assert all_rules(session) == {"DASVG": BodyRules(10, 4, 2)}
    with pytest.raises(IntegrityError), transaction(factory) as session:  # ranges enforced
        session.merge(
            BodyRule(body_id=1, prompt_lead_days=0, follow_up_days=0, reminder_lead_days=1)
        )
    person = add_person(factory, "aad-9", ("DASVG", "SSP"), reminders=False)
    with transaction(factory) as session:
        assert subscribe(session, person, NOW) and not subscribe(session, person, NOW)
    with factory() as session:
        (target,) = reminder_targets(session)
        assert target.body_keys == ("DASVG", "SSP") and target.since == NOW
    with transaction(factory) as session:
        assert unsubscribe(session, person) and not unsubscribe(session, person)
        assert reminder_targets(session) == []


def test_a_channels_threads_share_its_links(engine: Engine) -> None:
    from storage.channel_links import linked_body_keys

    factory = make_sessionmaker(engine)
    ref = add_conversation(factory, "19:c@thread.tacv2", "http://127.0.0.1:9/")
    with transaction(factory) as session:
        link_channel(session, "NCCSP", ref, None, NOW)
        link_channel(session, "DASVG", ref, None, NOW)
    with factory() as session:
        assert linked_body_keys(session, "19:c@thread.tacv2;messageid=17") == ("DASVG", "NCCSP")
        assert linked_body_keys(session, "19:other@thread.tacv2") == ()


def test_planning_many_at_once_inserts_in_chunks_and_reports_only_new_rows(
    engine: Engine,
) -> None:
    factory = make_sessionmaker(engine)
    count = deliveries.INSERT_CHUNK * 2 + 7  # several statements, the last one short
    wanted = [(planned(f"conversation:{n}"), "") for n in range(count)]
    with transaction(factory) as session:
        deliveries.record_planned(session, wanted[:5], NOW)  # planned by an earlier run
    with transaction(factory) as session:
        inserted = deliveries.record_planned(session, wanted, NOW)
    assert [p.recipient for p in inserted] == [p.recipient for p, _ in wanted[5:]]
    with factory() as session:
        assert len(session.scalars(select(Delivery.id)).all()) == count
