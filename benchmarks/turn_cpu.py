"""CPU per turn, in-process: where a common question's turn spends its CPU, without HTTP.

The load benchmark (``conversation.py``) gives CPU per turn of the whole server under load, which
on a shared machine moves with the neighbours. This one runs the same turns in one process, on
the seeded benchmark database, and counts CPU time (``time.process_time``: every thread of the
process, not wall time), so a change to the bot's own code can be measured in a minute.

Stages, each for every question:

* ``answer``: ``bot.dispatch.handle_text`` alone (identify, understand, the handler, the card);
* ``card``: the card alone, built again from the view the handler made (``--stages card``);
* ``turn``: the whole Teams turn through ``PartnershipBot`` and a recording adapter, plus
  encoding each reply as the server's lean reply path does (``bot.teams.outgoing``):
  everything a turn costs except the HTTP on both ends and the SDK's JWT check.

Each figure is the median over ``--rounds`` rounds of ``--turns`` turns (after ``--warmup``).
``--profile`` prints the top of a cProfile of the ``turn`` stage instead.

Usage (from the repository root)::

    .venv/bin/python benchmarks/turn_cpu.py                   # about 30 s
    .venv/bin/python benchmarks/turn_cpu.py --quick           # a few seconds
    .venv/bin/python benchmarks/turn_cpu.py --profile --questions overdue

Writes ``benchmarks/results/turn_cpu.json`` and prints a markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS, machine, write_result

QUESTIONS = {
    "overdue": "what's overdue for me?",
    "overdue_opccn": "what's overdue for OPCCN?",
    "action": "action 1.18",
}


def _services(url: str) -> Any:
    from bot.clock import SystemClock
    from bot.config import Settings
    from bot.services import open_services
    from storage.db import make_engine, make_sessionmaker

    settings = Settings.from_env({"DATABASE_URL": url})
    return open_services(settings, make_sessionmaker(make_engine(url)), SystemClock())


def _activity(text: str, aad: str, turn: int) -> Any:
    from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount

    tenant = "9f1c1c7e-0000-4000-8000-0000000be7c4"
    return Activity(
        type="message",
        id=f"in-{turn}",
        channel_id="msteams",
        text=text,
        service_url="http://127.0.0.1:1/",
        from_property=ChannelAccount(id="29:bench-user-0", name="Bench User 0", aad_object_id=aad),
        recipient=ChannelAccount(id="28:safer-partnership-bot", name="Safer Partnership"),
        conversation=ConversationAccount(
            id="a:bench-conversation-0", conversation_type="personal", tenant_id=tenant
        ),
        channel_data={"tenant": {"id": tenant}},
        locale="en-GB",
    )


class InlineExecutor(Executor):
    """Runs each call at once on the calling thread (so that cProfile sees it)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn`` now; its result (or exception) in a finished future."""
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting turn, as a pool would
            future.set_exception(exc)
        return future


class Turns:
    """The three stages for one question, on one set of services."""

    def __init__(self, services: Any, text: str, aad: str, *, inline: bool = False) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from bot.teams.handler import PartnershipBot
        from bot.teams.outgoing import activity_body

        self.services = services
        self.text = text
        self.aad = aad
        self.encode = activity_body
        # The server runs the plan work on a worker thread; a profile wants it on this one.
        self.executor: Executor = InlineExecutor() if inline else ThreadPoolExecutor(1)
        self.bot = PartnershipBot(services, executor=self.executor, remember_references=False)
        self.loop = asyncio.new_event_loop()
        self.count = 0
        self.replies: list[bytes] = []

    def request(self) -> Any:
        from bot.turns import Place, Request, Sender

        return Request(
            sender=Sender(aad_object_id=self.aad, name="Bench User 0", email=None),
            place=Place(conversation_id="a:bench-conversation-0"),
            now=self.services.clock.now(),
            text=self.text,
        )

    def answer(self) -> Any:
        from bot import dispatch

        return dispatch.handle_text(self.services, self.request())

    def card_builder(self) -> Callable[[], Any]:
        """Build the answer's card again from its view (the handler's last view, captured)."""
        import cards.actions
        from bot.handlers import lists

        seen: list[Any] = []
        original = lists.action_list_card
        lists.action_list_card = lambda view: seen.append(view) or original(view)
        try:
            self.answer()
        finally:
            lists.action_list_card = original
        if not seen:
            return lambda: None
        view = seen[-1]
        return lambda: cards.actions.action_list_card(view)

    def turn(self) -> None:
        from bot.teams.recording import RecordingAdapter

        self.count += 1
        adapter = RecordingAdapter()
        activity = _activity(self.text, self.aad, self.count)
        self.loop.run_until_complete(adapter.process(activity, self.bot.on_turn))
        self.replies = [self.encode(a) for a in adapter.sent]

    def close(self) -> None:
        self.loop.close()
        self.executor.shutdown()


def cpu_ms_per_call(fn: Callable[[], Any], turns: int, rounds: int, warmup: int) -> list[float]:
    """CPU milliseconds per call of ``fn``, one figure per round."""
    for _ in range(warmup):
        fn()
    figures = []
    for _ in range(rounds):
        gc.collect()
        start = time.process_time()
        for _ in range(turns):
            fn()
        figures.append((time.process_time() - start) * 1000 / turns)
    return figures


def profile(fn: Callable[[], Any], turns: int, top: int) -> None:
    """Print the top of a cProfile of ``turns`` calls, by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(turns):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", default=",".join(QUESTIONS), help="comma-separated")
    parser.add_argument("--stages", default="answer,card,turn", help="comma-separated")
    parser.add_argument("--turns", type=int, default=200, help="turns per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="30 turns, 2 rounds")
    parser.add_argument("--profile", action="store_true", help="cProfile the turn stage")
    parser.add_argument(
        "--no-memo", action="store_true", help="draw every card afresh (a memo of size 0)"
    )
    parser.add_argument("--top", type=int, default=35, help="rows of the profile")
    parser.add_argument("--name", default="turn_cpu", help="results file name")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.quick:
        args.turns, args.rounds, args.warmup = 30, 2, 5
    return args


def main(argv: list[str] | None = None) -> int:
    from benchmarks.conversation import seed, user_aad

    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="turn-cpu-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'seeded.db'}"
        seed(url, 1)
        services = _services(url)
        if args.no_memo:
            from cards.memo import CardMemo

            services.cards = CardMemo(size=0)
        gc.freeze()  # as the server does before serving (bot.app.freeze_startup_heap)
        rows = []
        for name in args.questions.split(","):
            turns = Turns(services, QUESTIONS[name], user_aad(0), inline=args.profile)
            try:
                if args.profile:
                    cpu_ms_per_call(turns.turn, 0, 0, args.warmup)
                    print(f"## {name}: {turns.text}")
                    profile(turns.turn, args.turns, args.top)
                    continue
                row: dict[str, Any] = {"question": name, "text": turns.text}
                stages: dict[str, Callable[[], Any]] = {
                    "answer": turns.answer,
                    "card": turns.card_builder(),
                    "turn": turns.turn,
                }
                for stage in args.stages.split(","):
                    figures = cpu_ms_per_call(stages[stage], args.turns, args.rounds, args.warmup)
                    row[f"{stage}_cpu_ms"] = round(statistics.median(figures), 3)
                    row[f"{stage}_rounds_ms"] = [round(f, 3) for f in figures]
                if "turn" in args.stages:
                    row["reply_bytes"] = sum(len(r) for r in turns.replies)
                rows.append(row)
            finally:
                turns.close()
        if args.profile:
            return 0
    out = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}, "rows": rows}
    path = write_result(args.name, out) if args.results_dir == RESULTS else None
    if path is None:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        path = args.results_dir / f"{args.name}.json"
        path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print("| question | answer CPU ms | card CPU ms | turn CPU ms | reply bytes |")
    print("|---|---|---|---|---|")
    for row in rows:
        cells = [row.get(f"{s}_cpu_ms", "–") for s in ("answer", "card", "turn")]
        print(f"| {row['text']} | {' | '.join(map(str, cells))} | {row.get('reply_bytes', '–')} |")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
