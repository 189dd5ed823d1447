"""The test environment of the drop-in: a virtual environment with puretango (editable,
this worktree), the drop-in from ``compat/`` (a real, non-editable install) and gevent,
and no PyTango; ``CompatVenv`` runs snippets in it."""

from __future__ import annotations

import json
import shutil
import subprocess
import venv
from pathlib import Path

from compat.missing_names import NAMES_SNIPPET

ROOT = Path(__file__).resolve().parents[2]


class CompatVenv:
    """The session's virtual environment: ``python``, ``bin`` and ``run(code)``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bin = path / "bin"
        self.python = self.bin / "python"

    def run(self, code: str, timeout: float = 60) -> str:
        """Run ``code`` in the environment's interpreter; return its stdout, raise on failure."""
        done = subprocess.run(
            [str(self.python), "-c", code],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_clean_env(),
        )
        if done.returncode != 0:
            raise AssertionError(f"snippet failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    def public_names(self) -> dict[str, list[str]]:
        """The drop-in's public names per module (as ``missing_names.NAMES_SNIPPET`` lists them)."""
        return json.loads(self.run(NAMES_SNIPPET))


def _clean_env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TANGO_HOST")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def create_compat_venv(base: Path) -> CompatVenv:
    """Create the environment under ``base`` (about 15 s)."""
    source = base / "compat-src"
    shutil.copytree(
        ROOT / "compat",
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"),
    )
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    made = CompatVenv(env_dir)
    install = [str(made.python), "-m", "pip", "install", "-q"]
    done = subprocess.run(
        [*install, "-e", str(ROOT), str(source), "gevent"],
        capture_output=True,
        text=True,
        timeout=600,
        env=_clean_env(),
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip install failed:\n{done.stdout}{done.stderr}")
    listed = subprocess.run([str(made.python), "-m", "pip", "list"], capture_output=True, text=True)
    if "pytango" in listed.stdout.lower():
        raise RuntimeError("PyTango came into the drop-in's test environment")
    return made
