"""Helpers for the app's background work: blocking calls off the event loop, and stopping tasks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


async def in_worker(executor: Executor | None, fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work (the database, a token fetch) on ``executor``'s threads.

    Args:
        executor: the runtime's worker threads; None for the event loop's default pool.
        fn: the blocking function.
        *args: its arguments.
    """
    return await asyncio.get_running_loop().run_in_executor(executor, partial(fn, *args))


def worker(executor: Executor | None) -> Callable[..., Awaitable[Any]]:
    """``in_worker`` bound to one executor (what the jobs and the cache keeper are given)."""
    return partial(in_worker, executor)


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` and wait until it has finished; its ``CancelledError`` is swallowed."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
