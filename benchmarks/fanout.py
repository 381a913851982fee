"""Fan-out benchmark: update prompts to many channels and reminders to many people.

Issue 9, part 3. A database is seeded with ``--channels`` channel conversations linked to
bodies and ``--people`` people with 1:1 chats who asked for reminders; every body has one
meeting such that its update prompt and its members' reminders all fall due at the same
instant ``due`` (a minute before the run). The bot is started as deployed
(``python -m bot serve``, jobs timer off) and the real job run is triggered over HTTP with
``POST /api/jobs/run``; it sends over real HTTP to the harness's fake Bot Connector
(``benchmarks/harness/fake_connector.py``, its own process on loopback), which records every
arrival with its status and answers a fraction ``--p429`` of them with 429 (Retry-After 1 s).

Measured per scenario:

- total time from the trigger to the last delivered message, against the minimum Teams' rate
  limits allow for what was sent (see :func:`rate_limit_minimum`);
- exactly once: delivered messages per target conversation from the connector's own record
  (0 missing, 0 duplicated, nothing anywhere else), and every delivery row in the database
  'sent' with a distinct activity id;
- 429 answers and retries;
- a second run sends nothing (idempotent).

Run (from the repository root)::

    .venv/bin/python benchmarks/fanout.py               # 500 channels, 2,000 people; 0%, 10% 429
    .venv/bin/python benchmarks/fanout.py --quick       # 20 channels, 50 people (smoke test)
    .venv/bin/python benchmarks/fanout.py --with-delay  # also with a 100 ms connector
    .venv/bin/python benchmarks/fanout.py --p429 0.1 --delay-ms 100 --db postgres

Writes ``benchmarks/results/fanout.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from sqlalchemy import create_engine, func, select, text

from benchmarks.common import (
    HARNESS,
    PYTHON,
    bench_env,
    free_port,
    our_bot,
    percentile,
    running,
    write_result,
)
from bot.clock import LONDON
from bot.jobs.policy import PER_CONVERSATION_PER_SECOND, PER_TENANT_PER_SECOND
from bot.plan.forms import MeetingDraft
from bot.plan.schedule import BodyRules
from storage import migrate
from storage.body_rules import save_rules
from storage.channel_links import link_channel
from storage.conversations import save_reference
from storage.db import make_engine, make_sessionmaker, transaction
from storage.meetings import save_meeting
from storage.models import Body, Delivery
from storage.people import add_memberships, ensure_person
from storage.reminders import subscribe
from storage.seed_data import ensure_default_data

TENANT = "bench-tenant"
TOKEN = "bench-fanout-jobs-token"
RETRY_AFTER = 1.0
BODIES = 10  # channels and people are spread over this many bodies
TARGET_RATIO = 1.1
PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PG_DATABASE = "bench_fanout"
BOT_ACCOUNT = {"id": "28:safer-partnership-bot", "name": "Safer Partnership"}


@dataclass(frozen=True)
class Scenario:
    """One fan-out: how often the connector throttles and how slowly it answers."""

    p429: float
    delay_ms: float

    @property
    def label(self) -> str:
        """A short name for the table."""
        delay = f", connector +{self.delay_ms:g} ms" if self.delay_ms else ""
        return f"{self.p429:.0%} 429{delay}"


@dataclass(frozen=True)
class Seeded:
    """What the database holds for a run."""

    due: datetime
    channel_ids: list[str]
    person_ids: list[str]

    @property
    def targets(self) -> set[str]:
        """Every conversation that should get exactly one message."""
        return set(self.channel_ids) | set(self.person_ids)


# ------------------------------------------------------------------------------ database


def database_url(kind: str, workdir: Path) -> str:
    """A new, empty database of ``kind`` (``sqlite`` or ``postgres``), recreated each call."""
    if kind == "sqlite":
        path = workdir / "fanout.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DATABASE}"


def _reference(conversation_id: str, kind: str, service_url: str, aad: str | None) -> dict:
    return {
        "conversation": {"id": conversation_id, "conversationType": kind, "tenantId": TENANT},
        "serviceUrl": service_url,
        "channelId": "msteams",
        "bot": BOT_ACCOUNT,
        "user": {"id": f"29:{aad or 'bench-linker'}", "aadObjectId": aad},
    }


def seed(url: str, channels: int, people: int, service_url: str, due: datetime) -> Seeded:
    """Migrate, load the default data and add the fan-out's channels, people and meetings.

    Every one of ``BODIES`` bodies gets a meeting 7 days after ``due`` (London wall clock)
    with prompts and reminders 7 days ahead and no follow-up, so each linked channel's prompt
    and each member's reminder falls due exactly at ``due``. Links and subscriptions date from
    an hour before, so no older meeting of the seeded data is planned.
    """
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        db = make_sessionmaker(engine)
        since = due - timedelta(hours=1)
        ensure_default_data(db, since)
        starts_local = (due.astimezone(LONDON) + timedelta(days=7)).replace(tzinfo=None)
        channel_ids = [f"19:bench-channel-{i:05d}@thread.tacv2" for i in range(channels)]
        person_ids = [f"a:bench-chat-{j:05d}" for j in range(people)]
        with transaction(db) as session:
            keys = list(session.scalars(select(Body.key).order_by(Body.key)).all())[:BODIES]
            for key in keys:
                save_rules(session, key, BodyRules(7, 0, 7), None, since)
                draft = MeetingDraft(key, f"{key} meeting", starts_local, 90, "County Hall")
                save_meeting(session, draft, source="bench")
            for i, conversation_id in enumerate(channel_ids):
                record = save_reference(
                    session,
                    conversation_id=conversation_id,
                    conversation_type="channel",
                    tenant_id=TENANT,
                    service_url=service_url,
                    team_id="bench-team",
                    user_aad_object_id=None,
                    reference=_reference(conversation_id, "channel", service_url, None),
                    now=since,
                )
                link_channel(session, keys[i % len(keys)], record.id, None, since)
            for j, conversation_id in enumerate(person_ids):
                aad = f"bench-aad-{j:05d}"
                person = ensure_person(session, aad_object_id=aad, name=f"Member {j}")
                add_memberships(
                    session, person.id, [keys[j % len(keys)]], role="member", source="bench"
                )
                subscribe(session, person.id, since)
                save_reference(
                    session,
                    conversation_id=conversation_id,
                    conversation_type="personal",
                    tenant_id=TENANT,
                    service_url=service_url,
                    team_id=None,
                    user_aad_object_id=aad,
                    reference=_reference(conversation_id, "personal", service_url, aad),
                    now=since,
                )
        return Seeded(due, channel_ids, person_ids)
    finally:
        engine.dispose()


def delivery_rows(url: str) -> dict[str, Any]:
    """The delivery table after the run: statuses, tries, distinct activity ids."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            statuses = dict(
                conn.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
            )
            attempts = conn.execute(select(func.coalesce(func.sum(Delivery.attempts), 0))).scalar()
            activities = conn.execute(
                select(func.count(func.distinct(Delivery.activity_id))).where(
                    Delivery.status == "sent"
                )
            ).scalar()
            rules = dict(
                conn.execute(select(Delivery.rule, func.count()).group_by(Delivery.rule)).all()
            )
        return {
            "rows": sum(statuses.values()),
            "by_status": statuses,
            "by_rule": rules,
            "attempts": int(attempts or 0),
            "distinct_activity_ids": int(activities or 0),
        }
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------ HTTP


