"""Project gates that run with the tests: ruff and mypy are clean, the code is formatted,
modules stay small, and the layers import only downwards.

The layering (each line may import from the lines above it, never below)::

    giop        sans-I/O CORBA: no socket, thread, event loop or clock
    idl         the Tango IDL, also sans-I/O
    _errors     DevFailed and friends
    _pyvalues, _pipevalues, _attrconfig, _dbformat, _filedb, _warnonce, _registry   shared
                by both sides: Python values <-> IDL values (pipe blobs too), an attribute's
                configuration, the Database's array layouts, the file database's format,
                warnings given once, late-bound services (set by the package root through
                _wiring)
    client | server   side by side: neither imports the other
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "puretango"
CHECKED_TREES = ("puretango", "tests", "bench", "tools")
MAX_MODULE_LINES = 700

_IO_AND_CLOCKS = (
    "socket",
    "selectors",
    "select",
    "threading",
    "asyncio",
    "gevent",
    "time",
    "zmq",
)
_SHARED = (
    "puretango._pyvalues",
    "puretango._pipevalues",
    "puretango._attrconfig",
    "puretango._dbformat",
    "puretango._filedb",
    "puretango._warnonce",
    "puretango._registry",
    "puretango.events",
)
_ABOVE_IDL = ("puretango._errors",) + _SHARED + ("puretango.client", "puretango.server")

#: The one list of banned imports: package folder or module -> modules it must not import
#: (a name bans the module and everything below it).
BANNED_IMPORTS: dict[str, tuple[str, ...]] = {
    "puretango/giop": _IO_AND_CLOCKS + ("puretango.idl",) + _ABOVE_IDL,
    "puretango/idl": _IO_AND_CLOCKS + _ABOVE_IDL,
    "puretango/_errors": _SHARED + ("puretango.client", "puretango.server"),
    "puretango/_pyvalues": ("puretango.client", "puretango.server"),
    "puretango/_pipevalues": ("puretango.client", "puretango.server"),
    "puretango/_attrconfig": ("puretango.client", "puretango.server"),
    "puretango/_dbformat": ("puretango.client", "puretango.server"),
    "puretango/_filedb": ("puretango.client", "puretango.server"),
    "puretango/_warnonce": ("puretango",),  # imports nothing of the package
    "puretango/_registry": ("puretango",),  # imports nothing of the package
    "puretango/events": _IO_AND_CLOCKS + ("puretango.client", "puretango.server"),
    "puretango/databaseds": ("puretango.client",),
    "puretango/server": ("puretango.client",),
    "puretango/client": ("puretango.server",),
    # the web view is a client of any Tango system: never a device server or the Database
    "puretango/web": ("puretango.server", "puretango.databaseds", "puretango.tangotest"),
}


def _tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(path).exists():
        pytest.fail(f"{name} is a test dependency and must be installed")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_clean() -> None:
    result = _run(_tool("ruff"), "check", "--output-format", "concise", *CHECKED_TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_clean() -> None:
    result = _run(_tool("ruff"), "format", "--check", *CHECKED_TREES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean() -> None:
    """``mypy`` with the settings of pyproject.toml (check_untyped_defs) finds nothing."""
    result = _run(_tool("mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_modules_stay_small() -> None:
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_every_module_says_what_it_owns() -> None:
    undocumented = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if path.stat().st_size and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert undocumented == []


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports, at any depth, relative imports resolved."""
    package = _module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # ``from . import client`` imports a module too
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _banned_for(path: Path, root: Path = ROOT) -> tuple[str, ...]:
    relative = path.relative_to(root).as_posix()
    return tuple(
        banned
        for where, names in BANNED_IMPORTS.items()
        if relative in (where, where + ".py") or relative.startswith(where + "/")
        for banned in names
    )


def test_imports_follow_the_layers() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        banned = _banned_for(path)
        for module in sorted(imported_modules(path)):
            if any(module == name or module.startswith(name + ".") for name in banned):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_import_gate_can_fail(tmp_path: Path) -> None:
    """The resolver sees relative, absolute and nested imports (so the gate is not vacuous)."""
    fake = tmp_path / "puretango" / "server" / "_probe.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from ..client import _proxy\n    import socket\n")
    found = imported_modules(fake, tmp_path)
    assert {"puretango.client", "puretango.client._proxy", "socket"} <= found
    assert "puretango.client" in _banned_for(fake, tmp_path)
