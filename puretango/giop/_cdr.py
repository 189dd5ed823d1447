"""CDR (Common Data Representation) encoding and decoding.

Rule 1: alignment is relative to the *stream origin*: the first byte of the GIOP
message (header included) or of an encapsulation (its byte-order octet). Both
:class:`CdrEncoder` and :class:`CdrDecoder` carry ``base``, the stream offset of
their first byte, so a body encoded separately from its header aligns correctly.

Rule 2: padding bytes are never checked on input (omniORB sends garbage there) and
are written as zeros on output.

Rule 3: a decoder never allocates more than the bytes it was given: every length is
checked against the remaining input before anything is built, and violations raise
:class:`MarshalError`. Primitive sequences decode to numpy arrays with a single
``frombuffer`` (zero-copy for the native byte order) and encode from numpy without
per-element Python work.

Rule 4: an encoder made with ``segments=True`` does not copy large values: a contiguous
array (in the encoder's byte order) or octet sequence of at least
:data:`SEGMENT_MIN_SIZE` bytes is recorded as a memoryview of its own memory, placed at
an offset of ``buf``. Only its last ``nbytes % 8`` bytes are appended to ``buf``, so that
``len(buf)`` stays congruent modulo 8 with the stream position and every alignment
(also in generated code that caches ``buf`` and ``base``) remains right;
:meth:`CdrEncoder.pieces` interleaves ``buf`` and the recorded views into the stream.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._errors import LocalProtocolError, MarshalError

__all__ = [
    "lazy_numpy",
    "dtype_of",
    "native_dtype",
    "CdrEncoder",
    "CdrDecoder",
    "PRIMITIVES",
    "NATIVE_LITTLE",
    "SEGMENT_MIN_SIZE",
]

NATIVE_LITTLE = sys.byteorder == "little"

#: CORBA primitive name -> (struct code, size == alignment, numpy dtype code)
PRIMITIVES: dict[str, tuple[str, int, str]] = {
    "boolean": ("B", 1, "?"),
    "octet": ("B", 1, "u1"),
    "char": ("B", 1, "u1"),
    "short": ("h", 2, "i2"),
    "ushort": ("H", 2, "u2"),
    "long": ("i", 4, "i4"),
    "ulong": ("I", 4, "u4"),
    "longlong": ("q", 8, "i8"),
    "ulonglong": ("Q", 8, "u8"),
    "float": ("f", 4, "f4"),
    "double": ("d", 8, "f8"),
}

_STRUCTS = {
    (little, code): struct.Struct(("<" if little else ">") + code)
    for little in (True, False)
    for code in "BhHiIqQfd"
}

_ZEROS = bytes(8)

#: Smallest value an encoder with ``segments=True`` sends from its own memory (Rule 4).
SEGMENT_MIN_SIZE = 64 * 1024
_STRUCT_TABLES = {
    little: {code: _STRUCTS[(little, code)] for code in "BhHiIqQfd"} for little in (True, False)
}


class LazyNumpy:
    """numpy, imported the first time an attribute is used.

    ``np = lazy_numpy.bind(globals())`` in a module gives it a name ``np`` that imports
    numpy on first use and then replaces itself, in every bound module, by the real
    module: ``import puretango`` stays light, and hot paths pay nothing afterwards.
    """

    def __init__(self) -> None:
        self._namespaces: list[dict[str, Any]] = []

    def bind(self, namespace: dict[str, Any]) -> Any:
        self._namespaces.append(namespace)
        return self

    def __getattr__(self, name: str) -> Any:
        import numpy

        for namespace in self._namespaces:
            if namespace.get("np") is self:
                namespace["np"] = numpy
        return getattr(numpy, name)


lazy_numpy = LazyNumpy()
if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np
else:
    np = lazy_numpy.bind(globals())

_DTYPES: dict[tuple[str, bool], Any] = {}
_NATIVE_DTYPES: dict[str, Any] = {}


def dtype_of(kind: str, little: bool) -> Any:
    """The numpy dtype of CDR primitive ``kind`` in the given byte order."""
    dtype = _DTYPES.get((kind, little))
    if dtype is None:
        code = PRIMITIVES[kind][2]
        dtype = np.dtype(code if code in ("?", "u1") else ("<" if little else ">") + code)
        _DTYPES[(kind, little)] = dtype
    return dtype


def native_dtype(kind: str) -> Any:
    """The numpy dtype of CDR primitive ``kind`` in this machine's byte order."""
    dtype = _NATIVE_DTYPES.get(kind)
    if dtype is None:
        dtype = _NATIVE_DTYPES[kind] = np.dtype(PRIMITIVES[kind][2])
    return dtype