def _http(method: str, url: str, body: dict | None = None, token: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=1800) as response:
        return json.loads(response.read() or b"null")


# ------------------------------------------------------------------------------ figures


def rate_limit_minimum(attempts: int, per_conversation_attempts: Counter[str]) -> dict[str, float]:
    """The least time Teams' limits allow from the first request to the last one.

    Every request the connector saw used rate budget, a 429 as much as a delivery: the tenant
    limit (50/s, all targets are in one tenant) spaces ``attempts`` requests at least
    ``(attempts - 1) / 50`` s apart end to end. Within one conversation, consecutive requests
    are at least 1/7 s apart, and a retry after a 429 at least Retry-After (1 s) later, so a
    conversation that saw ``k`` requests needs ``(k - 1) * max(1/7, Retry-After)``. The
    minimum is the larger of the two; it ignores the bot's own work entirely, so the time
    from the trigger (which includes planning) is compared with it.
    """
    tenant = max(0, attempts - 1) / PER_TENANT_PER_SECOND
    longest = max(per_conversation_attempts.values(), default=1)
    gap = max(1 / PER_CONVERSATION_PER_SECOND, RETRY_AFTER)
    conversation = (longest - 1) * gap
    return {
        "tenant_bound_s": tenant,
        "conversation_bound_s": conversation,
        "minimum_s": max(tenant, conversation),
    }


