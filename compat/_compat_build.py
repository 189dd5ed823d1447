"""PEP 517 backend of puretango-compat: setuptools' own, preceded by a check that the
environment being installed into has no PyTango (both distributions own ``tango/``)."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - the hooks this backend does not wrap

_REFUSAL = (
    "puretango-compat installs a `tango` package and PyTango is installed in {where}: "
    "the two cannot share one environment. Install puretango-compat in an environment "
    "without PyTango (or `pip uninstall pytango` first)."
)


def _refuse_if_pytango() -> None:
    """Raise if a ``pytango`` distribution sits in the target environment's site-packages.

    pip builds in an isolated environment but with the target's interpreter, so
    ``sys.prefix`` still names the environment the wheel is going to."""
    paths = sysconfig.get_paths(vars={"base": sys.prefix, "platbase": sys.prefix})
    for key in ("purelib", "platlib"):
        site = Path(paths[key])
        if any(site.glob("pytango-*.dist-info")) or any(site.glob("pytango-*.egg-info")):
            raise SystemExit(_REFUSAL.format(where=site))


def prepare_metadata_for_build_wheel(*args, **kwargs):  # type: ignore[no-untyped-def]
    _refuse_if_pytango()
    return _setuptools.prepare_metadata_for_build_wheel(*args, **kwargs)


def build_wheel(*args, **kwargs):  # type: ignore[no-untyped-def]
    _refuse_if_pytango()
    return _setuptools.build_wheel(*args, **kwargs)


def prepare_metadata_for_build_editable(*args, **kwargs):  # type: ignore[no-untyped-def]
    _refuse_if_pytango()
    return _setuptools.prepare_metadata_for_build_editable(*args, **kwargs)


def build_editable(*args, **kwargs):  # type: ignore[no-untyped-def]
    _refuse_if_pytango()
    return _setuptools.build_editable(*args, **kwargs)
