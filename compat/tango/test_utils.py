"""``tango.test_utils`` on puretango: PyTango's test helpers, written anew.

It holds the small test devices (``SimpleDevice`` and the classic-API
``ClassicAPISimpleDevice*``), test enums, typed test values and the pytest fixtures built
on them (``state``, ``general_typed_values``, ``attr_data_format`` ...), value comparison
helpers and the proxy waiters. The fixtures take the same parameter values and produce
the same test ids as PyTango's, so test reports of both can be compared id by id.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from tango import (
    READ,
    SCALAR,
    AttrDataFormat,
    DevFailed,
    DeviceProxy,
    DevLong64,
    DevState,
    DevVarDoubleStringArray,
    DevVarLongStringArray,
    ExtractAs,
    GreenMode,
    SerialModel,
)
from tango.server import Device
from tango.test_context import (
    DeviceTestContext,
    MultiDeviceTestContext,
    get_server_port_via_pid,
)
from tango.utils import FROM_TANGO_TO_NUMPY_TYPE, is_non_str_seq

try:
    import pytest
except ImportError:  # the fixtures need pytest; the rest does not
    pytest = None  # type: ignore[assignment]

__all__ = [
    "DEVICE_SERVER_ARGUMENTS",
    "ClassicAPISimpleDeviceClass",
    "ClassicAPISimpleDeviceImpl",
    "DeviceTestContext",
    "MultiDeviceTestContext",
    "SimpleDevice",
    "assert_close",
    "attr_data_format",
    "attribute_numpy_typed_values",
    "attribute_typed_values",
    "attribute_wrong_numpy_typed",
    "command_numpy_typed_values",
    "command_typed_values",
    "convert_dtype_to_typing_hint",
    "dev_encoded_values",
    "general_asyncio_decorator",
    "general_decorator",
    "server_green_mode",
    "state",
    "wait_for_nodb_proxy_via_pid",
    "wait_for_proxy",
]

# --- test strings ---

_SCRIPTS = (
    "ăѣ𝔠ծềſģȟᎥ𝒋ǩľḿꞑȯ𝘱𝑞𝗋𝘴ȶ𝞄𝜈ψ𝒙𝘆𝚣",
    "ả𝘢ѧᖯć𝗱ễ𝑓𝙜Ⴙ𝞲𝑗𝒌ļṃŉо𝞎𝒒ᵲꜱ𝙩ừ𝗏ŵ𝒙𝒚ź",
    "𝜶ƀ𝖼ḋếᵮℊ𝙝Ꭵ𝕛кιṃդⱺ𝓅𝘲𝕣𝖘ŧ𝑢ṽẉ𝘅ყž",
    "Ꮟçძ𝑒𝖿𝗀ḧ𝗂𝐣ҝɭḿ𝕟𝐨𝝔𝕢ṛ𝓼тú𝔳ẃ⤬𝝲𝗓",
)
_CAPITALS = (
    "𝘈Ḇ𝖢𝕯٤ḞԍНǏ𝙅ƘԸⲘ𝙉০Ρ𝗤Ɍ𝓢ȚЦ𝒱Ѡ𝓧ƳȤ",
    "АḂⲤ𝗗𝖤𝗙ꞠꓧȊ𝐉𝜥ꓡ𝑀𝑵Ǭ𝙿𝑄Ŗ𝑆𝒯𝖴𝘝𝘞ꓫŸ𝜡",
    "Ѧ𝙱ƇᗞΣℱԍҤ١𝔍К𝓛𝓜ƝȎ𝚸𝑄Ṛ𝓢ṮṺƲᏔꓫ𝚈𝚭",
    "𝖠Β𝒞𝘋𝙴𝓕ĢȞỈ𝕵ꓗʟ𝙼ℕ০𝚸𝗤ՀꓢṰǓⅤ𝔚Ⲭ𝑌𝙕𝘢𝕤",
)
_ASCII_RUN = "1234567890!@#$%^&*()-_=+[{]};:'\",<.>/?~"

#: a long UTF-8 text of many scripts, digits and punctuation
UTF8_STRING = "".join(
    small + _ASCII_RUN + capital for small, capital in zip(_SCRIPTS, _CAPITALS, strict=True)
)

#: every byte a DevString can carry (all but NUL), as bytes and as a latin-1 str
bytes_devstring = bytes(range(1, 256))
str_devstring = bytes_devstring.decode("latin-1")


# --- test devices ---


class SimpleDevice(Device):
    """A high-level device that only says it is ON."""

    def init_device(self) -> None:
        self.set_state(DevState.ON)


def _classic_bases() -> tuple[type, type]:
    """The classic server API's ``LatestDeviceImpl`` and ``DeviceClass`` (the drop-in
    answers a placeholder that raises on use while that API is not there)."""
    import tango

    return tango.LatestDeviceImpl, tango.DeviceClass


_LatestDeviceImpl, _DeviceClass = _classic_bases()


class ClassicAPISimpleDeviceImpl(_LatestDeviceImpl):  # type: ignore[misc, valid-type]
    """A classic-API device with one read-only DevLong64 attribute ``attr1`` = 100."""

    def __init__(self, cls: Any, name: str) -> None:
        _LatestDeviceImpl.__init__(self, cls, name)
        ClassicAPISimpleDeviceImpl.init_device(self)

    def init_device(self) -> None:
        self.get_device_properties(self.get_device_class())
        self.attr_attr1_read = 100

    def read_attr1(self, attr: Any) -> None:
        attr.set_value(self.attr_attr1_read)


class ClassicAPISimpleDeviceClass(_DeviceClass):  # type: ignore[misc, valid-type]
    """The classic-API class of :class:`ClassicAPISimpleDeviceImpl`."""

    attr_list: ClassVar[dict[str, Any]] = {"attr1": [[DevLong64, SCALAR, READ]]}


# --- test enums ---


class GoodEnum(enum.IntEnum):
    """Values 0, 1, 2: valid for a DevEnum."""

    START = 0
    MIDDLE = 1
    END = 2


class BadEnumNonZero(enum.IntEnum):
    """Does not start at 0."""

    START = 1
    MIDDLE = 2
    END = 3


class BadEnumSkipValues(enum.IntEnum):
    """Has holes."""

    START = 0
    MIDDLE = 2
    END = 4


class BadEnumDuplicates(enum.IntEnum):
    """Repeats a value."""

    START = 0
    MIDDLE = 1
    END = 1


# --- typed test values: dtype -> values (a tuple dtype is a spectrum, nested an image) ---

_FOUR_STRINGS = ("hey hey", "my my", bytes_devstring, str_devstring)

GENERAL_TYPED_VALUES: dict[Any, tuple[Any, ...]] = {
    int: (1, 2, -65535, 23),
    float: (2.71, 3.14, -34.678e-10, 12.678e15),
    str: _FOUR_STRINGS,
    bool: (False, True, True, False),
    (int,): (np.array([1, 2]), (1, 2, 3), [9, 8, 7], [-65535, 2224], [0, 0]),
    (float,): (
        np.array([0.1, 0.2]),
        (0.1, 0.2, 0.3),
        [0.9, 0.8, 0.7],
        (-6.3232e-3, 1.234e4),
        [0.0, 12.56e12],
    ),
    (str,): (
        np.array(["foo", "bar"]),
        ("ab", "cd", "ef"),
        ["gh", "ij", "kl"],
        ("ab", "cd"),
        ["gh", "ij"],
        [bytes_devstring] * 3,
        [str_devstring] * 3,
    ),
    (bool,): (
        np.array([True, False]),
        (False, False, True),
        [True, False, False],
        (False, True),
        [True, False],
    ),
}

COMMAND_TYPED_VALUES: dict[Any, tuple[Any, ...]] = {
    DevVarLongStringArray: ([[1, 2, 3], ["foo", "bar", "hmm"]],),
    DevVarDoubleStringArray: ([[1.1, 2.2, 3.3], ["foo", "bar", "hmm"]],),
}

_THREE_ROWS_STR = [["ab", "cd", "ef"], ["gh", "ij", "kl"], ["gh", "ij", "kl"]]
_THREE_ROWS_BOOL = [[False, False, True], [True, False, False], [True, False, False]]

IMAGE_TYPED_VALUES: dict[Any, tuple[Any, ...]] = {
    ((int,),): (
        np.array([[1, 2], [3, 4]]),
        ((1, 2, 3), (4, 5, 6), (7, 8, 9)),
        [[-65535, 2224, 23], [-6535, 224, 345], [-655, 24, 54]],
        ((1, 2, 3), (4, 5, 6)),
        [[-65535, 2224], [-65535, 2224]],
    ),
    ((float,),): (
        np.array([[0.1, 0.2], [0.3, 0.4]]),
        ((0.1, 0.2, 0.3), (0.9, 0.8, 0.7), (0.5, 0.6, 0.7)),
        [[-6.3232e-3, 0.0], [0.0, 12.56e12], [23.4, 1.56e2]],
        ((0.1, 0.2, 0.3), (0.9, 0.8, 0.7)),
        [[-6.3232e-3, 0.0], [0.0, 12.56e12]],
    ),
    ((str,),): (
        np.array([["hi-hi", "ha-ha"], ["hu-hu", "yuhuu"]]),
        _THREE_ROWS_STR,
        tuple(tuple(row) for row in _THREE_ROWS_STR),
        [["ab", "cd"], ["ij", "kl"]],
        (("ab", "ef"), ("gh", "ij")),
        [[bytes_devstring] * 3 for _ in range(2)],
        [[str_devstring] * 3 for _ in range(2)],
    ),
    ((bool,),): (
        np.array([[True, False], [False, True]]),
        _THREE_ROWS_BOOL,
        tuple(tuple(row) for row in _THREE_ROWS_BOOL),
        [[False, True], [False, False]],
        ((False, True), (False, False)),
        [[False]],
        [[True]],
    ),
}

#: numpy scalar types grouped with a scalar, a spectrum and an image value for each group
_NUMPY_TYPE_GROUPS: tuple[tuple[tuple[Any, ...], Any, list[Any], list[list[Any]]], ...] = (
    ((np.bool_,), True, [True, False], [[True, False], [False, True]]),
    ((np.ubyte,), 1, [1, 2], [[1, 2], [3, 4]]),
    (
        (np.short, np.ushort, np.int32, np.uint32, np.int64, np.uint64),
        1,
        [1, 2],
        [[1, 2], [3, 4]],
    ),
    ((np.float64, np.float32), 1.1, [1.1, 2.2], [[1.1, 2.2], [3.3, 4.4]]),
)

#: [numpy type, type hint, format, value]: scalar and spectrum hints, then image hints
NUMPY_GENERAL_TYPING_HINTS: list[list[Any]] = []
NUMPY_IMAGES_TYPING_HINTS: list[list[Any]] = []
for _types, _scalar, _spectrum, _image in _NUMPY_TYPE_GROUPS:
    for _type in _types:
        NUMPY_GENERAL_TYPING_HINTS.append([_type, _type, AttrDataFormat.SCALAR, _scalar])
        NUMPY_GENERAL_TYPING_HINTS.append(
            [_type, npt.NDArray[_type], AttrDataFormat.SPECTRUM, _spectrum]
        )
        NUMPY_IMAGES_TYPING_HINTS.append([_type, npt.NDArray[_type], AttrDataFormat.IMAGE, _image])

#: (dformat, max_x, max_y, value, expected error, its message)
WRONG_NUMPY_TYPING_HINTS = (
    (None, None, None, None, RuntimeError, "AttrDataFormat has to be specified"),
    (AttrDataFormat.IMAGE, 3, 0, [[1, 2], [3, 4]], DevFailed, "Maximum y dim. wrongly defined"),
    (
        AttrDataFormat.SPECTRUM,
        3,
        0,
        [[1, 2], [3, 4]],
        TypeError,
        "Expecting a integer type, but it is not",
    ),
)

EXTRACT_AS = [
    (ExtractAs.Numpy, np.ndarray),
    (ExtractAs.Tuple, tuple),
    (ExtractAs.List, list),
    (ExtractAs.Bytes, bytes),
    (ExtractAs.ByteArray, bytearray),
    (ExtractAs.String, str),
]

BASE_TYPES = [float, int, str, bool]

#: a size that forces heap allocations in C++ (kept for PyTango's tests that use it)
LARGE_DATA_SIZE = 1024**2

DEV_ENCODED_DATA = {
    "str": UTF8_STRING,
    "bytes": UTF8_STRING.encode(),
    "bytearray": bytearray(UTF8_STRING.encode()),
}

OS_SYSTEMS = ["linux", "win"]

_BOTH = ["linux", "win"]

#: (systems where it parses, command line, the arguments it parses to)
DEVICE_SERVER_ARGUMENTS = (
    (
        _BOTH,
        "MyDs instance --nodb --port 1234",
        ["MyDs", "instance", "-nodb", "-ORBendPoint", "giop:tcp:0.0.0.0:1234"],
    ),
    (
        _BOTH,
        "MyDs -port 1234 -host myhost instance",
        ["MyDs", "instance", "-ORBendPoint", "giop:tcp:myhost:1234"],
    ),
    (
        _BOTH,
        "MyDs instance --ORBendPoint giop:tcp::1234",
        ["MyDs", "instance", "-ORBendPoint", "giop:tcp::1234"],
    ),
    (
        _BOTH,
        "MyDs instance -nodb -port 1000 -dlist a/b/c;d/e/f",
        ["MyDs", "instance", "-ORBendPoint", "giop:tcp:0.0.0.0:1000"]
        + ["-nodb", "-dlist", "a/b/c;d/e/f"],
    ),
    (_BOTH, "MyDs instance -file a/b/c", ["MyDs", "instance", "-file=a/b/c"]),
    ([], "MyDs instance -nodb", []),  # never parses
    ([], "MyDs instance -dlist a/b/c;d/e/f", []),  # never parses
    (_BOTH, "MyDs instance -vvvv", ["MyDs", "instance", "-v4"]),
    (_BOTH, "MyDs instance --verbose --verbose --verbose --verbose", ["MyDs", "instance", "-v4"]),
    (_BOTH, "MyDs instance -v4", ["MyDs", "instance", "-v4"]),
    (_BOTH, "MyDs instance -v 4", ["MyDs", "instance", "-v4"]),
    (["win"], "MyDs instance -dbg -i -s -u", ["MyDs", "instance", "-dbg", "-i", "-s", "-u"]),
    (
        _BOTH,
        "MyDs instance -ORBtest1 test1 --ORBtest2 test2",
        ["MyDs", "instance", "-ORBtest1", "test1", "-ORBtest2", "test2"],
    ),
    (
        _BOTH,
        "MyDs ORBinstance -ORBtest myORBparam",
        ["MyDs", "ORBinstance", "-ORBtest", "myORBparam"],
    ),
    (
        _BOTH,
        "MyDs instance -nodb -ORBendPoint giop:tcp:localhost:1234 "
        "-ORBendPointPublish giop:tcp:myhost.local:2345",
        ["MyDs", "instance", "-nodb", "-ORBendPoint", "giop:tcp:localhost:1234"]
        + ["-ORBendPointPublish", "giop:tcp:myhost.local:2345"],
    ),
    ([], "MyDs instance -ORBtest1 test1 --orbinvalid value", []),  # "orb" must be "ORB"
)


# --- helpers ---


def convert_dtype_to_typing_hint(dtype: Any) -> tuple[Any, Any, bool, bool]:
    """A test dtype as (tuple hint, list hint, check x dim, check y dim)."""
    if dtype == DevVarLongStringArray:
        return tuple[tuple[int], tuple[str]], list[list[int], list[str]], False, False  # type: ignore[misc]
    if dtype == DevVarDoubleStringArray:
        return (
            tuple[tuple[float], tuple[str]],
            list[list[float], list[str]],  # type: ignore[misc]
            False,
            False,
        )
    if not isinstance(dtype, tuple):
        return dtype, dtype, False, False
    inner = dtype[0]
    if not isinstance(inner, tuple):
        return tuple[inner, inner, inner], list[inner], True, False  # type: ignore[valid-type]
    item = inner[0]
    row = tuple[item, item, item]  # type: ignore[valid-type]
    return tuple[row, row, row, row], list[list[item]], True, True  # type: ignore[valid-type]


def general_decorator(function: Callable[..., Any] | None = None) -> Any:
    """A do-nothing decorator, usable with or without parentheses."""
    if function is None:
        return general_decorator

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return wrapper


def general_asyncio_decorator(function: Callable[..., Any] | None = None) -> Any:
    """The coroutine twin of :func:`general_decorator`."""
    if function is None:
        return general_asyncio_decorator

    @wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return await function(*args, **kwargs)

    return wrapper


def repr_type(dtype: Any) -> str:
    """The test id of a typed-values dtype: ``int``, ``(int,)``, ``((int,),)`` ..."""
    if isinstance(dtype, (list, tuple)):
        return f"({repr_type(dtype[0])},)"
    if dtype == DevVarLongStringArray:
        return "DevVarLongStringArray"
    if dtype == DevVarDoubleStringArray:
        return "DevVarDoubleStringArray"
    return str(dtype.__name__)


def repr_numpy_type(dtype: Any, dformat: Any) -> str:
    """The test id of a numpy-typed value: ``int32, SCALAR``, ``np.NDarray[int32], SPECTRUM``."""
    if dformat == AttrDataFormat.SCALAR:
        return f"{dtype.__name__}, SCALAR"
    if dformat == AttrDataFormat.SPECTRUM:
        return f"np.NDarray[{dtype.__name__}], SPECTRUM"
    return f"np.n2array[{dtype.__name__}], IMAGE"


def _each_element(value: Any, dformat: Any) -> list[Any]:
    if dformat == AttrDataFormat.SCALAR:
        return [value]
    if dformat == AttrDataFormat.SPECTRUM:
        return list(value)
    return [element for row in value for element in row]


def check_attr_type(read_attr: Any, attr_data_format: Any, desired_type: type) -> None:
    """Assert every element of a read value (scalar, spectrum or image) is a ``desired_type``."""
    for element in _each_element(read_attr, attr_data_format):
        assert isinstance(element, desired_type)


def check_read_attr(read_attr: Any, attr_data_format: Any, value: Any, label: str) -> None:
    """Assert every enum element read has this value and this label (its ``name``)."""
    for element in _each_element(read_attr, attr_data_format):
        assert element.value == value
        assert element.name == label


def make_nd_value(value: Any, attr_data_format: Any) -> Any:
    """``value`` as a one-element scalar, spectrum or image."""
    if attr_data_format == AttrDataFormat.SCALAR:
        return value
    if attr_data_format == AttrDataFormat.SPECTRUM:
        return (value,)
    return ((value,),)


def _assert_equal_values(a: Any, b: Any) -> None:
    if isinstance(a, str):
        assert a == b
    elif isinstance(a, dict):
        for key, item in a.items():
            assert key in b
            assert_close(item, b[key])
    elif isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        assert a == b
    else:
        try:
            assert a == pytest.approx(b)
        except (TypeError, ValueError):
            np.testing.assert_allclose(a, b)


def assert_close(a: Any, b: Any) -> None:
    """Assert ``a`` equals ``b``, element by element for sequences, approximately for
    numbers (needs pytest)."""
    if is_non_str_seq(a):
        assert len(a) == len(b)
        for item_a, item_b in zip(a, b, strict=True):
            assert_close(item_a, item_b)
    else:
        _assert_equal_values(a, b)


def create_result(dtype: Any, value: Any) -> Any:
    """The value a test expects back for ``value`` of ``dtype`` (bytes read as latin-1)."""
    if isinstance(dtype, (list, tuple)):
        return [create_result(dtype[0], item) for item in value]
    if dtype == DevVarLongStringArray:
        return [create_result(t, v) for t, v in zip((int, str), value, strict=True)]
    if dtype == DevVarDoubleStringArray:
        return [create_result(t, v) for t, v in zip((float, str), value, strict=True)]
    return value.decode("latin-1") if isinstance(value, bytes) else value


def convert_to_type(value: Any, attr_type: Any, expected_type: type) -> Any:
    """``value`` as an ``extract_as`` read would give it (``expected_type``)."""
    if expected_type in (tuple, list):
        return expected_type(value)
    as_array = np.array(value, dtype=FROM_TANGO_TO_NUMPY_TYPE[attr_type])
    if expected_type is np.ndarray:
        return as_array
    if expected_type is bytes:
        return as_array.tobytes()
    if expected_type is bytearray:
        return bytearray(as_array.tobytes())
    if expected_type is str:
        return "".join(chr(byte) for byte in as_array.tobytes())
    return pytest.xfail("Unknown extract_as type")


def _typed_values(request: Any) -> tuple[Any, Any, Callable[[Any], Any]]:
    dtype, values = request.param
    return dtype, values, lambda value: create_result(dtype, value)


def _numpy_typed_values(request: Any) -> tuple[Any, Any, Any, Callable[[Any], Any]]:
    dtype, type_hint, dformat, values = request.param
    return type_hint, dformat, values, lambda value: create_result(dtype, value)


# --- fixtures (same parameters and ids as PyTango's) ---

if pytest is not None:

    def _by_dtype(x: tuple[Any, Any]) -> str:
        return repr_type(x[0])

    def _by_numpy_type(x: list[Any]) -> str:
        return repr_numpy_type(x[0], x[2])

    @pytest.fixture(params=list(DevState.values.values()), ids=str)
    def state(request: Any) -> Any:
        return request.param

    @pytest.fixture(params=list(GENERAL_TYPED_VALUES.items()), ids=_by_dtype)
    def general_typed_values(request: Any) -> Any:
        return _typed_values(request)

    @pytest.fixture(
        params=list({**GENERAL_TYPED_VALUES, **COMMAND_TYPED_VALUES}.items()), ids=_by_dtype
    )
    def command_typed_values(request: Any) -> Any:
        return _typed_values(request)

    @pytest.fixture(
        params=list({**GENERAL_TYPED_VALUES, **IMAGE_TYPED_VALUES}.items()), ids=_by_dtype
    )
    def attribute_typed_values(request: Any) -> Any:
        return _typed_values(request)

    @pytest.fixture(params=NUMPY_GENERAL_TYPING_HINTS, ids=_by_numpy_type)
    def command_numpy_typed_values(request: Any) -> Any:
        return _numpy_typed_values(request)

    @pytest.fixture(
        params=NUMPY_GENERAL_TYPING_HINTS + NUMPY_IMAGES_TYPING_HINTS, ids=_by_numpy_type
    )
    def attribute_numpy_typed_values(request: Any) -> Any:
        return _numpy_typed_values(request)

    @pytest.fixture(params=WRONG_NUMPY_TYPING_HINTS, ids=lambda x: f"{x[-2].__name__}: {x[-1]}")
    def attribute_wrong_numpy_typed(request: Any) -> Any:
        return request.param

    @pytest.fixture(params=list(DEV_ENCODED_DATA.items()), ids=list(DEV_ENCODED_DATA))
    def dev_encoded_values(request: Any) -> Any:
        return request.param

    @pytest.fixture(params=EXTRACT_AS, ids=[f"extract_as.{kind}" for kind, _ in EXTRACT_AS])
    def extract_as(request: Any) -> Any:
        requested_type, expected_type = request.param
        return requested_type, expected_type

    @pytest.fixture(params=BASE_TYPES)
    def base_type(request: Any) -> Any:
        return request.param

    @pytest.fixture(params=list(GreenMode.values.values()), ids=str)
    def green_mode(request: Any) -> Any:
        return request.param

    @pytest.fixture(params=[GreenMode.Synchronous, GreenMode.Asyncio, GreenMode.Gevent], ids=str)
    def server_green_mode(request: Any) -> Any:
        return request.param

    @pytest.fixture(
        params=[AttrDataFormat.SCALAR, AttrDataFormat.SPECTRUM, AttrDataFormat.IMAGE], ids=str
    )
    def attr_data_format(request: Any) -> Any:
        return request.param

    @pytest.fixture(
        params=[
            SerialModel.BY_DEVICE,
            SerialModel.BY_CLASS,
            SerialModel.BY_PROCESS,
            SerialModel.NO_SYNC,
        ],
        ids=str,
    )
    def server_serial_model(request: Any) -> Any:
        return request.param


# --- waiting for a device ---


def wait_for_proxy(
    dev_name: str,
    proxy_class: Any = DeviceProxy,
    retries: int = 600,
    delay: float = 0.02,
) -> Any:
    """A ``proxy_class(dev_name)`` that answered ``ping()`` and ``state()``, retried up to
    ``retries`` times ``delay`` seconds apart (for asyncio pass
    ``partial(tango.asyncio.DeviceProxy, wait=True)``). Raises ``RuntimeError`` when the
    device does not answer in time."""
    last_error = ""
    attempts = 0
    proxy = None
    while attempts < retries:
        attempts += 1
        try:
            if proxy is None:
                proxy = proxy_class(dev_name)
            proxy.ping()
            proxy.state()
            return proxy
        except DevFailed as exc:
            last_error = str(exc)
            time.sleep(delay)
    raise RuntimeError(
        f"Device at {dev_name} did not respond within {attempts * delay:.1f} sec!\n"
        f"Last error: {last_error}."
    )


def wait_for_nodb_proxy_via_pid(
    pid: int,
    host: str,
    dev_name: str,
    proxy_class: Any,
    retries: int = 600,
    delay: float = 0.02,
) -> Any:
    """:func:`wait_for_proxy` for device ``dev_name`` of the no-database server process
    ``pid`` listening at ``host``: its GIOP port is found with
    :func:`tango.test_context.get_server_port_via_pid`, within the same time budget."""
    deadline = time.monotonic() + retries * delay
    port = get_server_port_via_pid(pid, host, retries, delay)
    retries_left = max(1, int((deadline - time.monotonic()) / delay))
    trl = f"tango://{host}:{port}/{dev_name}#dbase=no"
    return wait_for_proxy(trl, proxy_class, retries_left, delay)
