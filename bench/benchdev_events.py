"""Event source for ``bench/bench_events.py``, served by PyTango or by puretango.

Run: ``BENCH_IMPL=tango|puretango python bench/benchdev_events.py bench -nodb -port P
-ORBendPoint giop:tcp:127.0.0.1:P -dlist bench/ev/1,bench/ev/2,...``. The same source runs
on both: only the import differs (``BENCH_IMPL``, default ``tango``).

Each device has ten READ double attributes ``a0`` .. ``a9`` whose change events are pushed
by the device code (``set_change_event(name, True, False)``: no polling, no criteria), and
three commands:

* ``Burst(n)``: push ``n`` change events on ``a0`` as fast as possible (values 1..n);
  returns the seconds it took;
* ``Stream([rate_hz, count])``: a thread pushes ``count`` change events on ``a0`` at
  ``rate_hz``, each value the ``time.time()`` of its push (for the latency); returns at once;
* ``PushAll(rounds)``: ``rounds`` times, one change event on each of ``a0`` .. ``a9``.
"""

import importlib
import os
import threading
import time

IMPL = os.environ.get("BENCH_IMPL", "tango")
server_api = importlib.import_module(IMPL + ".server")
Device, attribute, command = server_api.Device, server_api.attribute, server_api.command
DevState = importlib.import_module(IMPL).DevState
ATTRIBUTES = [f"a{i}" for i in range(10)]


def _reader(name):
    def read(self):
        return self._values[name]

    read.__name__ = "read_" + name
    return read


class EventBench(Device):
    """Pushes change events on demand (see the module docstring)."""

    def init_device(self):
        super().init_device()
        self._values = dict.fromkeys(ATTRIBUTES, 0.0)
        for name in ATTRIBUTES:
            self.set_change_event(name, True, False)
        self._stream = None
        self.set_state(DevState.ON)

    for _name in ATTRIBUTES:
        locals()[_name] = attribute(dtype=float, fget=_reader(_name))
    del _name

    def _push(self, name, value):
        self._values[name] = value
        self.push_change_event(name, value)

    @command(dtype_in=int, dtype_out=float)
    def Burst(self, n):  # noqa: N802 - Tango command names
        start = time.perf_counter()
        for i in range(1, n + 1):
            self._push("a0", float(i))
        return time.perf_counter() - start

    @command(dtype_in=(float,))
    def Stream(self, rate_and_count):  # noqa: N802
        rate, count = float(rate_and_count[0]), int(rate_and_count[1])

        def run():
            period = 1.0 / rate
            next_at = time.perf_counter()
            for _ in range(count):
                next_at += period
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                self._push("a0", time.time())

        self._stream = threading.Thread(target=run, daemon=True)
        self._stream.start()

    @command(dtype_in=int)
    def PushAll(self, rounds):  # noqa: N802
        for r in range(rounds):
            for name in ATTRIBUTES:
                self._push(name, float(r))


if __name__ == "__main__":
    server_api.run((EventBench,))