def analyse(arrivals: list[dict[str, Any]], seeded: Seeded, trigger: float) -> dict[str, Any]:
    """Timing, 429s and exactly-once from the connector's record of one run."""
    activity = [a for a in arrivals if a["op"] in ("send", "reply")]
    delivered = [a for a in activity if a["status"] in (200, 201)]
    throttled = [a for a in activity if a["status"] == 429]
    per_target = Counter(a["conversation_id"] for a in delivered)
    targets = seeded.targets
    missing = sorted(targets - set(per_target))
    duplicated = {c: n for c, n in per_target.items() if c in targets and n > 1}
    stray = {c: n for c, n in per_target.items() if c not in targets}
    times = sorted(a["t"] for a in activity)
    delivered_times = sorted(a["t"] for a in delivered)
    attempts_per_conv = Counter(a["conversation_id"] for a in activity)
    bounds = rate_limit_minimum(len(activity), attempts_per_conv)
    first = times[0] if times else trigger
    last = delivered_times[-1] if delivered_times else trigger
    total = last - trigger
    span = (times[-1] - first) if times else 0.0
    gaps = [b - a for a, b in itertools.pairwise(times)]
    other_ops = Counter(a["op"] for a in arrivals if a["op"] not in ("send", "reply"))
    return {
        "requests": len(activity),
        "delivered": len(delivered),
        "answered_429": len(throttled),
        "other_calls": dict(other_ops),
        "targets": len(targets),
        "exactly_once": sum(1 for c in targets if per_target.get(c) == 1),
        "missing": len(missing),
        "duplicated": len(duplicated),
        "stray": len(stray),
        "missing_sample": missing[:5],
        "trigger_to_first_request_s": first - trigger,
        "first_to_last_request_s": span,
        "total_s": total,
        **bounds,
        "ratio": total / bounds["minimum_s"] if bounds["minimum_s"] else float("inf"),
        "span_ratio": span / bounds["tenant_bound_s"] if bounds["tenant_bound_s"] else 0.0,
        "requests_per_s": (len(activity) - 1) / span if span else 0.0,
        "gap_ms": {
            "p50": percentile(gaps, 0.5) * 1000,
            "p99": percentile(gaps, 0.99) * 1000,
            "min": min(gaps, default=0.0) * 1000,
            "max": max(gaps, default=0.0) * 1000,
        },
        "max_requests_in_any_1s": _max_in_window(times, 1.0),
    }


