"""Issue 13, defect 11: Teams' rate limits hold for all instances together, not each one.

Two ``python -m bot serve`` processes on one PostgreSQL database run the jobs at the same time
and fan out to 200 conversations through one fake Bot Connector (its own process), which
answers 10% of the requests with 429 and records when each arrived. Counted there: at most
50 requests in any one-second window for the tenant and 7 for any conversation, and every
message delivered exactly once.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from benchmarks import fanout
from benchmarks.common import HARNESS, PYTHON, bench_env, free_port, our_bot, running
from bot.jobs.policy import PER_CONVERSATION_PER_SECOND, PER_TENANT_PER_SECOND
from storage.db import make_sessionmaker, transaction
from storage.rate_slots import reserve_send_slot


def test_slots_are_spaced_for_the_tenant_and_each_conversation(engine: Engine) -> None:
    factory = make_sessionmaker(engine)
    slots = []
    for conversation in ("a", "b", "a", "a", "c"):
        with transaction(factory) as session:
            slots.append(
                reserve_send_slot(
                    session,
                    "tenant:t",
                    f"conversation:{conversation}",
                    1000.0,
                    tenant_interval=0.02,
                    conversation_interval=0.15,
                )
            )
    a1, b1, a2, a3, c1 = slots
    assert a1 == 1000.0 and b1 == pytest.approx(1000.02)
    assert a2 == pytest.approx(1000.15) and a3 == pytest.approx(1000.30)
    assert c1 == pytest.approx(1000.32)  # after the tenant's last slot


@pytest.mark.timeout(240)
def test_two_instances_keep_to_the_limits_together(postgres_url: str, tmp_path: Path) -> None:
    port = free_port()
    connector_argv = [
        PYTHON,
        str(HARNESS / "fake_connector.py"),
        "--port",
        str(port),
        "--retry-after",
        "1",
        "--seed",
        "13",
    ]
    with running(connector_argv, port, "/_bench/stats", bench_env(), "connector"):
        connector = f"http://127.0.0.1:{port}"
        due = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
        seeded = fanout.seed(postgres_url, 100, 100, connector + "/", due)
        env = {"JOBS_TOKEN": fanout.TOKEN, "JOBS_INTERVAL_SECONDS": "0", "LOG_LEVEL": "WARNING"}
        with our_bot(postgres_url, env) as first, our_bot(postgres_url, env) as second:
            fanout._http("POST", f"{connector}/_bench/config", {"p429": 0.1, "retry_after": 1})
            summaries: list[dict[str, Any]] = []

            def trigger(bot_port: int) -> None:
                url = f"http://127.0.0.1:{bot_port}/api/jobs/run"
                summaries.append(fanout._http("POST", url, token=fanout.TOKEN))

            threads = [threading.Thread(target=trigger, args=(b.port,)) for b in (first, second)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=180)
            arrivals = fanout._http("GET", f"{connector}/_bench/arrivals?since=0")
    requests = [a for a in arrivals if a["op"] in ("send", "reply")]
    throttled = [a for a in requests if a["status"] == 429]
    # Both instances took part (each sent some), and 429s happened.
    assert len(summaries) == 2 and all(s["sent"] > 0 for s in summaries), summaries
    assert sum(s["sent"] for s in summaries) == 200 and throttled
    tenant_peak = fanout._max_in_window(sorted(a["t"] for a in requests), 1.0)
    per_conversation: dict[str, list[float]] = defaultdict(list)
    for arrival in requests:
        per_conversation[arrival["conversation_id"]].append(arrival["t"])
    conversation_peak = max(
        fanout._max_in_window(sorted(t), 1.0) for t in per_conversation.values()
    )
    assert tenant_peak <= PER_TENANT_PER_SECOND, tenant_peak
    assert conversation_peak <= PER_CONVERSATION_PER_SECOND, conversation_peak
    figures = fanout.analyse(arrivals, seeded, 0.0)
    assert figures["exactly_once"] == 200 and figures["missing"] == 0
    assert figures["duplicated"] == 0 and figures["stray"] == 0
    rows = fanout.delivery_rows(postgres_url)
    assert rows["by_status"] == {"sent": 200} and rows["distinct_activity_ids"] == 200
