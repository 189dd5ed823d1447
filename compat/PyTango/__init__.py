"""``PyTango``, PyTango's old package name, kept as an alias of ``tango`` (as PyTango
does): ``import PyTango`` gives the ``tango`` module itself, and ``PyTango.<sub>`` its
submodules already imported."""

import sys

import tango

for _name, _module in list(sys.modules.items()):
    if _name.startswith("tango."):
        sys.modules["PyTango" + _name[len("tango") :]] = _module
sys.modules["PyTango._PyTango"] = tango._tango
sys.modules[__name__] = tango