def _max_in_window(times: list[float], width: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


# ------------------------------------------------------------------------------ runs


def run_scenario(
    scenario: Scenario,
    *,
    channels: int,
    people: int,
    db_kind: str,
    connector_url: str,
    workdir: Path,
) -> dict[str, Any]:
    """Seed a fresh database, start the bot, run the jobs twice, and measure."""
    _http("POST", f"{connector_url}/_bench/config", {"p429": 0.0, "delay_ms": 0.0})
    _http("POST", f"{connector_url}/_bench/reset", {})
    url = database_url(db_kind, workdir)
    due = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    seed_start = time.perf_counter()
    seeded = seed(url, channels, people, connector_url + "/", due)
    seed_seconds = time.perf_counter() - seed_start
    env = {"JOBS_TOKEN": TOKEN, "JOBS_INTERVAL_SECONDS": "0", "LOG_LEVEL": "WARNING"}
    with our_bot(url, env) as bot:
        jobs_url = f"http://127.0.0.1:{bot.port}/api/jobs/run"
        _http(
            "POST",
            f"{connector_url}/_bench/config",
            {"p429": scenario.p429, "retry_after": RETRY_AFTER, "delay_ms": scenario.delay_ms},
        )
        trigger = time.perf_counter()
        first = _http("POST", jobs_url, token=TOKEN)
        answered = time.perf_counter()
        arrivals = _http("GET", f"{connector_url}/_bench/arrivals?since={trigger}")
        second_trigger = time.perf_counter()
        second = _http("POST", jobs_url, token=TOKEN)
        second_answered = time.perf_counter()
        again = _http("GET", f"{connector_url}/_bench/arrivals?since={second_trigger}")
    figures = analyse(arrivals, seeded, trigger)
    rows = delivery_rows(url)
    expected = channels + people
    all_sent = rows["by_status"] == {"sent": expected} and rows["distinct_activity_ids"] == expected
    idempotent = second.get("planned") == 0 and second.get("sent") == 0 and not again
    exactly_once = (
        figures["exactly_once"] == expected
        and figures["missing"] == 0
        and figures["duplicated"] == 0
        and figures["stray"] == 0
    )
    return {
        "scenario": scenario.label,
        "p429": scenario.p429,
        "retry_after_s": RETRY_AFTER,
        "delay_ms": scenario.delay_ms,
        "db": db_kind,
        "channels": channels,
        "people": people,
        "due": seeded.due.isoformat(),
        "seed_s": seed_seconds,
        "job_answer_s": answered - trigger,
        "summary": first,
        "retries": first.get("retries"),
        **figures,
        "db_rows": rows,
        "all_rows_sent": all_sent,
        "exactly_once_ok": exactly_once,
        "second_run": {
            "summary": second,
            "answer_s": second_answered - second_trigger,
            "requests": len(again),
            "idempotent": idempotent,
        },
        "target_met": exactly_once and all_sent and idempotent and figures["ratio"] <= TARGET_RATIO,
    }


def table(results: list[dict[str, Any]]) -> str:
    """The markdown table of the runs."""
    lines = [
        "| scenario | db | targets | requests | 429s | retries | trigger→last (s) "
        "| minimum (s) | ratio | first→last (s) | req/s | exactly once | missing | dup "
        "| rows sent | 2nd run sends | target ≤1.1x |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['scenario']} | {r['db']} | {r['targets']} | {r['requests']} "
            f"| {r['answered_429']} | {r['retries']} | {r['total_s']:.2f} "
            f"| {r['minimum_s']:.2f} | {r['ratio']:.3f} | {r['first_to_last_request_s']:.2f} "
            f"| {r['requests_per_s']:.1f} | {r['exactly_once']} | {r['missing']} "
            f"| {r['duplicated']} | {r['db_rows']['by_status'].get('sent', 0)} "
            f"| {r['second_run']['requests']} | {'yes' if r['target_met'] else 'NO'} |"
        )
    return "\n".join(lines)


def scenarios_for(args: argparse.Namespace) -> list[Scenario]:
    """The given scenario, or the default matrix (0% and 10% 429, optionally +100 ms)."""
    if args.p429 is not None or args.delay_ms is not None:
        return [Scenario(args.p429 or 0.0, args.delay_ms or 0.0)]
    delays = [0.0, 100.0] if args.with_delay else [0.0]
    return [Scenario(p, d) for d in delays for p in (0.0, 0.1)]


def main(argv: list[str] | None = None) -> int:
    """Run the fan-out scenarios; exit 1 when a delivery was missing or duplicated."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--p429", type=float, default=None, help="one scenario: 429 fraction")
    parser.add_argument("--delay-ms", type=float, default=None, help="one scenario: delay")
    parser.add_argument("--with-delay", action="store_true", help="also with +100 ms")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="20 channels, 50 people")
    parser.add_argument("--seed", type=int, default=1, help="the connector's random seed")
    parser.add_argument("--out", default="fanout", help="result name (benchmarks/results/)")
    args = parser.parse_args(argv)
    if args.quick:
        args.channels, args.people = 20, 50
    port = free_port()
    argv_connector = [
        PYTHON,
        str(HARNESS / "fake_connector.py"),
        "--port",
        str(port),
        "--retry-after",
        f"{RETRY_AFTER:g}",
        "--seed",
        str(args.seed),
    ]
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp,
        running(argv_connector, port, "/_bench/stats", bench_env(), "connector"),
    ):
        connector_url = f"http://127.0.0.1:{port}"
        for scenario in scenarios_for(args):
            print(f"fan-out: {scenario.label} ...", file=sys.stderr, flush=True)
            result = run_scenario(
                scenario,
                channels=args.channels,
                people=args.people,
                db_kind=args.db,
                connector_url=connector_url,
                workdir=Path(tmp),
            )
            results.append(result)
            print(table([result]).splitlines()[-1], file=sys.stderr, flush=True)
    path = write_result(
        args.out,
        {
            "channels": args.channels,
            "people": args.people,
            "db": args.db,
            "limits": {
                "per_tenant_per_s": PER_TENANT_PER_SECOND,
                "per_conversation_per_s": PER_CONVERSATION_PER_SECOND,
            },
            "target_ratio": TARGET_RATIO,
            "minimum_formula": rate_limit_minimum.__doc__,
            "runs": results,
        },
    )
    print(table(results))
    print(f"\nwritten: {path}")
    ok = all(
        r["exactly_once_ok"] and r["all_rows_sent"] and r["second_run"]["idempotent"]
        for r in results
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
