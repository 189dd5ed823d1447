"""TangoTest's data: set points, generated values and written buffers, with no Tango in sight.

Rule 1: this module knows nothing about the server framework. :mod:`._device` maps each
attribute to :meth:`TestData.read` / :meth:`TestData.write` by name.

Rule 2: :meth:`TestData.generate` is the C++ ``gen_data()``: one call is one generation
(the counter ``k`` moves on by one). Scalars, spectra and ``wave`` are computed inside it,
from the set points of that moment, exactly as in C++. The large images are computed on
first read after a generation instead (see :attr:`TestData.generation`); what a client
reads is the same, but an image nobody reads costs nothing.

Rule 3: :meth:`TestData.tick` is the only clock. With ``threaded`` (C++ ``Mthreaded_impl``
= 1) it runs :meth:`generate` when ``period`` seconds have passed since the last
generation, skipping the generations a C++ thread would have made in the meantime;
without it, every tick generates (C++ ``read_attr_hardware`` with ``Mthreaded_impl`` = 0).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

__all__ = ["TestData", "SPEC_LEN", "IMAG_LEN", "KPI_DEG"]

#: the C++ device's approximation of pi / 180
KPI_DEG = 3.14159 / 180.0
#: length of the generated spectra and of ``wave``; cap of written spectra
SPEC_LEN = 256
#: side of the generated images and of the image buffers
IMAG_LEN = 251
_INT_MAX = 256  # generated integers are in [0, 256)
_RAND_MAX = 2**31 - 1

#: set points (the C++ ``attr_<name>_write`` members) at init
_INITIAL_SET_POINTS: dict[str, Any] = {
    "ampli": 1.0,
    "freq": 10.0,
    "boolean_scalar": False,
    "double_scalar": 256.0,
    "double_scalar_w": 256.0,
    "float_scalar": 0.0,
    "long64_scalar": 256,
    "long_scalar": 256,
    "long_scalar_w": 256,
    "short_scalar": 256,
    "short_scalar_w": 256,
    "uchar_scalar": 0,
    "ulong64_scalar": 256,
    "ulong_scalar": 256,
    "ushort_scalar": 0,
}

#: read values of the scalars (the C++ ``attr_<name>_read`` members) at init
_INITIAL_SCALARS: dict[str, Any] = {
    "boolean_scalar": True,
    "double_scalar": 0.0,
    "double_scalar_rww": 0.0,
    "float_scalar": 0.0,
    "long64_scalar": 0,
    "long_scalar": 0,
    "long_scalar_rww": 0,
    "short_scalar": 0,
    "short_scalar_ro": 0,
    "short_scalar_rww": 0,
    "string_scalar": "Default string",
    "uchar_scalar": 0,
    "ulong64_scalar": 0,
    "ulong_scalar": 0,
    "ushort_scalar": 0,
    "enum_scalar": 0,
    "enum_scalar_ro": 0,
    "echo_mode": False,
}

#: in echo mode these scalars read the set point named here instead of the generated value
_ECHO_SOURCE = {
    "boolean_scalar": "boolean_scalar",
    "double_scalar": "double_scalar",
    "double_scalar_rww": "double_scalar",
    "float_scalar": "float_scalar",
    "long64_scalar": "long64_scalar",
    "long_scalar": "long_scalar",
    "long_scalar_rww": "long_scalar",
    "short_scalar": "short_scalar",
    "short_scalar_rww": "short_scalar",
    "uchar_scalar": "uchar_scalar",
    "ulong64_scalar": "ulong64_scalar",
    "ushort_scalar": "ushort_scalar",
}

#: element type of every spectrum and image, by attribute name without ``_ro``
ELEMENT: dict[str, Any] = {
    "boolean": np.bool_,
    "double": np.float64,
    "float": np.float32,
    "long64": np.int64,
    "long": np.int32,
    "short": np.int16,
    "uchar": np.uint8,
    "ulong64": np.uint64,
    "ulong": np.uint32,
    "ushort": np.uint16,
    "enum": np.int16,
}

#: read-only spectra of random integers in [0, 256) (plus boolean_spectrum_ro in [0, 2))
_RANDOM_SPECTRA = (
    "short",
    "long",
    "ulong",
    "long64",
    "ulong64",
    "double",
    "ushort",
    "uchar",
    "float",
)
#: writable spectra: 256 zeros at init, then the last write (at most 256 values)
_RW_SPECTRA = ("boolean", "double", "float", "long", "short", "uchar", "ushort")
#: read-only images holding a conical spot on a zero background
_SPOT_IMAGES = ("short", "long", "ulong", "long64", "ulong64", "float", "double")
#: writable images: 251 x 251 zeros at init, then the last write
_RW_IMAGES = ("boolean", "double", "float", "long", "short", "uchar", "ushort")


def _flat_zeros(kind: str) -> np.ndarray:
    return np.zeros(IMAG_LEN * IMAG_LEN, dtype=ELEMENT[kind])


class TestData:
    """All the state of one TangoTest device except its Tango state."""

    __test__ = False  # not a pytest class

    def __init__(
        self,
        threaded: bool = True,
        period: float = 2.0,
        ushort_image_side: int = IMAG_LEN,
        start_k: int = 0,
        clock: Callable[[], float] = time.monotonic,
        seed: int | None = None,
    ) -> None:
        self.threaded, self.period = threaded, period
        self.ushort_image_side = max(int(ushort_image_side), 0)
        self.clock = clock
        self.k = start_k
        #: number of generations made; lazy images remember the one they were made for
        self.generation = 0
        self.paused = False
        self._next_due = 0.0
        self._lock = threading.RLock()
        self._rng = np.random.default_rng(seed)
        self.set_point: dict[str, Any] = dict(_INITIAL_SET_POINTS)
        self.scalar: dict[str, Any] = dict(_INITIAL_SCALARS)
        self.spectrum: dict[str, Any] = {
            f"{kind}_spectrum_ro": np.zeros(SPEC_LEN, ELEMENT[kind]) for kind in _RANDOM_SPECTRA
        }
        self.spectrum["boolean_spectrum_ro"] = np.zeros(SPEC_LEN, np.bool_)
        self.spectrum.update(
            {f"{kind}_spectrum": np.zeros(SPEC_LEN, ELEMENT[kind]) for kind in _RW_SPECTRA}
        )
        self.spectrum["string_spectrum"] = [""] * SPEC_LEN
        self.spectrum["string_spectrum_ro"] = [""] * SPEC_LEN
        self.spectrum["wave"] = np.zeros(SPEC_LEN)
        # enum_spectrum and enum_spectrum_ro share one length (dimEnumSpectrum in C++)
        self.enum_spectrum = np.zeros(SPEC_LEN, np.int16)
        self.enum_spectrum_ro = np.zeros(SPEC_LEN, np.int16)
        self.enum_spectrum_len = SPEC_LEN
        # writable images: flat buffer + (dim_x, dim_y); enum_image/_ro share their dims
        self.image: dict[str, tuple[Any, int, int]] = {
            f"{kind}_image": (_flat_zeros(kind), IMAG_LEN, IMAG_LEN) for kind in _RW_IMAGES
        }
        self.image["string_image"] = ([""] * (IMAG_LEN * IMAG_LEN), IMAG_LEN, IMAG_LEN)
        self.enum_image_dims = (IMAG_LEN, IMAG_LEN)
        self._lazy: dict[str, tuple[int, Any]] = {}
        self._readers = self._reader_table()
        self._writers = self._writer_table()

    # -- the clock --------------------------------------------------------------------------
    def start(self) -> None:
        """Generate once now, as the C++ data thread does when it starts."""
        with self._lock:
            self.generate()
            self._next_due = self.clock() + self.period

    def tick(self) -> None:
        """Called before each read request: generate if a generation is due."""
        with self._lock:
            if not self.threaded:
                self.generate()
                return
            if self.paused:
                return
            now = self.clock()
            if now < self._next_due:
                return
            if self.period <= 0:
                self.generate()
                self._next_due = now
                return
            due = int((now - self._next_due) // self.period) + 1
            self.k += due - 1  # generations nobody could see
            self.generate()
            self._next_due += due * self.period

    def pause(self, paused: bool) -> None:
        """``echo_mode``: a paused generator makes no generation until resumed."""
        with self._lock:
            if self.paused and not paused:
                self._next_due = self.clock() + self.period
            self.paused = bool(paused)

    # -- random numbers, as the C++ randomize() -------------------------------------------------
    def randomize(self, high: Any) -> int:
        """A random integer in [0, int(high)) if ``high`` > 1, else 0."""
        if high > 1:
            return int(self._rng.integers(0, min(int(high), _RAND_MAX)))
        return 0

    def _rand(self) -> int:
        return int(self._rng.integers(0, _RAND_MAX))

    def _ints(self, high: int, shape: Any) -> np.ndarray:
        return self._rng.integers(0, high, size=shape)

    # -- one generation (C++ gen_data) -------------------------------------------------------------
    def generate(self) -> None:
        with self._lock:
            sp, s, rnd = self.set_point, self.scalar, self.randomize
            phase = math.sin(KPI_DEG * (self.k % 360))
            s["short_scalar_rww"] = rnd(sp["short_scalar_w"])
            s["long_scalar_rww"] = rnd(sp["long_scalar_w"])
            s["double_scalar_rww"] = sp["double_scalar_w"] * phase
            s["short_scalar_ro"] = rnd(sp["short_scalar"])
            s["short_scalar"] = rnd(sp["short_scalar"])
            s["long_scalar"] = rnd(sp["long_scalar"])
            s["ulong_scalar"] = rnd(sp["ulong_scalar"])
            s["long64_scalar"] = rnd(sp["long_scalar"])  # sic: long_scalar's set point
            s["ulong64_scalar"] = rnd(sp["ulong_scalar"])  # sic: ulong_scalar's set point
            s["double_scalar"] = sp["double_scalar"] * phase
            s["ushort_scalar"] = rnd(sp["ushort_scalar"])
            s["uchar_scalar"] = rnd(sp["uchar_scalar"])
            s["float_scalar"] = float(rnd(sp["float_scalar"]))
            s["enum_scalar"] = rnd(2)
            s["enum_scalar_ro"] = rnd(2)
            spec = self.spectrum
            for kind in _RANDOM_SPECTRA:
                spec[f"{kind}_spectrum_ro"] = self._ints(_INT_MAX, SPEC_LEN).astype(ELEMENT[kind])
            spec["boolean_spectrum_ro"] = self._ints(2, SPEC_LEN).astype(np.bool_)
            i = np.arange(SPEC_LEN)
            spec["wave"] = sp["ampli"] * np.sin(sp["freq"] * KPI_DEG * (i + (self.k % 360)))
            spec["string_spectrum_ro"] = [
                f"[{n:02d}]::hello-world-{r:04d}"
                for n, r in enumerate(self._ints(_INT_MAX, SPEC_LEN).tolist())
            ]
            self.enum_spectrum_ro = self._ints(2, SPEC_LEN).astype(np.int16)
            self.enum_spectrum = self._ints(2, SPEC_LEN).astype(np.int16)
            self.generation += 1
            self.k += 1

    # -- lazily generated images -----------------------------------------------------------------
    def _generated(self, name: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            stamp, data = self._lazy.get(name, (-1, None))
            if stamp != self.generation:
                data = make()
                self._lazy[name] = (self.generation, data)
            return data

    def spot_image(self, dtype: Any) -> np.ndarray:
        """A conical spot (values ``limit - radius``) near the centre of a zero image."""
        n, rand = IMAG_LEN, self._rand
        centre_x = rand() % int(n * 0.05)
        if rand() % 2:
            centre_x = -centre_x
        centre_y = rand() % int(n * 0.05)
        if rand() % 2:
            centre_y = -centre_y
        limit = n // 8
        noise = rand() % int(limit * 0.2)
        if rand() % 2:
            noise = -noise
        limit += noise
        offsets = np.arange(-limit, limit)
        radius = np.sqrt(offsets[:, None] ** 2 + offsets[None, :] ** 2).astype(np.int64)
        spot = np.where(radius < limit, limit - radius, 0)
        rows = offsets + (n - 1) // 2 + centre_x
        cols = offsets + (n - 1) // 2 + centre_y
        keep_r, keep_c = (rows >= 0) & (rows < n), (cols >= 0) & (cols < n)
        image = np.zeros((n, n), dtype=dtype)
        image[np.ix_(rows[keep_r], cols[keep_c])] = spot[np.ix_(keep_r, keep_c)]
        return image

    def _full_image(self, side: int, high: int, dtype: Any) -> np.ndarray:
        return self._ints(high, (side, side)).astype(dtype)

    def _string_image_ro(self) -> list[list[str]]:
        values = self._ints(_INT_MAX, (IMAG_LEN, IMAG_LEN)).tolist()
        return [
            [f"[{i:02d}][{j:02d}]::hello world::{values[j][i]:04d}" for i in range(IMAG_LEN)]
            for j in range(IMAG_LEN)
        ]

    def _enum_image(self, name: str) -> np.ndarray:
        full = self._generated(name, lambda: self._full_image(IMAG_LEN, 2, np.int16))
        x, y = self.enum_image_dims
        return full.reshape(-1)[: x * y].reshape(y, x)

    # -- reading -----------------------------------------------------------------------------------
    def read(self, name: str) -> Any:
        """The value the attribute ``name`` reads now."""
        return self._readers[name]()

    def _scalar(self, name: str) -> Any:
        source = _ECHO_SOURCE.get(name)
        if source is not None and self.scalar["echo_mode"]:
            return self.set_point[source]
        return self.scalar[name]

    def _image_rw(self, name: str) -> Any:
        buffer, x, y = self.image[name]
        if name == "long_image":  # sic: always read as 251 x 251
            x, y = IMAG_LEN, IMAG_LEN
        if name == "string_image":
            return [buffer[j * x : (j + 1) * x] for j in range(y)]
        return buffer[: x * y].reshape(y, x).copy()

    def _reader_table(self) -> dict[str, Callable[[], Any]]:
        table: dict[str, Callable[[], Any]] = {}
        for name in _INITIAL_SCALARS:
            table[name] = partial(self._scalar, name)
        for name in self.spectrum:
            table[name] = partial(self.spectrum.__getitem__, name)
        table["enum_spectrum"] = lambda: self.enum_spectrum[: self.enum_spectrum_len].copy()
        table["enum_spectrum_ro"] = lambda: self.enum_spectrum_ro[: self.enum_spectrum_len].copy()
        for name in self.image:
            table[name] = partial(self._image_rw, name)
        for kind in _SPOT_IMAGES:
            table[f"{kind}_image_ro"] = partial(
                self._generated, f"{kind}_image_ro", partial(self.spot_image, ELEMENT[kind])
            )
        table["boolean_image_ro"] = lambda: self._generated(
            "boolean_image_ro", lambda: self._full_image(IMAG_LEN, 2, np.bool_)
        )
        table["uchar_image_ro"] = lambda: self._generated(
            "uchar_image_ro", lambda: self._full_image(IMAG_LEN, _INT_MAX, np.uint8)
        )
        table["ushort_image_ro"] = lambda: self._generated(
            "ushort_image_ro", lambda: self._full_image(self.ushort_image_side, _INT_MAX, np.uint16)
        )
        table["string_image_ro"] = lambda: self._generated("string_image_ro", self._string_image_ro)
        table["enum_image"] = lambda: self._enum_image("enum_image")
        table["enum_image_ro"] = lambda: self._enum_image("enum_image_ro")
        return table

    # -- writing -----------------------------------------------------------------------------------
    def write(self, name: str, value: Any) -> None:
        """Apply a client's write of ``value`` to the attribute ``name``."""
        with self._lock:
            self._writers[name](value)

    def _set_point(self, name: str, value: Any) -> None:
        self.set_point[name] = value

    def _set_point_and_value(self, name: str, value: Any) -> None:
        self.set_point[name] = value
        self.scalar[name] = value

    def _write_echo_mode(self, value: Any) -> None:
        self.pause(bool(value))
        self.scalar["echo_mode"] = bool(value)

    def _write_spectrum(self, name: str, value: Any) -> None:
        if name == "string_spectrum":
            self.spectrum[name] = list(value)[:SPEC_LEN]
        else:
            self.spectrum[name] = np.array(value[:SPEC_LEN], dtype=self.spectrum[name].dtype)

    def _write_enum_spectrum(self, value: Any) -> None:
        # the write is limited to the current length, which can therefore only shrink
        n = min(len(value), self.enum_spectrum_len)
        self.enum_spectrum[:n] = np.asarray(value[:n], dtype=np.int16)
        self.enum_spectrum_len = n

    def _write_image(self, name: str, value: Any) -> None:
        buffer, _, _ = self.image[name]
        if name == "string_image":
            rows = [list(r)[:IMAG_LEN] for r in value][:IMAG_LEN]
            y = len(rows)
            x = len(rows[0]) if rows else 0
            for j, row in enumerate(rows):
                buffer[j * x : j * x + len(row)] = row
            self.image[name] = (buffer, x, y)
            return
        array = np.asarray(value)
        y, x = array.shape if array.ndim == 2 else (0, 0)
        flat = array.reshape(-1)[: buffer.size]
        buffer[: flat.size] = flat
        if x * y > buffer.size:
            x, y = min(x, IMAG_LEN), min(y, IMAG_LEN)
        self.image[name] = (buffer, x, y)

    def _write_enum_image(self, value: Any) -> None:
        # sic (C++): the dims change for enum_image and enum_image_ro, and the values land
        # in the enum_spectrum buffer (capped here at its 256 elements)
        array = np.asarray(value)
        y, x = array.shape if array.ndim == 2 else (0, 0)
        self.enum_image_dims = (min(x, IMAG_LEN), min(y, IMAG_LEN))
        flat = array.reshape(-1)[:SPEC_LEN].astype(np.int16)
        self.enum_spectrum[: flat.size] = flat

    def _writer_table(self) -> dict[str, Callable[[Any], None]]:
        table: dict[str, Callable[[Any], None]] = {}
        for name in _INITIAL_SET_POINTS:
            table[name] = partial(self._set_point, name)
        table["boolean_scalar"] = lambda v: self._set_point_and_value("boolean_scalar", v)
        table["string_scalar"] = lambda v: self.scalar.__setitem__("string_scalar", v)
        table["enum_scalar"] = lambda v: self.scalar.__setitem__("enum_scalar", int(v))
        table["echo_mode"] = self._write_echo_mode
        for name in (*(f"{kind}_spectrum" for kind in _RW_SPECTRA), "string_spectrum"):
            table[name] = partial(self._write_spectrum, name)
        table["enum_spectrum"] = self._write_enum_spectrum
        for name in self.image:
            table[name] = partial(self._write_image, name)
        table["enum_image"] = self._write_enum_image
        return table
