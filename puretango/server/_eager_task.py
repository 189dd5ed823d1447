"""Tasks whose first step runs at once: :func:`start_task_now`, what Python 3.12's eager
task start (``asyncio.Task(..., eager_start=True)``) does, for the asyncio server's requests.

Rule 1: the coroutine runs inside its task from its first line (``asyncio.current_task()``
is the task, ``asyncio.timeout()`` and cancellation work as in any task), but the request
does not wait for one more loop iteration before it starts: a request that never waits is
answered before :func:`start_task_now` returns, and its task is already done.

Rule 2: on Python 3.10 and 3.11 the task's constructor queues its first step with
``loop.call_soon`` (one handle appended to the loop's ready queue, ``_ready`` of asyncio's
own loops); :func:`start_task_now` takes that handle back from the end of the queue and runs
it there and then, when exactly one handle was appended (another thread's
``call_soon_threadsafe`` meanwhile: the step stays queued). The loop object itself is never
changed (an attribute set on it, even for a moment, slows every later attribute lookup on
it). On 3.12 and later the task starts eagerly.

Rule 3: where the step cannot run at once, the task starts as usual, at the loop's next
iteration: from inside another task on 3.10/3.11 (one task's step cannot interrupt
another's), on a loop without a ready queue (not asyncio's own).
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import Coroutine
from typing import Any

__all__ = ["start_task_now"]

_current_task = asyncio.current_task

if sys.version_info >= (3, 12):

    def start_task_now(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]
    ) -> asyncio.Task[None]:
        """A task running ``coro``, already run up to its first wait (see the rules)."""
        return asyncio.Task(coro, loop=loop, eager_start=True)

else:

    def start_task_now(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]
    ) -> asyncio.Task[None]:
        """A task running ``coro``, already run up to its first wait (see the rules)."""
        ready = getattr(loop, "_ready", None)
        if not isinstance(ready, deque) or _current_task(loop) is not None:
            return asyncio.Task(coro, loop=loop)
        queued = len(ready)
        task = asyncio.Task(coro, loop=loop)
        if len(ready) == queued + 1:
            first_step: asyncio.Handle = ready.pop()
            first_step._run()
        return task