class CdrEncoder:
    """Appends CDR-encoded values to a ``bytearray``.

    ``base`` is the stream offset of the first byte written (12 when encoding a
    GIOP body that follows the header). ``segments=True``: large values are kept as
    views of their own memory (Rule 4); the stream is then :meth:`pieces`, not ``buf``.
    """

    __slots__ = ("buf", "little", "base", "_s", "segments", "skipped")

    def __init__(self, little: bool = True, base: int = 0, *, segments: bool = False) -> None:
        self.buf = bytearray()
        self.little = little
        self.base = base
        self._s = _STRUCT_TABLES[little]
        #: (offset in ``buf``, view of the value's memory) of each value kept out of ``buf``
        self.segments: list[tuple[int, memoryview]] | None = [] if segments else None
        #: bytes of the stream held by ``segments`` rather than ``buf``
        self.skipped = 0

    def getvalue(self) -> bytes:
        return b"".join(self.pieces())

    @property
    def position(self) -> int:
        """Stream offset of the next byte."""
        return self.base + len(self.buf) + self.skipped

    def pieces(self) -> list[bytearray | memoryview]:
        """The encoded stream: ``buf`` alone, or its parts interleaved with the values kept
        as views of their own memory (views of ``buf``, which must not grow afterwards)."""
        if not self.segments:
            return [self.buf]
        whole = memoryview(self.buf)
        out: list[bytearray | memoryview] = []
        start = 0
        for offset, view in self.segments:
            if offset > start:
                out.append(whole[start:offset])
            out.append(view)
            start = offset
        if start < len(whole):
            out.append(whole[start:])
        return out

    def _keep(self, view: memoryview) -> None:
        """Put ``view`` (octets, C-contiguous) in the stream without copying it (Rule 4)."""
        assert self.segments is not None
        head = len(view) & ~7
        self.segments.append((len(self.buf), view[:head]))
        self.skipped += head
        self.buf += view[head:]

    def align(self, n: int) -> None:
        pad = -(self.base + len(self.buf)) % n
        if pad:
            self.buf += _ZEROS[:pad]

    def write_raw(self, data: bytes | bytearray | memoryview) -> None:
        self.buf += data

    def _prim(self, code: str, size: int, value: Any) -> None:
        buf = self.buf
        pad = -(self.base + len(buf)) % size
        if pad:
            buf += _ZEROS[:pad]
        try:
            buf += self._s[code].pack(value)
        except (struct.error, TypeError, OverflowError) as exc:
            raise LocalProtocolError(f"cannot encode {value!r} as CDR {code!r}: {exc}") from None

    def write_octet(self, v: int) -> None:
        self._prim("B", 1, v)

    def write_boolean(self, v: Any) -> None:
        self.buf.append(1 if v else 0)

    def write_short(self, v: int) -> None:
        self._prim("h", 2, v)

    def write_ushort(self, v: int) -> None:
        self._prim("H", 2, v)

    def write_long(self, v: int) -> None:
        self._prim("i", 4, v)

    def write_ulong(self, v: int) -> None:
        self._prim("I", 4, v)

    def write_longlong(self, v: int) -> None:
        self._prim("q", 8, v)

    def write_ulonglong(self, v: int) -> None:
        self._prim("Q", 8, v)

    def write_float(self, v: float) -> None:
        self._prim("f", 4, v)

    def write_double(self, v: float) -> None:
        self._prim("d", 8, v)

    def write_primitive(self, kind: str, v: Any) -> None:
        if kind == "boolean":
            self.write_boolean(v)
        else:
            code, size, _ = PRIMITIVES[kind]
            self._prim(code, size, v)

    def write_string(self, v: str | bytes) -> None:
        if isinstance(v, str):
            try:
                data = v.encode("latin-1")
            except UnicodeEncodeError as exc:
                raise LocalProtocolError(f"string {v!r} is not Latin-1: {exc}") from None
        elif isinstance(v, (bytes, bytearray)):
            data = bytes(v)
        else:
            raise LocalProtocolError(f"expected a string, got {type(v).__name__}")
        self.write_ulong(len(data) + 1)
        self.buf += data
        self.buf.append(0)

    def write_octets(self, v: bytes | bytearray | memoryview) -> None:
        """``sequence<octet>``: count then raw bytes."""
        self.write_ulong(len(v))
        if self.segments is not None and len(v) >= SEGMENT_MIN_SIZE:
            view = memoryview(v)
            if view.c_contiguous:
                self._keep(view.cast("B") if view.format != "B" or view.ndim != 1 else view)
                return
        self.buf += v

    def write_string_sequence(self, values: Iterable[str | bytes]) -> None:
        values = list(values) if not isinstance(values, (list, tuple)) else values
        self.write_ulong(len(values))
        for v in values:
            self.write_string(v)

    def write_primitive_sequence(self, kind: str, values: Any) -> None:
        """``sequence<kind>`` from a numpy array or any sequence of numbers."""
        if kind in ("octet", "char") and isinstance(values, (bytes, bytearray, memoryview)):
            self.write_octets(values)
            return
        arr = self.as_array(kind, values)
        self.write_ulong(arr.size)
        if arr.size:
            self.align(PRIMITIVES[kind][1])
            if not arr.flags.c_contiguous:
                self.buf += arr.tobytes()
            elif self.segments is not None and arr.nbytes >= SEGMENT_MIN_SIZE:
                self._keep(arr.view(np.uint8).data)
            else:
                self.buf += arr.data

    def as_array(self, kind: str, values: Any) -> np.ndarray:
        """Convert ``values`` to a flat array in this encoder's byte order (no copy if possible)."""
        dtype = dtype_of(kind, self.little)
        if isinstance(values, np.ndarray) and values.dtype == dtype:
            return values.reshape(-1)
        try:
            if kind == "boolean":
                arr = np.asarray(values, dtype=bool)
            else:
                arr = np.asarray(values)
                if arr.dtype.kind in "fO" and native_dtype(kind).kind in "iu" and arr.size:
                    # numpy infers float64 (or object) for Python ints straddling int64/uint64
                    exact = np.asarray(values, dtype=object)
                    if all(isinstance(v, (int, np.integer)) for v in exact.flat):
                        arr = exact
                if arr.dtype.kind not in "biufO" and arr.size:
                    raise LocalProtocolError(f"cannot encode {arr.dtype} values as CDR {kind}")
                if arr.dtype.kind == "f" and native_dtype(kind).kind in "iu" and arr.size:
                    raise LocalProtocolError(f"cannot encode float values as CDR {kind}")
                if arr.dtype.kind == "O" and native_dtype(kind).kind not in "iu" and arr.size:
                    raise LocalProtocolError(f"cannot encode {arr.dtype} values as CDR {kind}")
                if arr.dtype.kind in "iuO" and native_dtype(kind).kind in "iu" and arr.size:
                    info = np.iinfo(native_dtype(kind))
                    if arr.min() < info.min or arr.max() > info.max:
                        raise LocalProtocolError(f"value out of range for CDR {kind}")
                arr = arr.astype(dtype, copy=False)
        except (ValueError, TypeError, OverflowError) as exc:
            raise LocalProtocolError(
                f"cannot encode {values!r} as sequence<{kind}>: {exc}"
            ) from None
        return arr.reshape(-1)

    def write_encapsulation(self, build: Any, little: bool | None = None) -> None:
        """Write ``sequence<octet>`` holding an encapsulation filled by ``build(enc)``."""
        inner = CdrEncoder(self.little if little is None else little, 0)
        inner.write_boolean(inner.little)
        build(inner)
        self.write_octets(inner.buf)


