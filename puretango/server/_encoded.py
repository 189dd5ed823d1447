"""PyTango's ``EncodedAttribute``: images packed into a DevEncoded value, with cppTango's
layouts for the raw formats (``GRAY8``, ``GRAY16``, ``RGB24``: a 4-byte header, width then
height as big-endian 16-bit numbers, then the pixels row by row, 16-bit ones big-endian) and
the decoders of the client side (``decode_gray8``, ``decode_gray16``).

An ``EncodedAttribute`` is the ``[format, data]`` pair it holds (a list), so a read method may
return it, or pass it to ``Attribute.set_value``, as any DevEncoded value. The JPEG formats
and RGB32 are not implemented (they need a JPEG codec).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..giop._cdr import lazy_numpy

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy.bind(globals())

__all__ = ["EncodedAttribute"]


def _image(data: Any, width: int, height: int, dtype: Any, depth: int = 1) -> Any:
    """``data`` as a (height, width[, depth]) array of ``dtype``."""
    if isinstance(data, (bytes, bytearray, str)):
        if not width or not height:
            raise ValueError("When giving a string as data, you must also supply width and height")
        raw = data.encode("latin-1") if isinstance(data, str) else bytes(data)
        flat = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("="))
        shape = (height, width, depth) if depth > 1 else (height, width)
        return flat.reshape(shape)
    array = np.asarray(data)
    if width and height and array.ndim < (3 if depth > 1 else 2):
        shape = (height, width, depth) if depth > 1 else (height, width)
        array = array.reshape(shape)
    return array.astype(dtype, copy=False)


def _header(width: int, height: int) -> bytes:
    return int(width).to_bytes(2, "big") + int(height).to_bytes(2, "big")


def _pair(value: Any) -> tuple[str, bytes]:
    """The (format, data) of a DevEncoded reading (a DeviceAttribute or a pair)."""
    pair = getattr(value, "value", value)
    if pair is None:
        raise ValueError(
            "EncodedAttribute: no encoded data to decode (read the attribute with "
            "ExtractAs.Bytes and pass its value)"
        )
    fmt, data = pair
    return str(fmt), data.encode("latin-1") if isinstance(data, str) else bytes(data)


def _size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")


class EncodedAttribute(list[Any]):
    """Encode images into (and decode them from) a DevEncoded value."""

    def __init__(self, *args: Any) -> None:
        super().__init__()

    def _set(self, fmt: str, data: bytes) -> None:
        self[:] = [fmt, data]

    @property
    def format(self) -> str | None:
        return self[0] if self else None

    # -- encoders --------------------------------------------------------------------------
    def encode_gray8(self, gray8: Any, width: int = 0, height: int = 0) -> None:
        image = _image(gray8, width, height, np.uint8)
        self._set("GRAY8", _header(image.shape[1], image.shape[0]) + image.tobytes())

    def encode_gray16(self, gray16: Any, width: int = 0, height: int = 0) -> None:
        image = _image(gray16, width, height, np.uint16)
        body = image.astype(">u2").tobytes()
        self._set("GRAY16", _header(image.shape[1], image.shape[0]) + body)

    def encode_rgb24(self, rgb24: Any, width: int = 0, height: int = 0) -> None:
        image = _image(rgb24, width, height, np.uint8, depth=3)
        self._set("RGB24", _header(image.shape[1], image.shape[0]) + image.tobytes())

    def _no_jpeg(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("puretango's EncodedAttribute does not encode JPEG images")

    encode_jpeg_gray8 = encode_jpeg_rgb24 = encode_jpeg_rgb32 = _no_jpeg

    # -- decoders --------------------------------------------------------------------------
    def decode_gray8(self, da: Any, extract_as: Any = None) -> Any:
        fmt, data = _pair(da)
        if fmt != "GRAY8":
            raise ValueError(f"decode_gray8: cannot decode {fmt} data")
        width, height = _size(data)
        return np.frombuffer(data[4:], dtype=np.uint8).reshape(height, width)

    def decode_gray16(self, da: Any, extract_as: Any = None) -> Any:
        fmt, data = _pair(da)
        if fmt != "GRAY16":
            raise ValueError(f"decode_gray16: cannot decode {fmt} data")
        width, height = _size(data)
        return np.frombuffer(data[4:], dtype=">u2").astype(np.uint16).reshape(height, width)

    def decode_rgb32(self, da: Any, extract_as: Any = None) -> Any:
        raise NotImplementedError("puretango's EncodedAttribute does not decode RGB32 images")
