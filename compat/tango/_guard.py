"""The refusal to run beside PyTango: both distributions own the ``tango`` package, so
one installed over the other leaves a mix of their files. Checked on ``import tango``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["refuse_if_pytango"]

_MESSAGE = (
    "this `tango` package is puretango's drop-in (distribution puretango-compat), but "
    "PyTango is installed in the same environment ({evidence}). The two cannot share "
    "an environment: use a virtual environment with only one of them "
    "(`pip uninstall puretango-compat` and reinstall pytango to go back to PyTango)."
)


def _pytango_evidence() -> str | None:
    """What shows PyTango here: its compiled module beside us, or its distribution's
    metadata on ``sys.path`` (a directory listing each: ``importlib.metadata`` would cost
    more than the rest of ``import tango``)."""
    here = Path(__file__).parent
    for pattern in ("_tango*.so", "_tango*.pyd"):
        found = next(here.glob(pattern), None)
        if found is not None:
            return f"its extension module {found}"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            lowered = name.lower()
            if lowered.startswith("pytango-") and lowered.endswith((".dist-info", ".egg-info")):
                return f"distribution {name} in {entry}"
    return None


def refuse_if_pytango() -> None:
    """Raise ImportError, with what to do, when PyTango is installed alongside."""
    evidence = _pytango_evidence()
    if evidence is not None:
        raise ImportError(_MESSAGE.format(evidence=evidence))
