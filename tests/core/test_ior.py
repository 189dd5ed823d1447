"""IORs and corbaloc URLs (puretango.giop._ior)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango.giop import (
    DEFAULT_COMPONENTS,
    IOR,
    CdrDecoder,
    CdrEncoder,
    Corbaloc,
    IIOPProfile,
    MarshalError,
    RemoteProtocolError,
    TaggedComponent,
    TaggedProfile,
    parse_corbaloc,
)
from puretango.giop._ior import TAG_ALTERNATE_IIOP_ADDRESS, TAG_CODE_SETS, TAG_ORB_TYPE

from .strategies import SETTINGS, latin1

# protocol.md §2.1: the IOR a PyTango 10.3.1 device exported (test/dev/1 on 127.0.0.1:10201)
REAL_IOR = "IOR:" + "".join(
    """
    01000000 17000000 49444c3a54616e676f2f4465766963655f363a312e3000 00
    01000000
    00000000 60000000
      01 01 02 00
      0a000000 3132372e302e302e3100
      d927
      0e000000 fe11cc066b0000353c0000000000
      0000
      02000000
        00000000 08000000 01000000 00545441
        01000000 1c000000 01000000
                 01000100 01000000 01000105
                 09010100 01000000 09010100
    """.split()
)
KEY = bytes.fromhex("fe11cc066b0000353c0000000000")


def test_real_ior_parses():
    ior = IOR.from_string(REAL_IOR)
    assert ior.type_id == "IDL:Tango/Device_6:1.0"
    assert len(ior.profiles) == 1 and ior.profiles[0].tag == 0 and len(ior.profiles[0].data) == 96
    prof = ior.iiop()
    assert (prof.host, prof.port, prof.object_key) == ("127.0.0.1", 10201, KEY)
    assert (prof.major, prof.minor) == (1, 2) and len(prof.object_key) == 14
    assert [c.tag for c in prof.components] == [TAG_ORB_TYPE, TAG_CODE_SETS]
    orb = CdrDecoder(prof.components[0].data, True, pos=1)
    assert orb.read_ulong() == 0x41545400  # omniORB
    assert prof.components[1] == DEFAULT_COMPONENTS[0]  # we publish exactly omniORB's code sets
    assert ior.to_string() == REAL_IOR  # and re-encode it byte for byte
    assert IIOPProfile.decode(ior.profiles[0]).encode() == ior.profiles[0]


def test_ior_string_is_case_and_whitespace_tolerant():
    assert IOR.from_string("  ior:" + REAL_IOR[4:].upper() + "\n") == IOR.from_string(REAL_IOR)


def test_for_object_defaults():
    ior = IOR.for_object("IDL:Tango/Device_6:1.0", "10.0.0.1", 10000, b"a/b/c")
    prof = ior.iiop()
    assert (prof.host, prof.port, prof.object_key, prof.minor) == ("10.0.0.1", 10000, b"a/b/c", 2)
    assert prof.components == DEFAULT_COMPONENTS
    assert IOR.from_string(ior.to_string()) == ior


hosts = st.one_of(
    st.from_regex(r"[a-z][a-z0-9.-]{0,20}", fullmatch=True),
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t))),
)
ports = st.integers(0, 65535)
components = st.lists(
    st.builds(TaggedComponent, st.integers(0, 2**32 - 1), st.binary(max_size=12)), max_size=3
)
profiles = st.builds(
    lambda host, port, key, minor, comps: IIOPProfile(
        host, port, key, 1, minor, tuple(comps) if minor else ()
    ),
    hosts,
    ports,
    st.binary(max_size=20),
    st.integers(0, 2),
    components,
)


@SETTINGS
@given(
    type_id=latin1,
    iiop=st.lists(st.tuples(profiles, st.booleans()), min_size=1, max_size=3),
    other=st.lists(
        st.builds(TaggedProfile, st.integers(1, 2**32 - 1), st.binary(max_size=10)), max_size=2
    ),
)
def test_ior_roundtrip(type_id, iiop, other):
    encoded = tuple(p.encode(little) for p, little in iiop)
    ior = IOR(type_id, encoded + tuple(other))  # unknown profiles are kept as bytes
    text = ior.to_string()
    assert text.startswith("IOR:") and text[4:] == text[4:].lower()
    back = IOR.from_string(text)
    assert back == ior
    assert [IIOPProfile.decode(p) for p in back.profiles[: len(iiop)]] == [p for p, _ in iiop]
    assert back.iiop() == iiop[0][0]
    # and inside a CDR stream (as in LOCATION_FORWARD bodies) at any alignment
    for base in range(4):
        enc = CdrEncoder(False, base)
        ior.encode_into(enc)
        dec = CdrDecoder(enc.getvalue(), False, base=base)
        assert IOR.decode_from(dec) == ior and dec.at_end()


def test_alternate_addresses():
    def addr(host, port):
        enc = CdrEncoder(False)
        enc.write_boolean(False)
        enc.write_string(host)
        enc.write_ushort(port)
        return TaggedComponent(TAG_ALTERNATE_IIOP_ADDRESS, enc.getvalue())

    prof = IIOPProfile(
        "h", 1, b"k", components=(DEFAULT_COMPONENTS[0], addr("10.0.0.2", 20000), addr("h3", 3))
    )
    assert IIOPProfile.decode(prof.encode()).alternate_addresses() == [
        ("10.0.0.2", 20000),
        ("h3", 3),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "IOR",
        "IOR:",
        "IOR:zz",
        "IOR:0",
        "corbaloc::h:1/k",
        "IOR:01000000",
        "IOR:01000000ffffff7f",
    ],
)
def test_bad_ior_strings(text):
    with pytest.raises(RemoteProtocolError):
        IOR.from_string(text)


def test_ior_without_iiop_profile():
    with pytest.raises(RemoteProtocolError):
        IOR("IDL:x:1.0", (TaggedProfile(1, b"\x01"),)).iiop()
    with pytest.raises(MarshalError):
        IIOPProfile.decode(TaggedProfile(0, b""))
    with pytest.raises(MarshalError):
        IIOPProfile.decode(TaggedProfile(1, IIOPProfile("h", 1, b"k").encode().data))


# -- corbaloc ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "addresses", "key"),
    [
        ("corbaloc:iiop:h:10000/database", (("h", 10000, 0),), b"database"),
        ("corbaloc::h:10000/a/b/c", (("h", 10000, 0),), b"a/b/c"),
        ("corbaloc:iiop:1.2@h1:1,iiop:h2:2/key", (("h1", 1, 2), ("h2", 2, 0)), b"key"),
        (
            "corbaloc:iiop:1.2@h1:1,iiop:1.2@h2:2/database",
            (("h1", 1, 2), ("h2", 2, 2)),
            b"database",
        ),
        ("corbaloc:iiop:h/k", (("h", 2809, 0),), b"k"),  # default port
        ("CORBALOC:iiop:1.1@127.0.0.1:5/k", (("127.0.0.1", 5, 1),), b"k"),
        ("corbaloc:iiop:[::1]:10000/k", (("::1", 10000, 0),), b"k"),
        ("corbaloc:iiop:h:1/dserver%2Ftestdev/test", (("h", 1, 0),), b"dserver/testdev/test"),
        ("corbaloc:iiop:h:1/%fe%11%CC%00a%20b", (("h", 1, 0),), b"\xfe\x11\xcc\x00a b"),
    ],
)
def test_parse_corbaloc(url, addresses, key):
    loc = parse_corbaloc(url)
    assert loc == Corbaloc(addresses, key)
    assert parse_corbaloc(loc.to_string()) == loc


def test_format_corbaloc():
    assert (
        Corbaloc((("h1", 1, 2), ("h2", 2, 0)), b"key").to_string()
        == "corbaloc:iiop:1.2@h1:1,iiop:h2:2/key"
    )
    assert Corbaloc((("h", 1, 0),), b"a/b/c").to_string() == "corbaloc:iiop:h:1/a/b/c"
    assert Corbaloc((("h", 1, 0),), b"\xfe\x00 %").to_string() == "corbaloc:iiop:h:1/%FE%00%20%25"
    # regression: IPv6 literals were written without brackets and could not be parsed back
    assert Corbaloc((("::1", 1, 2),), b"k").to_string() == "corbaloc:iiop:1.2@[::1]:1/k"


ipv6 = st.lists(st.from_regex(r"[0-9a-f]{1,4}", fullmatch=True), min_size=3, max_size=8).map(
    ":".join
)


@SETTINGS
@given(
    addresses=st.lists(
        st.tuples(st.one_of(hosts, ipv6), ports, st.integers(0, 2)), min_size=1, max_size=3
    ),
    key=st.binary(max_size=24),
)
def test_corbaloc_roundtrip(addresses, key):
    loc = Corbaloc(tuple(addresses), key)
    assert parse_corbaloc(loc.to_string()) == loc


@pytest.mark.parametrize(
    "url",
    [
        "iiop:h:1/k",
        "corbaloc:iiop:h:1",
        "corbaloc:rir:h:1/k",
        "corbaloc:iiop:2.0@h:1/k",
        "corbaloc:iiop:h:x/k",
        "corbaloc:/k",
        "corbaloc:iiop:h:1,/k",
    ],
)
def test_bad_corbaloc(url):
    with pytest.raises(RemoteProtocolError):
        parse_corbaloc(url)
