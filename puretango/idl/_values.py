"""IDL structs that are also public PyTango classes: ``DevError`` and ``TimeVal``.

They are hand-written (PyTango's repr/str and methods) but their wire layout is still
declared once, in :mod:`._tango`, which decodes straight into these classes.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ._enums import ErrSeverity

__all__ = ["DevError", "TimeVal"]


class DevError:
    """One entry of a Tango error stack."""

    __slots__ = ("reason", "severity", "desc", "origin")

    def __init__(
        self,
        reason: str = "",
        severity: ErrSeverity | int = ErrSeverity.WARN,
        desc: str = "",
        origin: str = "",
    ) -> None:
        self.reason = reason
        self.severity = ErrSeverity(severity)
        self.desc = desc
        self.origin = origin

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DevError):
            return NotImplemented
        return (self.reason, int(self.severity), self.desc, self.origin) == (
            other.reason,
            int(other.severity),
            other.desc,
            other.origin,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"DevError(desc = {self.desc!r}, origin = {self.origin!r}, "
            f"reason = {self.reason!r}, severity = {ErrSeverity(self.severity)!r})"
        )

    def __str__(self) -> str:
        return self.pretty()

    def pretty(self, indent: str = "") -> str:
        """PyTango's multi-line form, indented by ``indent``."""
        inner = indent + "    "
        return (
            f"DevError[\n{inner}desc = {self.desc}\n{inner}origin = {self.origin}\n"
            f"{inner}reason = {self.reason}\n"
            f"{inner}severity = {ErrSeverity(self.severity).name}\n{indent}]"
        )


class TimeVal:
    """A Tango time stamp: seconds, microseconds and nanoseconds since the epoch."""

    __slots__ = ("tv_sec", "tv_usec", "tv_nsec")

    def __init__(self, tv_sec: Any = 0, tv_usec: int = 0, tv_nsec: int = 0) -> None:
        if isinstance(tv_sec, float):
            # as PyTango: microseconds and nanoseconds truncated from the fraction
            sec = int(tv_sec // 1)
            usec = (tv_sec - sec) * 1e6
            self.tv_sec, self.tv_usec = sec, int(usec)
            self.tv_nsec = int((usec - self.tv_usec) * 1e3)
        elif isinstance(tv_sec, _dt.datetime):
            usec = tv_sec.microsecond
            self.tv_sec, self.tv_usec, self.tv_nsec = (
                round(tv_sec.timestamp() - usec * 1e-6),
                usec,
                0,
            )
        else:
            self.tv_sec, self.tv_usec, self.tv_nsec = int(tv_sec), int(tv_usec), int(tv_nsec)

    @staticmethod
    def now() -> TimeVal:
        return TimeVal(_dt.datetime.now().timestamp())

    @staticmethod
    def fromtimestamp(ts: float) -> TimeVal:
        return TimeVal(float(ts))

    @staticmethod
    def fromdatetime(dt: _dt.datetime) -> TimeVal:
        return TimeVal(dt)

    def totime(self) -> float:
        return self.tv_sec + self.tv_usec * 1e-6 + self.tv_nsec * 1e-9

    def todatetime(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.tv_sec) + _dt.timedelta(microseconds=self.tv_usec)

    def isoformat(self, sep: str = "T") -> str:
        return self.todatetime().isoformat(sep)

    def strftime(self, fmt: str) -> str:
        return self.todatetime().strftime(fmt)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimeVal):
            return NotImplemented
        return (self.tv_sec, self.tv_usec, self.tv_nsec) == (
            other.tv_sec,
            other.tv_usec,
            other.tv_nsec,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"TimeVal(tv_nsec = {self.tv_nsec}, tv_sec = {self.tv_sec}, tv_usec = {self.tv_usec})"
        )

    def __str__(self) -> str:
        return self.todatetime().isoformat(" ", timespec="microseconds")
