"""A puretango event source for ``bench/prof_events.py --server``: ``ProfBurst(n)`` pushes
``n`` change events on ``a0`` and returns the CPU seconds of the pushing thread; with ``-n``
it pushes ``n`` under cProfile and writes the statistics to ``$PROF_OUT``."""

import cProfile
import os
import time

from puretango.server import Device, attribute, command, run


class ProfBench(Device):
    def init_device(self):
        super().init_device()
        self._value = 0.0
        self.set_change_event("a0", True, False)

    @attribute(dtype=float)
    def a0(self):
        return self._value

    @command(dtype_in=int, dtype_out=float)
    def ProfBurst(self, n):  # noqa: N802 - Tango command names
        profile = os.environ.get("PROF_OUT", "")
        prof = cProfile.Profile() if n < 0 else None
        n = abs(n)
        start, wall, process = time.thread_time(), time.perf_counter(), time.process_time()
        if prof is not None:
            prof.enable()
        for i in range(1, n + 1):
            self._value = float(i)
            self.push_change_event("a0", float(i))
        if prof is not None:
            prof.disable()
            prof.dump_stats(profile)
        wall, process = time.perf_counter() - wall, time.process_time() - process
        print(f"per push: wall {wall / n * 1e6:.2f} us, process CPU {process / n * 1e6:.2f} us")
        return time.thread_time() - start


if __name__ == "__main__":
    run((ProfBench,))
