"""The generated struct writers pack runs of 4-byte fields (in nested structs too) with one
call and write empty sequences inline: the bytes are those of writing every field on its
own, in both byte orders and at every alignment; a bad enum in a run is still refused."""

from __future__ import annotations

import numpy as np
import pytest

from puretango.giop._cdr import CdrEncoder
from puretango.giop._errors import LocalProtocolError
from puretango.idl import UnionValue
from puretango.idl import types as t
from puretango.idl._enums import AttrDataFormat, AttributeDataType, AttrQuality, ErrSeverity
from puretango.idl._values import DevError, TimeVal


def _value(errors: list[DevError]) -> object:
    return t.AttributeValue_5(
        value=UnionValue(AttributeDataType.ATT_DOUBLE, np.array([1.5, 2.5])),
        quality=AttrQuality.ATTR_WARNING,
        data_format=AttrDataFormat.SCALAR,
        data_type=5,
        time=TimeVal(1700000000, 123456, 7),
        name="level",
        r_dim=t.AttributeDim(dim_x=1, dim_y=0),
        w_dim=t.AttributeDim(dim_x=1, dim_y=0),
        err_list=errors,
    )


def _field_by_field(enc: CdrEncoder, av: object, errors: list[DevError]) -> None:
    enc.write_ulong(AttributeDataType.ATT_DOUBLE)
    enc.write_primitive_sequence("double", [1.5, 2.5])
    for number in (AttrQuality.ATTR_WARNING, AttrDataFormat.SCALAR):
        enc.write_ulong(int(number))
    for number in (5, 1700000000, 123456, 7):
        enc.write_long(number)
    enc.write_string("level")
    for number in (1, 0, 1, 0):
        enc.write_long(number)
    enc.write_ulong(len(errors))
    for error in errors:
        enc.write_string(error.reason)
        enc.write_ulong(int(error.severity))
        enc.write_string(error.desc)
        enc.write_string(error.origin)


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("base", range(8))
@pytest.mark.parametrize("n_errors", [0, 2])
def test_generated_writer_bytes(little: bool, base: int, n_errors: int) -> None:
    errors = [DevError(f"R{i}", ErrSeverity.PANIC, "d" * i, "o") for i in range(n_errors)]
    generated, expected = CdrEncoder(little, base), CdrEncoder(little, base)
    av = _value(errors)
    t.AttributeValue_5.write(generated, av)
    _field_by_field(expected, av, errors)
    assert bytes(generated.buf) == bytes(expected.buf)


def test_a_bad_enum_in_a_run_is_refused() -> None:
    av = _value([])
    av.data_format = 99  # type: ignore[attr-defined]
    with pytest.raises(LocalProtocolError, match="AttrDataFormat"):
        t.AttributeValue_5.write(CdrEncoder(True, 0), av)


def test_compile_codecs_makes_every_struct_codec_at_once() -> None:
    """In a fresh interpreter: nothing is compiled on import, ``compile_codecs`` makes every
    struct's reader and writer, a second call has nothing left to do, and the codecs made
    ahead of use round-trip a value."""
    import subprocess
    import sys

    script = """
import sys
from puretango import idl
from puretango.giop import CdrDecoder, CdrEncoder
from puretango.idl import _types
structs = [v for m in list(sys.modules.values()) if m.__name__.startswith("puretango.idl.")
           for v in vars(m).values() if isinstance(v, _types.Struct)]
before = sum(s.compiled for s in structs)
made = idl.compile_codecs()
after = sum(s.compiled for s in structs)
dev_error = idl.types.DevError
enc = CdrEncoder()
dev_error.write(enc, dev_error.cls(reason="R", desc="desc", origin="origin"))
back = dev_error.read(CdrDecoder(enc.getvalue()))
print(len(structs), before, made, after, idl.compile_codecs(), back.reason, back.desc)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    count, before, made, after, again, reason, desc = done.stdout.split()
    assert int(count) > 20 and int(made) > 0 and int(after) == int(count)
    assert int(before) + int(made) == int(count) and again == "0"
    assert (reason, desc) == ("R", "desc")
