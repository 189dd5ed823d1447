"""Interoperable Object References (IORs) and ``corbaloc`` URLs.

Rule: an object key is opaque bytes. Only the IIOP profile (tag 0) is understood;
other profiles and unknown tagged components are kept as bytes and re-emitted
unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_from_bytes, unquote_to_bytes

from ._cdr import CdrDecoder, CdrEncoder
from ._errors import MarshalError, RemoteProtocolError

__all__ = [
    "TAG_INTERNET_IOP",
    "TAG_ORB_TYPE",
    "TAG_CODE_SETS",
    "TAG_ALTERNATE_IIOP_ADDRESS",
    "TaggedProfile",
    "TaggedComponent",
    "IIOPProfile",
    "IOR",
    "Corbaloc",
    "parse_corbaloc",
    "object_key_of_profile",
    "DEFAULT_COMPONENTS",
]

TAG_INTERNET_IOP = 0
TAG_ORB_TYPE = 0
TAG_CODE_SETS = 1
TAG_ALTERNATE_IIOP_ADDRESS = 3


@dataclass(frozen=True, slots=True)
class TaggedProfile:
    tag: int
    data: bytes


@dataclass(frozen=True, slots=True)
class TaggedComponent:
    tag: int
    data: bytes


def _code_sets_component() -> TaggedComponent:
    enc = CdrEncoder(True, 0)
    enc.write_boolean(True)
    # char: native ISO-8859-1, one conversion code set UTF-8
    enc.write_ulong(0x00010001)
    enc.write_ulong(1)
    enc.write_ulong(0x05010001)
    # wchar: native UTF-16, one conversion code set UTF-16
    enc.write_ulong(0x00010109)
    enc.write_ulong(1)
    enc.write_ulong(0x00010109)
    return TaggedComponent(TAG_CODE_SETS, bytes(enc.buf))


#: The components a Tango server publishes: the code sets omniORB advertises.
DEFAULT_COMPONENTS: tuple[TaggedComponent, ...] = (_code_sets_component(),)


@dataclass(frozen=True, slots=True)
class IIOPProfile:
    """The body of a ``TAG_INTERNET_IOP`` profile."""

    host: str
    port: int
    object_key: bytes
    major: int = 1
    minor: int = 2
    components: tuple[TaggedComponent, ...] = ()

    def encode(self, little: bool = True) -> TaggedProfile:
        def build(enc: CdrEncoder) -> None:
            enc.write_octet(self.major)
            enc.write_octet(self.minor)
            enc.write_string(self.host)
            enc.write_ushort(self.port)
            enc.write_octets(self.object_key)
            if self.minor >= 1:
                enc.write_ulong(len(self.components))
                for comp in self.components:
                    enc.write_ulong(comp.tag)
                    enc.write_octets(comp.data)

        outer = CdrEncoder(little, 0)
        outer.write_encapsulation(build)
        return TaggedProfile(TAG_INTERNET_IOP, bytes(outer.buf[4:]))

    @classmethod
    def decode(cls, profile: TaggedProfile) -> IIOPProfile:
        if profile.tag != TAG_INTERNET_IOP:
            raise MarshalError(f"profile tag {profile.tag} is not IIOP")
        if not profile.data:
            raise MarshalError("empty IIOP profile")
        data = profile.data
        dec = CdrDecoder(data, data[0] & 1 == 1, pos=1, base=0)
        major = dec.read_octet()
        minor = dec.read_octet()
        host = dec.read_string()
        port = dec.read_ushort()
        key = dec.read_octets()
        comps: tuple[TaggedComponent, ...] = ()
        if minor >= 1 and not dec.at_end():
            n = dec.read_count(8)
            comps = tuple(TaggedComponent(dec.read_ulong(), dec.read_octets()) for _ in range(n))
        return cls(host, port, key, major, minor, comps)

    def alternate_addresses(self) -> list[tuple[str, int]]:
        """Addresses from ``TAG_ALTERNATE_IIOP_ADDRESS`` components."""
        result = []
        for comp in self.components:
            if comp.tag == TAG_ALTERNATE_IIOP_ADDRESS and comp.data:
                dec = CdrDecoder(comp.data, comp.data[0] & 1 == 1, pos=1)
                result.append((dec.read_string(), dec.read_ushort()))
        return result


def object_key_of_profile(profile: TaggedProfile) -> bytes:
    return IIOPProfile.decode(profile).object_key


@dataclass(frozen=True, slots=True)
class IOR:
    type_id: str
    profiles: tuple[TaggedProfile, ...]

    @classmethod
    def for_object(
        cls,
        type_id: str,
        host: str,
        port: int,
        object_key: bytes,
        components: tuple[TaggedComponent, ...] = DEFAULT_COMPONENTS,
    ) -> IOR:
        profile = IIOPProfile(host, port, object_key, 1, 2, components)
        return cls(type_id, (profile.encode(),))

    def iiop(self) -> IIOPProfile:
        """The first IIOP profile."""
        for p in self.profiles:
            if p.tag == TAG_INTERNET_IOP:
                return IIOPProfile.decode(p)
        raise RemoteProtocolError("IOR has no IIOP profile")

    def encode_into(self, enc: CdrEncoder) -> None:
        enc.write_string(self.type_id)
        enc.write_ulong(len(self.profiles))
        for p in self.profiles:
            enc.write_ulong(p.tag)
            enc.write_octets(p.data)

    @classmethod
    def decode_from(cls, dec: CdrDecoder) -> IOR:
        type_id = dec.read_string()
        n = dec.read_count(8)
        profiles = tuple(TaggedProfile(dec.read_ulong(), dec.read_octets()) for _ in range(n))
        return cls(type_id, profiles)

    def to_string(self) -> str:
        enc = CdrEncoder(True, 0)
        enc.write_boolean(True)
        self.encode_into(enc)
        return "IOR:" + enc.buf.hex()

    @classmethod
    def from_string(cls, text: str) -> IOR:
        text = text.strip()
        if text[:4].upper() != "IOR:":
            raise RemoteProtocolError(f"not a stringified IOR: {text[:20]!r}")
        try:
            data = bytes.fromhex(text[4:])
        except ValueError:
            raise RemoteProtocolError("IOR is not valid hexadecimal") from None
        if not data:
            raise MarshalError("empty IOR")
        dec = CdrDecoder(data, data[0] & 1 == 1, pos=1)
        return cls.decode_from(dec)


@dataclass(frozen=True, slots=True)
class Corbaloc:
    """A parsed ``corbaloc:`` URL: addresses (host, port, GIOP minor) and key."""

    addresses: tuple[tuple[str, int, int], ...]
    object_key: bytes

    def to_string(self) -> str:
        parts = []
        for host, port, minor in self.addresses:
            ver = f"1.{minor}@" if minor != 0 else ""
            if ":" in host:  # IPv6 literal
                host = f"[{host}]"
            parts.append(f"iiop:{ver}{host}:{port}")
        return (
            "corbaloc:"
            + ",".join(parts)
            + "/"
            + quote_from_bytes(self.object_key, safe="/-_.!~*'()")
        )


_ADDR = re.compile(r"^(?:iiop)?:(?:(\d+)\.(\d+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?$")


def parse_corbaloc(url: str) -> Corbaloc:
    """Parse ``corbaloc:iiop:[1.x@]host[:port][,...]/key``."""
    if not url.lower().startswith("corbaloc:"):
        raise RemoteProtocolError(f"not a corbaloc URL: {url!r}")
    rest = url[9:]
    addr_part, sep, key = rest.partition("/")
    if not sep:
        raise RemoteProtocolError(f"corbaloc URL has no object key: {url!r}")
    addresses = []
    for item in addr_part.split(","):
        m = _ADDR.match(item)
        if not m:
            raise RemoteProtocolError(f"bad corbaloc address {item!r}")
        major, minor, host, port = m.groups()
        if major not in (None, "1"):
            raise RemoteProtocolError(f"unsupported IIOP version in {item!r}")
        addresses.append(
            (host.strip("[]"), int(port) if port else 2809, int(minor) if minor else 0)
        )
    return Corbaloc(tuple(addresses), unquote_to_bytes(key))
