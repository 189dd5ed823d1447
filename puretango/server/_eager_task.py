"""Tasks whose first step runs at once: :func:`start_task_now`, what Python 3.12's eager
task start (``asyncio.Task(..., eager_start=True)``) does, for the asyncio server's requests.

Rule 1: the coroutine runs inside its task from its first line (``asyncio.current_task()``
is the task, ``asyncio.timeout()`` and cancellation work as in any task), but the request
does not wait for one more loop iteration before it starts: a request that never waits is
answered before :func:`start_task_now` returns, and its task is already done.

Rule 2: on Python 3.11 the task's first step is scheduled by ``loop.call_soon`` in the
task's constructor; :func:`start_task_now` shadows that one call on the loop instance with
:class:`_RunFirstStepNow`, which removes itself before it runs the step (the step's own
calls to ``call_soon`` go to the loop as usual). On 3.12 and later the task starts eagerly.
Differences from a task started by the loop: on 3.11 ``asyncio.all_tasks()`` does not list
the task during its first step; called from inside another task (which a step cannot
interrupt on 3.11), the task starts as usual, at the loop's next iteration.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from contextvars import Context
from typing import Any

__all__ = ["start_task_now"]

_current_task = asyncio.current_task


class _RunFirstStepNow:
    """Stands in for ``loop.call_soon`` for one call: runs the callback (a new task's
    first step) at once, after giving the loop its own ``call_soon`` back."""

    __slots__ = ("loop",)

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def __call__(
        self, callback: Callable[..., object], *args: Any, context: Context | None = None
    ) -> None:
        del vars(self.loop)["call_soon"]
        if context is None:
            callback(*args)
        else:
            context.run(callback, *args)


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
        if _current_task(loop) is not None:  # a step cannot run inside another task's
            return asyncio.Task(coro, loop=loop)
        shadows = vars(loop)
        shadows["call_soon"] = _RunFirstStepNow(loop)
        try:
            return asyncio.Task(coro, loop=loop)
        finally:
            shadows.pop("call_soon", None)  # the task failed before scheduling its step
