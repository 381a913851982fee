"""The people store: who a sender is, kept a second, with changes through the store seen at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.plan.types import Actor, StoreUnavailable
from storage import people_store
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import Person
from storage.people import add_memberships, ensure_person
from storage.stores import open_stores
from tests.store_support import Timer

NOW = datetime(2022, 6, 1, 11, tzinfo=UTC)
ACTOR = Actor(None, "test")


def test_a_sender_is_created_once_then_found(engine: Engine) -> None:
    stores = open_stores(engine)
    first = stores.people.identify("aad-1", "Maria Jones", "Maria@Example.org")
    again = stores.people.identify("aad-1", "Maria Jones", "maria@example.org")
    assert first.id == again.id and again.email == "maria@example.org"
    renamed = stores.people.identify("aad-1", "Maria Smith", None)
    assert renamed.id == first.id and renamed.name == "Maria Smith"


def test_changes_through_the_store_are_seen_at_once(engine: Engine) -> None:
    stores = open_stores(engine, timer=Timer())
    person = stores.people.identify("aad-2", "Sam", None)
    assert person.memberships == ()
    stores.people.add_bodies(person.id, ["OPCCN"], ACTOR, NOW)
    assert stores.people.identify("aad-2", "Sam", None).body_keys == ("OPCCN",)
    stores.people.set_bodies(person.id, ["DASVG"], ACTOR, NOW)
    assert stores.people.identify("aad-2", "Sam", None).body_keys == ("DASVG",)


def test_changes_elsewhere_are_seen_when_the_second_is_up(engine: Engine) -> None:
    timer = Timer()
    stores = open_stores(engine, timer=timer)
    person = stores.people.identify("aad-3", "Kim", None)  # created: a write
    stores.people.identify("aad-3", "Kim", None)  # read, and kept
    with transaction(make_sessionmaker(engine)) as session:  # another process, say
        add_memberships(session, person.id, ["OPCCN"], role="chair", source="csv")
    assert stores.people.identify("aad-3", "Kim", None).memberships == ()  # kept a second
    timer.now += people_store.RECHECK_SECONDS
    assert stores.people.identify("aad-3", "Kim", None).memberships == (("OPCCN", "chair"),)


def test_reminders_and_chairs(engine: Engine) -> None:
    stores = open_stores(engine)
    person = stores.people.identify("aad-4", "Lee", None)
    assert not stores.people.reminders_on(person.id)
    stores.people.set_reminders(person.id, True, NOW)
    assert stores.people.reminders_on(person.id)
    stores.people.set_reminders(person.id, False, NOW)
    assert not stores.people.reminders_on(person.id)
    with transaction(stores.sessions) as session:
        add_memberships(session, person.id, ["DASVG"], role="chair", source="csv")
    assert "Lee" in stores.people.chairs_of("DASVG")
    assert not stores.people.has_personal_chat("aad-4")


def test_a_database_that_cannot_be_reached_is_store_unavailable() -> None:
    stores = open_stores(make_engine("postgresql://postgres@127.0.0.1:1/none"))
    with pytest.raises(StoreUnavailable):
        stores.people.identify("aad-5", "Ann", None)
    with pytest.raises(StoreUnavailable):
        stores.plan.actions_for(None)
    with pytest.raises(StoreUnavailable):
        stores.schedule.linked_bodies("19:chan")


def test_a_person_is_tenant_and_object_id(engine: Engine) -> None:
    store = open_stores(engine).people
    # Loaded from the memberships CSV (e-mail only), adopted by a partner tenant's account.
    with transaction(make_sessionmaker(engine)) as session:
        listed = ensure_person(session, aad_object_id=None, email="ben@norfolk.police.uk")
    ben = store.identify("aad-ben", "Ben", "ben@norfolk.police.uk", tenant_id="TENANT-B")
    assert ben is not None and ben.id == listed.id
    assert "CONSTABULARY" in ben.body_keys  # the domain rule, whatever the tenant
    # The same object id said to come from another tenant is not Ben, and changes nothing.
    assert store.identify("aad-ben", "Ben", "ben@norfolk.police.uk", tenant_id="tenant-a") is None
    # A turn that does not say the tenant (a channel post) still finds him.
    again = store.identify("aad-ben", "Ben", None)
    assert again is not None and again.id == ben.id
    with make_sessionmaker(engine)() as session:
        assert session.get(Person, ben.id).tenant_id == "tenant-b"  # type: ignore[union-attr]


def test_a_known_sender_coming_again_is_found_without_a_session(engine: Engine) -> None:
    timer = Timer()
    store = open_stores(engine, timer=timer).people
    opened: list[int] = []
    real = store.sessions

    def counted() -> Any:
        opened.append(1)
        return real()

    store.sessions = counted  # type: ignore[assignment]
    first = store.identify("aad-6", "Jo", "jo@example.org", tenant_id="T1")
    assert store.identify("aad-6", "Jo", "jo@example.org", tenant_id="T1") == first
    opened.clear()
    assert store.identify("aad-6", "Jo", "jo@example.org", tenant_id="t1") is not None
    assert opened == []  # the same sender within the second: no session
    # Anything else about the sender is read again: another name is a write...
    renamed = store.identify("aad-6", "Jo Smith", "jo@example.org", tenant_id="T1")
    assert renamed is not None and renamed.name == "Jo Smith" and opened
    # ...and a change through the store is seen at once, without waiting for the second.
    store.add_bodies(first.id, ["OPCCN"], ACTOR, NOW)
    opened.clear()
    found = store.identify("aad-6", "Jo Smith", "jo@example.org", tenant_id="T1")
    assert found is not None and found.body_keys == ("OPCCN",) and opened
    # Another tenant's account with the same object id is still nobody.
    assert store.identify("aad-6", "Jo Smith", "jo@example.org", tenant_id="T2") is None
