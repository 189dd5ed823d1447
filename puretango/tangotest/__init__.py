"""TangoTest in pure Python: the reference test device of Tango Controls.

A re-implementation of the C++ ``TangoTest`` device class (class name ``TangoTest``,
usually served as ``sys/tg_test/1``) on :mod:`puretango.server`: the same 68 attributes
(names, types, formats, maximum dimensions, access, labels, descriptions, min/max
values), the same commands with the same argument descriptions and display levels, the
same pipes (``string_long_short_ro``, ``generic_blob_rw``: their data and configuration),
the same properties (``Mthreaded_impl``, ``Sleep_period``, ``UShort_image_ro_size``) and
the same state machine (RUNNING after init, ``SwitchStates`` toggles RUNNING <-> FAULT,
every command and attribute always allowed). The C++ quirks clients can observe are kept
and marked "sic" in the code: ``long64_scalar``/``ulong64_scalar`` draw from the set
points of ``long_scalar``/``ulong_scalar``, ``long_image`` always reads 251 x 251,
``enum_spectrum`` writes can only shrink it and ``enum_spectrum_ro`` shares its length,
``enum_image`` writes change the dims shared with ``enum_image_ro`` and put their values
in the ``enum_spectrum`` buffer, ``ulong_scalar`` and ``string_scalar`` ignore
``echo_mode``, and with ``Mthreaded_impl`` = 0 the state is left as it was.

Data generation. The C++ device (``Mthreaded_impl`` = 1) runs a thread that regenerates
all data every ``Sleep_period`` ms. There is no thread here: before each read request
(``read_attr_hardware``) the device regenerates if a period has elapsed since the last
generation, and advances the generation counter ``k`` (the phase of ``wave``,
``double_scalar`` and ``double_scalar_rww``) by the number of periods elapsed, so a
client sees the same values at the same times as with the C++ thread. Writing True to
``echo_mode`` pauses generation, as it pauses the C++ thread. With ``Mthreaded_impl`` = 0
every read request regenerates, as in C++. The large images are only computed when read.

Left out, or different from C++:

* crashing: ``CrashFromDevelopperThread``, ``CrashFromOmniThread`` and
  ``DumpExecutionState`` exist, but only log an error, which is what the C++ device
  does when built without crash reporting (its usual build);
* user-controlled attribute serialisation of the ``*_image_ro`` attributes (every
  value returned here is already a private copy);
* ``enum_image`` writes longer than 256 values are cut at 256 when they land in the
  ``enum_spectrum`` buffer (C++ writes past the end of that buffer);
* ``string_image`` writes wider or taller than 251 are clipped row by row (C++ clips
  the dims but keeps reading the data with the clipped stride);
* properties come from the device's own properties only (C++ also looks at class
  properties of the same name).

Run it: ``puretango-tangotest test -nodb -port 10000 -dlist sys/tg_test/1`` or
``python -m puretango.tangotest test -nodb -port 10000 -dlist sys/tg_test/1``; the admin
device is ``dserver/TangoTest/test``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._data import TestData
from ._device import TangoTest

__all__ = ["TangoTest", "TestData", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run a TangoTest server: ``INSTANCE -nodb -port P -dlist sys/tg_test/1``."""
    from ..server import run

    args = list(sys.argv[1:] if argv is None else argv)
    run((TangoTest,), args=["TangoTest", *args])
