"""Large spectra between real peers, both directions, at sizes around the 4 MiB fragment
boundary of our server's replies (and twice it): ``BigDev`` (``peers/bigdev.py``) served
by PyTango and by puretango, read by PyTango's client and by ours. Every value must come
through bit-exact; ours must be a writeable view of the buffer it was received into."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from peers.bigdev import values
from peers.launch import PEERS_DIR, PyTangoServer, run_pytango_client

import puretango

DEVICE = "test/big/1"
# Element counts around the sizes where our server's read_attributes_5 reply of one
# attribute stops fitting in one message (REPLY_FRAGMENT_SIZE = 4 MiB) or in two: the
# last count sent whole is 524276 doubles, 1048553 longs, 4194212 uchars.
SIZES = {
    "doubles": [524_274, 524_276, 524_277, 524_279, 1_048_563, 1_048_564, 1_048_565],
    "longs": [1_048_552, 1_048_553, 1_048_554, 1_048_555],
    "uchars": [4_194_211, 4_194_212, 4_194_213, 4_194_219],
}
CASES = [(kind, n) for kind, sizes in SIZES.items() for n in sizes]


def _digest(arr: np.ndarray) -> list:
    return [str(arr.dtype), list(arr.shape), hashlib.sha1(arr.tobytes()).hexdigest()]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, PyTangoServer]]:
    """BigDev served by PyTango and by puretango, started in parallel."""
    pair = {
        "PyTango": PyTangoServer(PEERS_DIR / "bigdev.py", "big", [DEVICE]),
        "puretango": PyTangoServer(PEERS_DIR / "bigdev_pure.py", "big", [DEVICE]),
    }
    with ThreadPoolExecutor(2) as pool:
        errors = [f.exception() for f in [pool.submit(s.start) for s in pair.values()]]
    try:
        for error in errors:
            if error is not None:
                raise error
        yield pair
    finally:
        for server in pair.values():
            server.stop()


def _root(arr: np.ndarray) -> object:
    base = arr.base
    while isinstance(base, np.ndarray):
        base = base.base
    return base.obj if isinstance(base, memoryview) else base


@pytest.mark.parametrize("server", ["PyTango", "puretango"])
def test_our_client_reads_large_spectra_bit_exact(
    servers: dict[str, PyTangoServer], server: str
) -> None:
    proxy = puretango.DeviceProxy(servers[server].trl(DEVICE))
    for kind, n in CASES:
        proxy.write_attribute("length", n)
        value = proxy.read_attribute(kind).value
        assert _digest(value) == _digest(values(kind, n)), (kind, n)
        assert value.flags.writeable, (kind, n)
        root = _root(value)
        # the buffer received into: a bytearray, or a uint8 array (not zero-filled)
        assert isinstance(root, (bytearray, np.ndarray)) and len(root) >= value.nbytes


_PYTANGO_READS = """
import hashlib, json, sys, tango
proxy = tango.DeviceProxy(sys.argv[1])
out = []
for kind, n in json.loads(sys.argv[2]):
    proxy.write_attribute("length", n)
    v = proxy.read_attribute(kind).value
    out.append([str(v.dtype), list(v.shape), hashlib.sha1(v.tobytes()).hexdigest()])
echo = proxy.command_inout("EchoDoubles", [float(i) / 3 for i in range(600_001)])
out.append([str(echo.dtype), list(echo.shape), hashlib.sha1(echo.tobytes()).hexdigest()])
print(json.dumps(out))
"""


def _pytango_reads(server: PyTangoServer) -> list:
    code = f"import sys; sys.argv[1:] = {[server.trl(DEVICE), json.dumps(CASES)]!r}\n"
    return json.loads(run_pytango_client(code + _PYTANGO_READS, timeout=120).splitlines()[-1])


def test_pytango_client_reads_our_fragmented_replies_as_pytangos(
    servers: dict[str, PyTangoServer],
) -> None:
    with ThreadPoolExecutor(2) as pool:
        pytango, ours = pool.map(_pytango_reads, [servers["PyTango"], servers["puretango"]])
    expected = [_digest(values(kind, n)) for kind, n in CASES]
    expected.append(_digest(np.array([float(i) / 3 for i in range(600_001)])))
    assert pytango == expected
    assert ours == expected


@pytest.mark.parametrize("server", ["PyTango", "puretango"])
def test_our_client_sends_and_gets_back_a_large_array(
    servers: dict[str, PyTangoServer], server: str
) -> None:
    proxy = puretango.DeviceProxy(servers[server].trl(DEVICE))
    data = np.arange(1_048_577, dtype=np.float64) / 7
    echo = proxy.command_inout("EchoDoubles", data)
    assert echo.tobytes() == data.tobytes()


@pytest.mark.parametrize("server", ["PyTango", "puretango"])
def test_an_array_read_keeps_its_value_through_later_reads(
    servers: dict[str, PyTangoServer], server: str
) -> None:
    """Each large reply has a buffer of its own: an array read earlier is not overwritten
    by the replies read after it (nor by a smaller one, nor by a larger one)."""
    proxy = puretango.DeviceProxy(servers[server].trl(DEVICE))
    kept = []  # kinds whose bytes differ at every position, sizes smaller and larger
    for kind, n in (("doubles", 1_048_563), ("longs", 1_048_552), ("uchars", 4_194_219)):
        proxy.write_attribute("length", n)
        kept.append((kind, n, proxy.read_attribute(kind).value))
    for kind, n, value in kept:
        assert _digest(value) == _digest(values(kind, n)), (kind, n)
