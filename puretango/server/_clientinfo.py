"""Who sent a request: :class:`ClientInfo`, the identity a client's ``ClntIdent`` gives
(process id and language) and its address, as the black box and device locking use it.

Records made by :meth:`ClientInfo.cached` are shared between the requests of one client
(they are never changed once made).
"""

from __future__ import annotations

from typing import Any

from ..idl import UnionValue
from ..idl._enums import LockerLanguage

__all__ = ["ClientInfo"]


class ClientInfo:
    """Who sent a request: the identity in its ClntIdent (if any) and its address."""

    __slots__ = ("pid", "language", "host")

    def __init__(
        self, pid: int | None = None, language: LockerLanguage | None = None, host: str = ""
    ) -> None:
        self.pid, self.language, self.host = pid, language, host

    @classmethod
    def from_ident(cls, ident: UnionValue, host: str) -> ClientInfo:
        if ident.disc in (LockerLanguage.CPP, LockerLanguage.CPP_6):
            pid = ident.value if ident.disc == LockerLanguage.CPP else ident.value.cpp_clnt
            return cls(int(pid), LockerLanguage(ident.disc), host)
        return cls(None, LockerLanguage(ident.disc), host)

    @classmethod
    def cached(cls, ident: UnionValue, host: str) -> ClientInfo:
        """:meth:`from_ident`, one shared (never changed) record per C++/Python client."""
        disc = ident.disc
        if disc == LockerLanguage.CPP:
            key = (disc, ident.value, host)
        elif disc == LockerLanguage.CPP_6:
            key = (disc, ident.value.cpp_clnt, host)
        else:
            return cls.from_ident(ident, host)
        client = _KNOWN_CLIENTS.get(key)
        if client is None:
            if len(_KNOWN_CLIENTS) > 1024:
                _KNOWN_CLIENTS.clear()
            client = _KNOWN_CLIENTS[key] = cls.from_ident(ident, host)
        return client

    def describe(self) -> str:
        if self.pid is not None:
            return f"requested from {self.host} (CPP/Python client with PID {self.pid})"
        if self.language is not None:
            return f"requested from {self.host} (Java client)"
        return f"requested from {self.host}"


#: (language, pid, host) -> the ClientInfo of a C++/Python client (see :meth:`ClientInfo.cached`)
_KNOWN_CLIENTS: dict[tuple[Any, Any, str], ClientInfo] = {}
