"""Tasks whose first step runs at once: :func:`start_task_now`, what Python 3.12's eager
task start (``asyncio.Task(..., eager_start=True)``) does, for the asyncio server's requests.

Rule 1: the coroutine runs inside its task from its first line (``asyncio.current_task()``
is the task, ``asyncio.timeout()`` and cancellation work as in any task), but the request
does not wait for one more loop iteration before it starts: a request that never waits is
answered before :func:`start_task_now` returns, and its task is already done.

Rule 2: only on an idle loop: when the loop's ready queue (``_ready`` of asyncio's own
loops) holds other callbacks, the loop is busy with other connections and the task starts
as usual, at the next iteration, after them (measured: running each request at once there
cost more CPU per request than the batch). Also started as usual: on a loop without a ready
queue (not asyncio's own), and on 3.10/3.11 from inside another task (one task's step
cannot interrupt another's).

Rule 3: on Python 3.10 and 3.11 the task's constructor queues its first step with
``loop.call_soon``; :func:`start_task_now` takes that one handle back from the queue and
runs it there and then. The loop object itself is never changed (an attribute set on it,
even for a moment, slows every later attribute lookup on it). On 3.12 and later the task
starts eagerly.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import Coroutine
from typing import Any

__all__ = ["start_task_now"]

_current_task = asyncio.current_task


def _idle_ready_queue(loop: asyncio.AbstractEventLoop) -> deque[asyncio.Handle] | None:
    """The loop's ready queue if it is empty (Rule 2), else None."""
    ready = getattr(loop, "_ready", None)
    return ready if isinstance(ready, deque) and not ready else None


if sys.version_info >= (3, 12):

    def start_task_now(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]
    ) -> asyncio.Task[None]:
        """A task running ``coro``, already run up to its first wait (see the rules)."""
        eager = _idle_ready_queue(loop) is not None
        return asyncio.Task(coro, loop=loop, eager_start=eager)

else:

    def start_task_now(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]
    ) -> asyncio.Task[None]:
        """A task running ``coro``, already run up to its first wait (see the rules)."""
        ready = _idle_ready_queue(loop)
        if ready is None or _current_task(loop) is not None:
            return asyncio.Task(coro, loop=loop)
        task = asyncio.Task(coro, loop=loop)
        if len(ready) == 1:  # the task's first step alone (else another thread's came too)
            first_step: asyncio.Handle = ready.pop()
            first_step._run()
        return task
