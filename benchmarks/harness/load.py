#!/usr/bin/env python3
"""Load generator for Bot Framework bots (loopback only).

Simulates Microsoft Teams users talking to a bot's /api/messages endpoint and
runs the fake Bot Connector (fake_connector.py) in-process, as the serviceUrl
the bot replies to, so the time from "POST sent" to "reply arrived at the
connector" (end-to-end latency) is measured on one clock.

Sub-commands
  messages  C concurrent users, closed loop (each waits for the POST answer and
            for its reply before sending again), or open loop with --rate.
  invoke    same, with Teams invoke activities (default task/fetch); the answer
            is in the HTTP response body, no reply is awaited by default.
  fanout    seeds N conversations (conversationUpdate or message activities),
            then triggers the bot's proactive endpoint (e.g. POST /api/notify)
            and measures how long until all N proactive messages arrive, and
            whether each arrives exactly once (optionally with injected 429s).

Every run is bounded (--duration and/or --count, per-request timeouts) and
stops by itself; the bot URL must be a loopback address.

Examples
  python load.py messages --bot http://127.0.0.1:3978/api/messages -c 8 --duration 20 \
      --texts messages.txt --pid $BOT_PID --out results/echo_c8.json
  python load.py invoke --bot http://127.0.0.1:3979/api/messages -c 8 --duration 10
  python load.py fanout --bot http://127.0.0.1:3979/api/messages --n 200 \
      --notify-url http://127.0.0.1:3979/api/notify --notify-query mode=concurrent --p429 0.05
"""
import argparse
import asyncio
import ipaddress
import json
import os
import random
import socket
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from typing import Dict, List, Optional
from urllib.parse import urlencode, urlsplit

import aiohttp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_connector import DELIVERED, Arrival, FakeConnector  # noqa: E402

MAX_DURATION_S = 900          # hard cap on any run
MAX_COUNT = 5_000_000
DEFAULT_TEXTS = ["hello", "how are you?", "what's the weather like today", "help",
                 "Can you summarise the last meeting for me please?", "thanks!",
                 "show me my open tickets", "ok"]
TENANT_ID = "9f1c1c7e-0000-4000-8000-0000000be7c4"   # fake tenant
BOT_ID = "28:00000000-0000-4000-8000-00000000b07"


# ---------------------------------------------------------------- utilities
def die(msg: str):
    print(f"load.py: error: {msg}", file=sys.stderr)
    sys.exit(2)


def require_loopback(url: str, what: str):
    host = urlsplit(url).hostname
    if not host:
        die(f"{what} {url!r} has no host")
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as err:
        die(f"{what} host {host!r} does not resolve: {err}")
    for info in infos:
        addr = ipaddress.ip_address(info[4][0].split("%")[0])
        if not addr.is_loopback:
            die(f"{what} {url!r} resolves to {addr}, which is not loopback; "
                "this tool only sends load to 127.0.0.0/8 or ::1")


def percentile(sorted_vals: List[float], p: float) -> Optional[float]:
    """Linear-interpolated percentile of an already sorted list."""
    if not sorted_vals:
        return None
    if len(sorted_vals) == 1:
        return sorted_vals[0]
    k = (len(sorted_vals) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(sorted_vals) - 1)
    return sorted_vals[f] + (sorted_vals[c] - sorted_vals[f]) * (k - f)


def lat_summary(values_s: List[float]) -> dict:
    v = sorted(values_s)
    ms = lambda x: None if x is None else round(x * 1000.0, 3)  # noqa: E731
    return {"n": len(v), "p50_ms": ms(percentile(v, 50)), "p90_ms": ms(percentile(v, 90)),
            "p99_ms": ms(percentile(v, 99)), "max_ms": ms(v[-1] if v else None),
            "mean_ms": ms(sum(v) / len(v) if v else None)}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- CPU sampling
CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> Optional[float]:
    """utime+stime of a process (all its threads), in seconds."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def system_cpu() -> tuple:
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = list(map(int, parts))
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return sum(vals), idle


def fd_count(pid: int) -> Optional[int]:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def tcp_states() -> dict:
    names = {"01": "ESTABLISHED", "06": "TIME_WAIT", "08": "CLOSE_WAIT", "0A": "LISTEN"}
    c = Counter()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    st = line.split()[3]
                    c[names.get(st, st)] += 1
        except OSError:
            pass
    return dict(c)


class CpuSampler:
    """Samples CPU of given pids, of this process and of the whole machine."""

    def __init__(self, pids: List[int], interval: float = 1.0):
        self.pids = pids
        self.interval = interval
        self.samples: List[dict] = []
        self._task = None
        self._start = None

    def _snap(self):
        return {"t": time.perf_counter(),
                "pids": {p: proc_cpu_s(p) for p in self.pids},
                "self": proc_cpu_s(os.getpid()),
                "sys": system_cpu()}

    @staticmethod
    def _delta(a, b) -> dict:
        dt = b["t"] - a["t"]
        out = {"dt": dt, "pids": {}}
        for p in a["pids"]:
            if a["pids"][p] is not None and b["pids"].get(p) is not None:
                out["pids"][p] = 100.0 * (b["pids"][p] - a["pids"][p]) / dt
        out["self"] = 100.0 * (b["self"] - a["self"]) / dt
        tot = b["sys"][0] - a["sys"][0]
        idle = b["sys"][1] - a["sys"][1]
        out["sys_busy"] = 100.0 * (tot - idle) / tot if tot else None   # % of all cores
        return out

    async def _loop(self):
        prev = self._snap()
        while True:
            await asyncio.sleep(self.interval)
            cur = self._snap()
            self.samples.append(self._delta(prev, cur))
            prev = cur

    def start(self):
        self._start = self._snap()
        self._task = asyncio.ensure_future(self._loop())

    async def stop(self) -> dict:
        end = self._snap()
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        total = self._delta(self._start, end)
        res = {"note": "process CPU in % of ONE core (200% = both cores); sys_busy in % of all cores",
               "cores": os.cpu_count()}
        for p in self.pids:
            vals = [s["pids"][p] for s in self.samples if p in s["pids"]]
            res[f"pid_{p}"] = {"mean_pct": round(total["pids"].get(p, float("nan")), 1),
                               "max_1s_pct": round(max(vals), 1) if vals else None,
                               "fds_at_end": fd_count(p)}
        res["loadgen"] = {"mean_pct": round(total["self"], 1),
                          "max_1s_pct": round(max(s["self"] for s in self.samples), 1) if self.samples else None}
        res["system_busy_pct"] = {"mean": None if total["sys_busy"] is None else round(total["sys_busy"], 1),
                                  "max_1s": round(max((s["sys_busy"] or 0) for s in self.samples), 1)
                                  if self.samples else None}
        if total["sys_busy"] is not None:
            # CPU used by anything but the sampled pids and this process (other tenants, kernel
            # softirq work not charged to a process): a noise indicator, % of one core
            ours = total["self"] + sum(total["pids"].values())
            res["other_pct"] = round(max(0.0, total["sys_busy"] * (os.cpu_count() or 1) - ours), 1)
        return res


# ---------------------------------------------------------------- Teams activities
class User:
    def __init__(self, idx: int, run_id: str, conv_type: str):
        self.idx = idx
        self.id = f"29:1bench-{run_id}-user-{idx:05d}"
        self.name = f"Bench User {idx}"
        self.aad = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{run_id}/{idx}"))
        self.conv_type = conv_type
        if conv_type == "personal":
            self.conversation = {"conversationType": "personal", "tenantId": TENANT_ID,
                                 "id": f"a:1bench-{run_id}-conv-{idx:05d}"}
            self.channel_data = {"tenant": {"id": TENANT_ID}}
        elif conv_type == "groupChat":
            self.conversation = {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT_ID,
                                 "id": f"19:bench{run_id}g{idx:05d}@thread.v2"}
            self.channel_data = {"tenant": {"id": TENANT_ID}}
        elif conv_type == "channel":
            team = f"19:bench{run_id}team@thread.tacv2"
            chan = f"19:bench{run_id}chan{idx:05d}@thread.tacv2"
            self.conversation = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT_ID,
                                 "id": f"{chan};messageid=17000000{idx:05d}"}
            self.channel_data = {"teamsChannelId": chan, "teamsTeamId": team,
                                 "channel": {"id": chan}, "team": {"id": team},
                                 "tenant": {"id": TENANT_ID}}
        else:
            raise ValueError(conv_type)


class ActivityFactory:
    def __init__(self, service_url: str, bot_name: str = "BenchBot"):
        self.service_url = service_url
        self.bot = {"id": BOT_ID, "name": bot_name}
        self._seq = int(time.time() * 1000) * 1000

    def next_id(self) -> str:
        self._seq += 1
        return str(self._seq)

    def _base(self, user: User, atype: str) -> dict:
        ts = now_iso()
        return {
            "type": atype,
            "id": self.next_id(),
            "timestamp": ts,
            "localTimestamp": ts,
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
            "conversation": dict(user.conversation),
            "recipient": dict(self.bot),
            "channelData": dict(user.channel_data),
            "locale": "en-US",
            "localTimezone": "Europe/London",
        }

    def message(self, user: User, text: str) -> dict:
        a = self._base(user, "message")
        a["textFormat"] = "plain"
        a["entities"] = [{"type": "clientInfo", "locale": "en-US", "country": "GB",
                          "platform": "Web", "timezone": "Europe/London"}]
        if user.conv_type == "personal":
            a["text"] = text
        else:   # in channels / group chats the bot is @mentioned
            mention = f"<at>{self.bot['name']}</at>"
            a["text"] = f"{mention} {text}"
            a["textFormat"] = "plain"
            a["entities"].append({"type": "mention", "text": mention,
                                  "mentioned": {"id": self.bot["id"], "name": self.bot["name"]}})
        return a

    def invoke(self, user: User, name: str, value) -> dict:
        a = self._base(user, "invoke")
        a["name"] = name
        a["value"] = value
        a["entities"] = [{"type": "clientInfo", "locale": "en-US", "country": "GB",
                          "platform": "Web", "timezone": "Europe/London"}]
        return a

    def members_added(self, user: User) -> dict:
        a = self._base(user, "conversationUpdate")
        a["membersAdded"] = [{"id": user.id, "aadObjectId": user.aad}]
        a["channelData"] = dict(user.channel_data, eventType="teamMemberAdded") \
            if user.conv_type == "channel" else dict(user.channel_data)
        return a


# ---------------------------------------------------------------- request tracking
class Pending:
    __slots__ = ("user", "cid", "aid", "t_sched", "t_send", "t_post_done", "status", "error",
                 "reply_times", "needed", "done", "body_len", "first_text")

    def __init__(self, user: User, cid: str, aid: str, needed: int, t_sched: float):
        self.user = user
        self.cid = cid
        self.aid = aid
        self.needed = needed
        self.t_sched = t_sched
        self.t_send = None
        self.t_post_done = None
        self.status = None
        self.error = None
        self.reply_times: List[float] = []
        self.done = asyncio.get_event_loop().create_future()
        self.body_len = 0
        self.first_text = None


class Tracker:
    """Matches arrivals at the fake connector with the requests that caused them."""

    def __init__(self, reply_types: Optional[set], reply_contains: Optional[str]):
        self.by_key: Dict[tuple, Pending] = {}
        self.by_conv: Dict[str, List[Pending]] = {}
        self.reply_types = reply_types
        self.reply_contains = reply_contains
        self.unmatched = 0
        self.unmatched_texts = Counter()
        self.extra = 0
        self.throttled = 0

    def add(self, p: Pending):
        self.by_key[(p.cid, p.aid)] = p
        self.by_conv.setdefault(p.cid, []).append(p)

    def remove(self, p: Pending):
        self.by_key.pop((p.cid, p.aid), None)
        lst = self.by_conv.get(p.cid)
        if lst:
            try:
                lst.remove(p)
            except ValueError:
                pass
            if not lst:
                del self.by_conv[p.cid]

    def on_arrival(self, a: Arrival):
        if a.op not in ("reply", "send"):
            return
        if a.status not in DELIVERED:
            self.throttled += 1
            return
        if self.reply_types and a.activity_type not in self.reply_types:
            return
        p = self.by_key.get((a.conversation_id, a.reply_to_id)) if a.reply_to_id else None
        if p is None:
            lst = self.by_conv.get(a.conversation_id)
            p = lst[0] if lst else None
        if p is None:
            self.unmatched += 1
            self.unmatched_texts[(a.text or "")[:60]] += 1
            return
        if self.reply_contains is not None and (a.text is None or self.reply_contains not in a.text):
            self.unmatched += 1
            self.unmatched_texts[(a.text or "")[:60]] += 1
            return
        if p.first_text is None:
            p.first_text = a.text
        p.reply_times.append(a.t)
        if len(p.reply_times) > p.needed and p.needed > 0:
            self.extra += 1
        if len(p.reply_times) >= p.needed and not p.done.done():
            p.done.set_result(True)


# ---------------------------------------------------------------- the runner
class Runner:
    def __init__(self, args):
        self.args = args
        self.run_id = getattr(args, "run_id", None) or uuid.uuid4().hex[:8]
        self.connector = FakeConnector(p429=0.0, retry_after=args.retry_after,
                                       delay_ms=args.connector_delay_ms, seed=args.seed)
        self.session: Optional[aiohttp.ClientSession] = None
        self.factory: Optional[ActivityFactory] = None
        self.texts = self._load_texts(args.texts)
        self.tracker: Optional[Tracker] = None
        self.headers = {"Content-Type": "application/json"}
        if args.auth_header:
            self.headers["Authorization"] = args.auth_header

    @staticmethod
    def _load_texts(path: Optional[str]) -> List[str]:
        if not path:
            return list(DEFAULT_TEXTS)
        with open(path, encoding="utf-8") as f:
            texts = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]
        if not texts:
            die(f"{path} holds no message lines")
        return texts

    async def __aenter__(self):
        port = await self.connector.start(self.args.connector_host, self.args.connector_port)
        service_url = f"http://{self.args.connector_host}:{port}/"
        self.factory = ActivityFactory(service_url, self.args.bot_name)
        conn = aiohttp.TCPConnector(limit=0, ttl_dns_cache=None, force_close=self.args.no_keepalive)
        self.session = aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(
            total=self.args.post_timeout))
        return self

    async def __aexit__(self, *exc):
        if self.session:
            await self.session.close()
        await self.connector.stop()

    # one request -------------------------------------------------------------
    async def do_request(self, user: User, activity: dict, needed: int, t_sched: float) -> Pending:
        p = Pending(user, activity["conversation"]["id"], activity["id"], needed, t_sched)
        if needed > 0:
            self.tracker.add(p)
        data = json.dumps(activity).encode()
        p.t_send = time.perf_counter()
        try:
            async with self.session.post(self.args.bot, data=data, headers=self.headers) as resp:
                body = await resp.read()
                p.status = resp.status
                p.body_len = len(body)
                if self.args.keep_body and body:
                    p.first_text = body[:500].decode(errors="replace")
        except asyncio.TimeoutError:
            p.error = "post_timeout"
        except aiohttp.ClientError as err:
            p.error = f"conn:{type(err).__name__}"
        except OSError as err:
            p.error = f"os:{err.errno}"
        p.t_post_done = time.perf_counter()
        if p.error is None and not (200 <= p.status < 300):
            p.error = f"http_{p.status}"
        if p.error is None and self.args.expect_status and p.status != self.args.expect_status:
            p.error = f"http_{p.status}"
        if needed > 0:
            if p.error is None and not p.done.done():
                remaining = self.args.reply_timeout - (time.perf_counter() - p.t_send)
                try:
                    await asyncio.wait_for(asyncio.shield(p.done), max(0.0, remaining))
                except asyncio.TimeoutError:
                    p.error = "reply_timeout"
            self.tracker.remove(p)
        return p

    # messages / invoke -------------------------------------------------------
    def make_activity(self, user: User, i: int) -> dict:
        if self.args.cmd == "invoke":
            value = json.loads(self.args.invoke_value) if self.args.invoke_value else \
                {"data": {"type": "task/fetch", "text": self.texts[i % len(self.texts)]},
                 "context": {"theme": "default"}}
            return self.factory.invoke(user, self.args.invoke_name, value)
        return self.factory.message(user, self.texts[i % len(self.texts)])

    async def run_load(self) -> dict:
        a = self.args
        needed = a.expect_replies
        self.tracker = Tracker(set(a.reply_types.split(",")) if a.reply_types else None, a.reply_contains)
        self.connector.listeners.append(self.tracker.on_arrival)
        self.connector.set_throttle(a.p429, a.retry_after)
        n_users = a.users or a.concurrency
        users = [User(i, self.run_id, a.conv_type) for i in range(n_users)]
        results: List[Pending] = []
        t_start = time.perf_counter()
        t_warm = t_start + a.warmup
        t_end = t_warm + a.duration
        max_count = a.count or MAX_COUNT
        issued = 0
        sampler = CpuSampler(a.pid)
        sampler_started = False

        async def start_sampler_at_warm():
            nonlocal sampler_started
            await asyncio.sleep(max(0.0, t_warm - time.perf_counter()))
            sampler.start()
            sampler_started = True

        sampler_task = asyncio.ensure_future(start_sampler_at_warm())

        def can_issue() -> bool:
            return issued < max_count and time.perf_counter() < t_end

        if a.rate:
            # open loop: scheduled arrivals, latency also measured from the scheduled time
            inflight = set()
            dropped = 0
            interval = 1.0 / a.rate
            k = 0
            while can_issue():
                t_sched = t_start + k * interval
                delay = t_sched - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if not can_issue():
                    break
                if len(inflight) >= a.max_inflight:
                    dropped += 1
                else:
                    user = users[k % n_users]
                    task = asyncio.ensure_future(self.do_request(user, self.make_activity(user, k), needed, t_sched))
                    task.add_done_callback(lambda t: (inflight.discard(t), results.append(t.result())))
                    inflight.add(task)
                    issued += 1
                k += 1
            if inflight:
                await asyncio.wait(inflight, timeout=a.reply_timeout + a.post_timeout)
        else:
            dropped = 0

            async def user_loop(user: User):
                nonlocal issued
                i = user.idx
                while can_issue():
                    issued += 1
                    p = await self.do_request(user, self.make_activity(user, i), needed, time.perf_counter())
                    results.append(p)
                    i += n_users
                    if a.think_ms:
                        await asyncio.sleep(a.think_ms / 1000.0 * (0.5 + random.random()))

            await asyncio.gather(*(user_loop(u) for u in users[:a.concurrency]))
        t_stop = time.perf_counter()
        if not sampler_started:
            sampler_task.cancel()
            sampler.start()
        cpu = await sampler.stop()
        window_end = min(t_end, t_stop)
        return self.summarise(results, t_warm, window_end, t_stop - t_start, cpu, dropped, issued)

    def summarise(self, results: List[Pending], t0: float, t1: float, wall: float, cpu: dict,
                  dropped: int, issued: int) -> dict:
        a = self.args
        in_window = [p for p in results if p.t_send >= t0 and p.t_post_done <= t1 + a.reply_timeout]
        window = max(1e-9, t1 - t0)
        ok = [p for p in in_window if p.error is None]
        errors = Counter(p.error for p in in_window if p.error)
        post_lat = [p.t_post_done - p.t_send for p in ok]
        e2e = [p.reply_times[p.needed - 1] - p.t_send for p in ok if p.needed > 0 and len(p.reply_times) >= p.needed]
        sched = [((p.reply_times[p.needed - 1] if p.needed > 0 else p.t_post_done) - p.t_sched) for p in ok] \
            if a.rate else None
        statuses = Counter(p.status for p in in_window)
        res = {
            "label": a.label, "mode": a.cmd, "bot": a.bot, "started": now_iso(),
            "config": {"concurrency": a.concurrency, "rate": a.rate, "duration_s": a.duration, "warmup_s": a.warmup,
                       "count": a.count, "expect_replies": a.expect_replies, "conv_type": a.conv_type,
                       "texts": a.texts or "(built-in)", "n_texts": len(self.texts),
                       "connector_delay_ms": a.connector_delay_ms, "p429": a.p429,
                       "keepalive": not a.no_keepalive, "invoke_name": a.invoke_name if a.cmd == "invoke" else None},
            "window_s": round(window, 3),
            "requests_in_window": len(in_window),
            "ok": len(ok),
            "errors": sum(errors.values()),
            "errors_by_kind": dict(errors),
            "http_status": {str(k): v for k, v in statuses.items()},
            "rps": round(len(in_window) / window, 2),
            "ok_rps": round(len(ok) / window, 2),
            "post_latency": lat_summary(post_lat),
            "e2e_latency": lat_summary(e2e) if a.expect_replies > 0 else None,
            "latency_from_schedule": lat_summary(sched) if sched is not None else None,
            "open_loop_dropped": dropped if a.rate else None,
            "issued_total": issued,
            "wall_s": round(wall, 3),
            "replies": {"unmatched": self.tracker.unmatched, "extra": self.tracker.extra,
                        "throttled_429": self.tracker.throttled,
                        "unmatched_texts_top": self.tracker.unmatched_texts.most_common(5)},
            "connector": self.connector.stats(),
            "cpu": cpu,
            "tcp_states_at_end": tcp_states(),
        }
        if a.cmd == "invoke":
            bodies = Counter((p.first_text or "")[:120] for p in in_window if p.first_text)
            res["invoke_bodies_top"] = bodies.most_common(3)
        lg = cpu.get("loadgen", {}).get("mean_pct")
        if lg is not None and lg > 85:
            res["warning"] = (f"load generator used {lg}% of a core: figures may be limited by the "
                              "load generator, not the bot")
        if a.save_requests:
            res["requests"] = [{"t_send": p.t_send - t0, "post_s": p.t_post_done - p.t_send, "status": p.status,
                                "error": p.error,
                                "e2e_s": (p.reply_times[p.needed - 1] - p.t_send)
                                if p.needed > 0 and len(p.reply_times) >= p.needed else None}
                               for p in in_window]
        return res

    # fan-out ------------------------------------------------------------------
    async def run_fanout(self) -> dict:
        a = self.args
        n = a.n
        users = [User(i, self.run_id, a.conv_type) for i in range(n)]
        self.tracker = Tracker(None, None)   # seeding replies: counted, not awaited
        self.connector.listeners.append(self.tracker.on_arrival)
        self.connector.set_throttle(0.0)
        # 0. forget references left by earlier runs (their serviceUrl is a dead connector)
        clear = {"url": a.clear_url}
        if a.clear_url:
            try:
                async with self.session.delete(a.clear_url) as resp:
                    clear["status"] = resp.status
            except aiohttp.ClientError as err:
                clear["error"] = repr(err)
        # 1. seed the conversation references
        sem = asyncio.Semaphore(a.seed_concurrency)
        seed_errors = Counter()
        t_seed = time.perf_counter()

        async def seed(user: User):
            async with sem:
                act = self.factory.members_added(user) if a.seed_with == "conversationUpdate" \
                    else self.factory.message(user, "hi")
                p = await self.do_request(user, act, 0, time.perf_counter())
                if p.error:
                    seed_errors[p.error] += 1

        await asyncio.gather(*(seed(u) for u in users))
        seed_s = time.perf_counter() - t_seed
        await asyncio.sleep(a.seed_settle)
        seeded_convs = {u.conversation["id"] for u in users}
        # 2. watch arrivals, trigger the notify endpoint
        tag = f"bench-{self.run_id}"
        match_text = tag if a.match_text is None else a.match_text
        per_conv_times: Dict[str, List[float]] = {}
        per_conv_attempts = Counter()
        throttled = 0
        other = Counter()
        all_arrived = asyncio.get_event_loop().create_future()
        t_trigger = float("inf")

        last_arrival = [0.0]

        def on_arrival(arr: Arrival):
            nonlocal throttled
            if arr.op not in ("reply", "send") or arr.t < t_trigger:
                return
            last_arrival[0] = arr.t
            if arr.conversation_id not in seeded_convs:
                other[f"(conversation not seeded) {(arr.text or '')[:50]}"] += 1
                return
            if arr.status not in DELIVERED:
                throttled += 1
                per_conv_attempts[arr.conversation_id] += 1
                return
            if arr.activity_type != "message" or (match_text and (arr.text is None or match_text not in arr.text)):
                other[(arr.text or f"<{arr.activity_type}>")[:60]] += 1
                return
            per_conv_attempts[arr.conversation_id] += 1
            per_conv_times.setdefault(arr.conversation_id, []).append(arr.t)
            if len(per_conv_times) == n and not all_arrived.done():
                all_arrived.set_result(arr.t)

        self.connector.listeners.append(on_arrival)
        self.connector.set_throttle(a.p429, a.retry_after)
        query = dict(q.split("=", 1) for q in a.notify_query if "=" in q)
        if a.match_text is None:
            query.setdefault("text", f"proactive hello {tag}")
        url = a.notify_url + ("?" + urlencode(query) if query else "")
        sampler = CpuSampler(a.pid, interval=0.5)
        sampler.start()
        t_trigger = time.perf_counter()
        last_arrival[0] = t_trigger
        notify = {"url": url}

        async def call_notify():
            try:
                async with self.session.request(a.notify_method, url, timeout=aiohttp.ClientTimeout(
                        total=a.wait)) as resp:
                    body = await resp.read()
                    notify.update(status=resp.status, body=body[:400].decode(errors="replace"))
            except asyncio.TimeoutError:
                notify["error"] = "timeout"
            except aiohttp.ClientError as err:
                notify["error"] = f"{type(err).__name__}: {err}"
            notify["elapsed_s"] = round(time.perf_counter() - t_trigger, 4)

        notify_task = asyncio.ensure_future(call_notify())
        deadline = t_trigger + a.wait
        # 1) the notify call returns (most bots send before answering) ...
        try:
            await asyncio.wait_for(asyncio.shield(notify_task), timeout=a.wait)
        except asyncio.TimeoutError:
            notify_task.cancel()
            notify.setdefault("error", "still running at --wait")
        # 2) ... then wait until all N arrived, or nothing arrived for --settle seconds (bots that
        #    answer first and send in the background), bounded by --wait; after all arrived, keep
        #    listening --settle seconds more to catch duplicates and late retries.
        while True:
            now = time.perf_counter()
            if all_arrived.done():
                await asyncio.sleep(max(0.0, min(a.settle, deadline + a.settle - now)))
                break
            if now - last_arrival[0] >= a.settle or now >= deadline:
                break
            await asyncio.sleep(0.05)
        cpu = await sampler.stop()
        self.connector.set_throttle(0.0)
        firsts = sorted(min(ts) - t_trigger for ts in per_conv_times.values())
        counts = Counter(len(ts) for ts in per_conv_times.values())
        exactly_once = counts.get(1, 0)
        dup_convs = sum(v for k, v in counts.items() if k > 1)
        missing = n - len(per_conv_times)
        total_deliveries = sum(len(ts) for ts in per_conv_times.values())
        res = {
            "label": a.label, "mode": "fanout", "bot": a.bot, "started": now_iso(),
            "config": {"n": n, "seed_with": a.seed_with, "seed_concurrency": a.seed_concurrency,
                       "p429": a.p429, "retry_after_s": a.retry_after, "connector_delay_ms": a.connector_delay_ms,
                       "notify_method": a.notify_method, "notify_query": query, "match_text": match_text,
                       "wait_s": a.wait, "settle_s": a.settle},
            "seed": {"seconds": round(seed_s, 3), "errors": dict(seed_errors), "clear": clear},
            "notify": notify,
            "all_arrived": len(per_conv_times) == n,
            "time_to_all_s": round(firsts[-1], 4) if firsts and len(per_conv_times) == n else None,
            "time_to_first_s": round(firsts[0], 4) if firsts else None,
            "arrival_latency": lat_summary(firsts),
            "deliveries_per_s": round(len(firsts) / firsts[-1], 1) if firsts and firsts[-1] > 0 else None,
            "conversations_reached": len(per_conv_times),
            "exactly_once": exactly_once,
            "duplicated_conversations": dup_convs,
            "missing_conversations": missing,
            "delivered_total": total_deliveries,
            "throttled_429_answers": throttled,
            "attempts_total": sum(per_conv_attempts.values()),
            "other_messages": sum(other.values()),
            "other_messages_top": other.most_common(5),
            "verdict": ("all delivered exactly once" if exactly_once == n else
                        f"{missing} missing, {dup_convs} duplicated, {exactly_once}/{n} exactly once"),
            "connector": self.connector.stats(),
            "cpu": cpu,
        }
        return res


# ---------------------------------------------------------------- printing
def print_summary(res: dict):
    if res["mode"] == "fanout":
        n = res["config"]["n"]
        print(f"[{res.get('label') or 'fanout'}] N={n} notify={res['notify'].get('status', res['notify'].get('error'))}"
              f" in {res['notify'].get('elapsed_s')}s; reached {res['conversations_reached']}/{n}; "
              f"time_to_all={res['time_to_all_s']}s first={res['time_to_first_s']}s; "
              f"exactly_once={res['exactly_once']} dup={res['duplicated_conversations']} "
              f"missing={res['missing_conversations']}; 429s={res['throttled_429_answers']} "
              f"other_msgs={res['other_messages']}")
        print(f"  verdict: {res['verdict']}")
        if res["other_messages_top"]:
            print(f"  other messages: {res['other_messages_top']}")
    else:
        def fmt(s):
            if not s or not s["n"]:
                return "n/a"
            return f"p50 {s['p50_ms']:.2f}  p90 {s['p90_ms']:.2f}  p99 {s['p99_ms']:.2f}  max {s['max_ms']:.2f} ms"
        c = res["config"]
        conc = f"rate={c['rate']}/s" if c["rate"] else f"C={c['concurrency']}"
        print(f"[{res.get('label') or res['mode']}] {conc} window={res['window_s']}s "
              f"requests={res['requests_in_window']} rps={res['rps']} errors={res['errors']} {res['errors_by_kind'] or ''}")
        print(f"  POST : {fmt(res['post_latency'])}")
        if res["e2e_latency"] is not None:
            print(f"  e2e  : {fmt(res['e2e_latency'])}")
        if res.get("latency_from_schedule"):
            print(f"  sched: {fmt(res['latency_from_schedule'])}")
        r = res["replies"]
        if r["unmatched"] or r["extra"] or r["throttled_429"]:
            print(f"  replies: unmatched={r['unmatched']} extra={r['extra']} 429={r['throttled_429']} "
                  f"{r['unmatched_texts_top']}")
    cpu = res.get("cpu", {})
    parts = [f"{k}: mean {v['mean_pct']}% max {v['max_1s_pct']}%" for k, v in cpu.items() if k.startswith("pid_")]
    if "loadgen" in cpu:
        parts.append(f"loadgen: mean {cpu['loadgen']['mean_pct']}%")
    if "system_busy_pct" in cpu:
        parts.append(f"system: {cpu['system_busy_pct']['mean']}% of {cpu['cores']} cores")
    if cpu.get("other_pct") is not None:
        parts.append(f"other: {cpu['other_pct']}%")
    print("  CPU  : " + "; ".join(parts))
    if res.get("warning"):
        print(f"  WARNING: {res['warning']}")


# ---------------------------------------------------------------- CLI
def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--bot", required=True,
                       help="bot messaging endpoint, e.g. http://127.0.0.1:3978/api/messages (loopback only)")
        p.add_argument("--label", default="", help="free text stored in the results")
        p.add_argument("--out", help="write JSON results here")
        p.add_argument("--pid", type=int, action="append", default=[],
                       help="pid of a bot process to sample CPU for (repeatable)")
        p.add_argument("--conv-type", choices=["personal", "channel", "groupChat"], default="personal")
        p.add_argument("--bot-name", default="BenchBot", help="recipient name (used in @mentions)")
        p.add_argument("--connector-host", default="127.0.0.1")
        p.add_argument("--connector-port", type=int, default=0, help="fake connector port (0: any free)")
        p.add_argument("--connector-delay-ms", type=float, default=0.0,
                       help="artificial service time of the fake connector per call")
        p.add_argument("--p429", type=float, default=0.0,
                       help="fraction of connector POSTs answered 429 (fan-out: only after seeding)")
        p.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds sent with 429")
        p.add_argument("--seed", type=int, default=1, help="random seed for 429 injection")
        p.add_argument("--run-id", default=None, help="fixed run id (user ids derive from it)")
        p.add_argument("--post-timeout", type=float, default=30.0, help="timeout of each POST, s")
        p.add_argument("--reply-timeout", type=float, default=10.0,
                       help="time allowed from POST to reply arrival, s")
        p.add_argument("--auth-header", default=None, help="Authorization header to send (default none)")
        p.add_argument("--no-keepalive", action="store_true", help="new TCP connection per request")
        p.add_argument("--texts", help="file with one message text per line (# comments skipped)")
        p.add_argument("--keep-body", action="store_true", help=argparse.SUPPRESS)
        p.add_argument("--save-requests", action="store_true", help="store every request in the JSON")

    for name in ("messages", "invoke"):
        p = sub.add_parser(name, help=f"{name} load")
        common(p)
        p.add_argument("-c", "--concurrency", type=int, default=8, help="concurrent simulated users")
        p.add_argument("--users", type=int, default=0, help="(open loop) distinct users, default = C")
        p.add_argument("--duration", type=float, default=20.0, help="measured seconds (after warm-up)")
        p.add_argument("--warmup", type=float, default=2.0, help="seconds of load not counted")
        p.add_argument("--count", type=int, default=0, help="stop after this many requests (0: duration only)")
        p.add_argument("--rate", type=float, default=0.0, help="open loop: requests per second (0: closed loop)")
        p.add_argument("--max-inflight", type=int, default=5000, help="open loop cap on in-flight requests")
        p.add_argument("--think-ms", type=float, default=0.0, help="closed loop: mean pause between requests")
        p.add_argument("--expect-replies", type=int, default=1 if name == "messages" else 0,
                       help="replies (at the connector) that complete a request; 0: POST answer only")
        p.add_argument("--reply-types", default="message", help="activity types counted as replies ('' = any)")
        p.add_argument("--reply-contains", default=None, help="only replies whose text contains this count")
        p.add_argument("--expect-status", type=int, default=200 if name == "invoke" else 0,
                       help="HTTP status that counts as success (0: any 2xx)")
        if name == "invoke":
            p.add_argument("--invoke-name", default="task/fetch")
            p.add_argument("--invoke-value", default=None, help="JSON value (default: task/fetch data)")
        else:
            p.set_defaults(invoke_name=None, invoke_value=None)

    p = sub.add_parser("fanout", help="proactive fan-out")
    common(p)
    p.add_argument("--n", type=int, default=100, help="conversations to seed and notify")
    p.add_argument("--seed-with", choices=["conversationUpdate", "message"], default="conversationUpdate")
    p.add_argument("--seed-concurrency", type=int, default=16)
    p.add_argument("--seed-settle", type=float, default=1.0, help="pause after seeding, s")
    p.add_argument("--notify-url", default=None, help="default: <bot origin>/api/notify")
    p.add_argument("--notify-method", default="POST")
    p.add_argument("--clear-url", default=None,
                   help="DELETEd before seeding to drop stale references; default <bot origin>/api/references "
                        "(echo_bot_proactive.py); '' to skip")
    p.add_argument("--notify-query", action="append", default=[],
                   help="k=v added to the notify URL (repeatable), e.g. mode=concurrent")
    p.add_argument("--match-text", default=None,
                   help="text that marks the proactive message; default: a run tag passed as ?text=...; "
                        "'' counts any message arriving in a seeded conversation")
    p.add_argument("--wait", type=float, default=120.0, help="max seconds for all N to arrive")
    p.add_argument("--settle", type=float, default=3.0,
                   help="after the notify call returned: stop when nothing arrived for this long; "
                        "after all N arrived: keep listening this long for duplicates")
    p.set_defaults(concurrency=None, expect_status=0, expect_replies=0)
    return ap


def validate(args):
    require_loopback(args.bot, "--bot")
    if args.connector_host not in ("127.0.0.1", "localhost", "::1") and \
            not ipaddress.ip_address(args.connector_host).is_loopback:
        die("--connector-host must be loopback")
    if args.cmd in ("messages", "invoke"):
        if args.duration <= 0 and not args.count:
            die("give --duration and/or --count")
        if args.duration <= 0 or args.duration > MAX_DURATION_S:
            args.duration = MAX_DURATION_S     # --count alone, or a too long --duration: hard cap
        if args.cmd == "invoke":
            args.keep_body = True
        if args.concurrency < 1:
            die("-c must be >= 1")
        if args.rate < 0 or args.rate > 100_000:
            die("--rate out of range")
    else:
        if args.notify_url is None:
            u = urlsplit(args.bot)
            args.notify_url = f"{u.scheme}://{u.netloc}/api/notify"
        require_loopback(args.notify_url, "--notify-url")
        if args.clear_url is None:
            u = urlsplit(args.bot)
            args.clear_url = f"{u.scheme}://{u.netloc}/api/references"
        if args.clear_url:
            require_loopback(args.clear_url, "--clear-url")
        if not 1 <= args.n <= 100_000:
            die("--n out of range")
        args.wait = min(args.wait, MAX_DURATION_S)
    if not 0.0 <= args.p429 < 1.0:
        die("--p429 must be in [0, 1)")


async def amain(args) -> dict:
    async with Runner(args) as runner:
        if args.cmd == "fanout":
            return await runner.run_fanout()
        return await runner.run_load()


def main(argv=None):
    args = build_parser().parse_args(argv)
    validate(args)
    res = asyncio.run(amain(args))
    if args.out:   # write before printing, so a closed stdout cannot lose the results
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1, default=str)
    print_summary(res)
    if args.out:
        print(f"  results: {args.out}")
    return res


if __name__ == "__main__":
    main()
