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
        "AccessControlType",
        "ArchiveEventProp",
        "Attr",
        "AttrProperty",
        "AttrSerialModel",
        "AttributeAlarm",
        "AttributeConfig",
        "AttributeConfig_2",
        "AttributeConfig_3",
        "AttributeConfig_5",
        "AttributeInfoList",
        "AttributeInfoListEx",
        "AutoTangoAllowThreads",
        "AutoTangoMonitor",
        "ChangeEventProp",
        "ClientAddr",
        "CommandInfoList",
        "Connection",
        "DbDevExportInfos",
        "DbDevImportInfos",
        "DbDevInfos",
        "DbHistoryList",
        "DbServerData",
        "DebugIt",
        "DevCommandInfo",
        "DeviceAttributeConfig",
        "DeviceClass",
        "DeviceData",
        "DeviceDataHistoryList",
        "DeviceDataList",
        "DeviceImpl",
        "Device_2Impl",
        "Device_3Impl",
        "Device_4Impl",
        "Device_5Impl",
        "Device_6Impl",
        "EnsureOmniThread",
        "ErrorIt",
        "EventProperties",
        "FMT_UNKNOWN",
        "FatalIt",
        "ImageAttr",
        "InfoIt",
        "Interceptors",
        "KeepAliveCmdCode",
        "LatestDeviceImpl",
        "Level",
        "LockCmdCode",
        "LockerInfo",
        "LogIt",
        "LogLevel",
        "LogTarget",
        "Logger",
        "Logging",
        "MessBoxType",
        "PeriodicEventProp",
        "PollCmdCode",
        "PollDevice",
        "PollObjType",
        "PyTangoUserWarning",
        "Release",
        "SpectrumAttr",
        "StdDoubleVector",
        "StdLongVector",
        "StdNamedDevFailedVector",
        "StdStringVector",
        "SubDevDiag",
        "TangoStream",
        "TimedCmdData",
        "Util",
        "WarnIt",
        "alarm_flags",
        "attr_data",
        "attribute_proxy",
        "auto_monitor",
        "base_types",
        "class_factory",
        "class_list",
        "codec",
        "connection",
        "constants",
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
        "is_omni_thread",
        "log4tango",
        "pytango_init",
        "pytango_pprint",
        "raise_asynch_exception",
        "release",
        "tango_object",
        "telemetry",
        "time_val",
    ],
    "tango.server": [
        "DeviceMeta",
        "LatestDeviceImpl",
        "Server",
    ],
    "tango.utils": [
        "AsyncEventCallback",
        "CaselessDict",
        "CaselessList",
        "InvalidTangoHostTrlError",
        "PyTangoThread",
        "PyTangoThreadPoolExecutor",
        "StdStringVector_2_seq",
        "TO_TANGO_TYPE",
        "dir2",
        "document_method",
        "document_static_method",
        "get_telemetry_tracer_provider_factory",
        "parameter_2_dbdata",
        "parse_type_hint",
        "seq_2_StdStringVector",
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