class CdrDecoder:
    """Reads CDR values from a buffer.

    ``data`` is the whole stream (message or encapsulation); ``pos`` is the index of
    the next byte in ``data``; ``base`` is the stream offset of ``data[0]``; ``end``
    is the index one past the last readable byte.
    """

    __slots__ = ("data", "pos", "end", "little", "base", "_s")

    def __init__(
        self,
        data: bytes | bytearray | memoryview,
        little: bool = True,
        pos: int = 0,
        base: int = 0,
        end: int | None = None,
    ) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end
        self.little = little
        self.base = base
        self._s = _STRUCT_TABLES[little]

    @property
    def remaining(self) -> int:
        return self.end - self.pos

    def at_end(self) -> bool:
        return self.pos >= self.end

    def align(self, n: int) -> None:
        self.pos += -(self.base + self.pos) % n
        if self.pos > self.end:
            raise MarshalError("message ended inside padding")

    def _need(self, n: int) -> None:
        if self.pos + n > self.end:
            raise MarshalError(
                f"message ended: needed {n} bytes at offset {self.pos}, {self.end - self.pos} left"
            )

    def read_raw(self, n: int) -> bytes:
        self._need(n)
        p = self.pos
        self.pos = p + n
        return bytes(self.data[p : p + n])

    def _prim(self, code: str, size: int) -> Any:
        pos = self.pos + (-(self.base + self.pos) % size)
        if pos + size > self.end:
            raise MarshalError(f"message ended reading a {size}-byte value at offset {pos}")
        self.pos = pos + size
        return self._s[code].unpack_from(self.data, pos)[0]

    def read_octet(self) -> int:
        return self._prim("B", 1)

    def read_boolean(self) -> bool:
        return self._prim("B", 1) != 0

    def read_short(self) -> int:
        return self._prim("h", 2)

    def read_ushort(self) -> int:
        return self._prim("H", 2)

    def read_long(self) -> int:
        return self._prim("i", 4)

    def read_ulong(self) -> int:
        # the hottest read (lengths, counts, discriminators): written out in full
        pos = self.pos
        pos += -(self.base + pos) & 3
        if pos + 4 > self.end:
            raise MarshalError(f"message ended reading a 4-byte value at offset {pos}")
        self.pos = pos + 4
        return self._s["I"].unpack_from(self.data, pos)[0]

    def read_longlong(self) -> int:
        return self._prim("q", 8)

    def read_ulonglong(self) -> int:
        return self._prim("Q", 8)

    def read_float(self) -> float:
        return self._prim("f", 4)

    def read_double(self) -> float:
        return self._prim("d", 8)

    def read_primitive(self, kind: str) -> Any:
        if kind == "boolean":
            return self.read_boolean()
        code, size, _ = PRIMITIVES[kind]
        return self._prim(code, size)

    def read_count(self, min_element_size: int = 1) -> int:
        """A sequence length, refused if it cannot fit in the remaining input."""
        pos = self.pos
        pos += -(self.base + pos) & 3
        if pos + 4 > self.end:
            raise MarshalError(f"message ended reading a sequence length at offset {pos}")
        self.pos = pos + 4
        n = self._s["I"].unpack_from(self.data, pos)[0]
        if n * min_element_size > self.end - self.pos:
            raise MarshalError(
                f"sequence of {n} elements does not fit in the {self.end - self.pos} bytes left"
            )
        return n

    def read_string_bytes(self) -> bytes:
        n = self.read_ulong()
        if n == 0:
            return b""  # illegal CDR, but be lenient
        self._need(n)
        p = self.pos
        self.pos = p + n
        return bytes(self.data[p : p + n - 1])

    def read_string(self) -> str:
        return self.read_string_bytes().decode("latin-1")

    def read_octets(self) -> bytes:
        n = self.read_count()
        return self.read_raw(n)

    def read_string_sequence(self) -> list[str]:
        n = self.read_count(5)
        read = self.read_string
        return [read() for _ in range(n)]

    def read_primitive_sequence(self, kind: str) -> np.ndarray:
        """``sequence<kind>`` as a 1-D numpy array of the native dtype."""
        _, size, _ = PRIMITIVES[kind]
        n = self.read_count(size)
        if n:
            self.align(size)
            self._need(n * size)
        return self.read_primitive_array(kind, n)

    def read_primitive_array(self, kind: str, n: int) -> np.ndarray:
        """``n`` consecutive primitives (already aligned) as a native-order numpy array."""
        size = PRIMITIVES[kind][1]
        self._need(n * size)
        dtype = dtype_of(kind, self.little)
        arr = np.frombuffer(self.data, dtype=dtype, count=n, offset=self.pos)
        self.pos += n * size
        if size > 1 and self.little != NATIVE_LITTLE:
            arr = arr.astype(native_dtype(kind))
        elif kind == "boolean" and n:
            arr = arr.view(np.uint8).astype(bool)
        return arr

    def read_encapsulation(self) -> CdrDecoder:
        """A decoder over the encapsulation at the current position (which it skips)."""
        n = self.read_count()
        if n == 0:
            raise MarshalError("empty encapsulation")
        start = self.pos
        self.pos += n
        little = self.data[start] & 1 == 1
        return CdrDecoder(self.data, little, pos=start + 1, base=-start, end=start + n)
