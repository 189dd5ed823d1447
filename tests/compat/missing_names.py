"""The PyTango names the drop-in ``tango`` package (compat/) does not have yet, per module.

``python tests/compat/missing_names.py`` prints them. The list is data kept honest by
``tests/compat/test_compat.py``: it must equal PyTango's public names (top-level ``dir``
after importing the modules below; ``__all__`` of the submodules) minus the drop-in's, so a
name added to the drop-in must leave this list in the same commit.
"""

from __future__ import annotations

#: the modules compared, each imported before any ``dir`` is taken
MODULES = (
    "tango",
    "tango.server",
    "tango.test_context",
    "tango.test_utils",
    "tango.utils",
    "tango.gevent",
    "tango.futures",
    "tango.asyncio",
)

MISSING: dict[str, list[str]] = {
    "tango": [
        "AttrProperty",
        "AutoTangoAllowThreads",
        "AutoTangoMonitor",
        "Connection",
        "DbServerData",
        "FMT_UNKNOWN",
        "Interceptors",
        "Level",
        "Logger",
        "Logging",
        "PollDevice",
        "Release",
        "StdNamedDevFailedVector",
        "alarm_flags",
        "attr_data",
        "attribute_proxy",
        "auto_monitor",
        "base_types",
        "class_factory",
        "class_list",
        "codec",
        "connection",
        "constructed_class",
        "cpp_class_list",
        "db",
        "delete_class_list",
        "device_attribute",
        "device_class",
        "device_proxy",
        "encoded_attribute",
        "get_class",
        "get_classes",
        "get_constructed_class",
        "get_constructed_classes",
        "get_cpp_class",
        "get_cpp_classes",
        "globals",
        "group",
        "group_reply",
        "pytango_init",
        "raise_asynch_exception",
        "release",
        "tango_object",
        "telemetry",
        "time_val",
    ],
    "tango.server": [
        "DeviceMeta",
        "Server",
    ],
    "tango.utils": [
        "CaselessDict",
        "CaselessList",
        "dir2",
        "document_method",
        "document_static_method",
        "get_telemetry_tracer_provider_factory",
        "parameter_2_dbdata",
        "set_telemetry_tracer_provider_factory",
    ],
}

#: a snippet printing, as JSON, the public names per module of whichever ``tango`` it imports
NAMES_SNIPPET = f"""
import importlib, json
modules = {MODULES!r}
loaded = {{name: importlib.import_module(name) for name in modules}}
names = {{}}
for name, module in loaded.items():
    listed = dir(module) if name == "tango" else getattr(module, "__all__", dir(module))
    names[name] = sorted(n for n in listed if not n.startswith("_"))
print(json.dumps(names))
"""


def main() -> None:
    """Print the missing names, one module a paragraph."""
    for module, names in MISSING.items():
        print(f"{module} ({len(names)} missing):")
        print("  " + " ".join(names))


if __name__ == "__main__":
    main()
