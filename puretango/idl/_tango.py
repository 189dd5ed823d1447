"""The Tango IDL (version 6, with the older interfaces a client must still speak),
declared once as data. Field order is wire order, as in the ``tango.idl`` file of the
tango-idl project (the public definition of the Tango interfaces).
"""

from __future__ import annotations

from ._enums import (
    AttrDataFormat,
    AttributeDataType,
    AttrQuality,
    AttrWriteType,
    DevSource,
    DevState,
    DispLevel,
    ErrSeverity,
    LockerLanguage,
    PipeWriteType,
    TraceContextFormat,
)
from ._types import (
    ANY,
    BOOLEAN,
    DOUBLE,
    FLOAT,
    LONG,
    LONGLONG,
    OCTET,
    SHORT,
    STRING,
    ULONG,
    ULONGLONG,
    USHORT,
    Alias,
    Arr,
    Enum,
    Operation,
    Seq,
    Struct,
    Union,
)
from ._values import DevError as _DevErrorClass
from ._values import TimeVal as _TimeValClass

# -- enums ----------------------------------------------------------------------
DevStateT = Enum(DevState)
AttrQualityT = Enum(AttrQuality)
AttrWriteTypeT = Enum(AttrWriteType)
AttrDataFormatT = Enum(AttrDataFormat)
DevSourceT = Enum(DevSource)
ErrSeverityT = Enum(ErrSeverity)
DispLevelT = Enum(DispLevel)
AttributeDataTypeT = Enum(AttributeDataType)
PipeWriteTypeT = Enum(PipeWriteType)
LockerLanguageT = Enum(LockerLanguage)
TraceContextFormatT = Enum(TraceContextFormat)

# -- basic typedefs (aliases: they matter for TypeCodes in command anys) ----------
DevBoolean = Alias("DevBoolean", BOOLEAN)
DevShort = Alias("DevShort", SHORT)
DevLong = Alias("DevLong", LONG)
DevFloat = Alias("DevFloat", FLOAT)
DevDouble = Alias("DevDouble", DOUBLE)
DevUShort = Alias("DevUShort", USHORT)
DevULong = Alias("DevULong", ULONG)
DevString = Alias("DevString", STRING)
DevUChar = Alias("DevUChar", OCTET)
DevLong64 = Alias("DevLong64", LONGLONG)
DevULong64 = Alias("DevULong64", ULONGLONG)

DevVarBooleanArray = Alias("DevVarBooleanArray", Seq(BOOLEAN))
DevVarCharArray = Alias("DevVarCharArray", Seq(OCTET))
DevVarShortArray = Alias("DevVarShortArray", Seq(SHORT))
DevVarLongArray = Alias("DevVarLongArray", Seq(LONG))
DevVarLong64Array = Alias("DevVarLong64Array", Seq(LONGLONG))
DevVarFloatArray = Alias("DevVarFloatArray", Seq(FLOAT))
DevVarDoubleArray = Alias("DevVarDoubleArray", Seq(DOUBLE))
DevVarUShortArray = Alias("DevVarUShortArray", Seq(USHORT))
DevVarULongArray = Alias("DevVarULongArray", Seq(ULONG))
DevVarULong64Array = Alias("DevVarULong64Array", Seq(ULONGLONG))
DevVarStringArray = Alias("DevVarStringArray", Seq(STRING))
DevVarStateArray = Alias("DevVarStateArray", Seq(DevStateT))
JavaUUID = Alias("JavaUUID", Arr(ULONGLONG, 2))

# -- data structs ----------------------------------------------------------------
DevVarLongStringArray = Struct(
    "DevVarLongStringArray", [("lvalue", DevVarLongArray), ("svalue", DevVarStringArray)]
)
DevVarDoubleStringArray = Struct(
    "DevVarDoubleStringArray", [("dvalue", DevVarDoubleArray), ("svalue", DevVarStringArray)]
)
DevEncoded = Struct(
    "DevEncoded", [("encoded_format", DevString), ("encoded_data", DevVarCharArray)]
)
DevVarEncodedArray = Alias("DevVarEncodedArray", Seq(DevEncoded))
TimeVal = Struct(
    "TimeVal", [("tv_sec", LONG), ("tv_usec", LONG), ("tv_nsec", LONG)], cls=_TimeValClass
)
AttributeDim = Struct("AttributeDim", [("dim_x", LONG), ("dim_y", LONG)])
EltInArray = Struct("EltInArray", [("start", LONG), ("nb_elt", LONG)])
DevInfoVersion = Struct("DevInfoVersion", [("key", STRING), ("value", STRING)])

# -- client identification --------------------------------------------------------
W3CTraceContextV0 = Struct("W3CTraceContextV0", [("trace_parent", STRING), ("trace_state", STRING)])
TraceContext = Union(
    "TraceContext", TraceContextFormatT, [(TraceContextFormat.W3C_TC_V0, "data", W3CTraceContextV0)]
)
JavaClntIdent = Struct("JavaClntIdent", [("MainClass", STRING), ("uuid", JavaUUID)])
CppClntIdent_6 = Struct("CppClntIdent_6", [("cpp_clnt", ULONG), ("trace_context", TraceContext)])
JavaClntIdent_6 = Struct(
    "JavaClntIdent_6", [("java_clnt", JavaClntIdent), ("trace_context", TraceContext)]
)
ClntIdent = Union(
    "ClntIdent",
    LockerLanguageT,
    [
        (LockerLanguage.CPP, "cpp_clnt", ULONG),
        (LockerLanguage.JAVA, "java_clnt", JavaClntIdent),
        (LockerLanguage.CPP_6, "cpp_clnt_6", CppClntIdent_6),
        (LockerLanguage.JAVA_6, "java_clnt_6", JavaClntIdent_6),
    ],
)

# -- errors -------------------------------------------------------------------------
DevError = Struct(
    "DevError",
    [("reason", STRING), ("severity", ErrSeverityT), ("desc", STRING), ("origin", STRING)],
    cls=_DevErrorClass,
)
DevErrorList = Seq(DevError)
NamedDevError = Struct(
    "NamedDevError", [("name", STRING), ("index_in_call", LONG), ("err_list", DevErrorList)]
)
DevFailed = Struct("DevFailed", [("errors", DevErrorList)], exception=True)
MultiDevFailed = Struct("MultiDevFailed", [("errors", Seq(NamedDevError))], exception=True)

# -- commands -------------------------------------------------------------------------
DevCmdInfo = Struct(
    "DevCmdInfo",
    [
        ("cmd_name", STRING),
        ("cmd_tag", LONG),
        ("in_type", LONG),
        ("out_type", LONG),
        ("in_type_desc", STRING),
        ("out_type_desc", STRING),
    ],
)
DevCmdInfo_2 = Struct(
    "DevCmdInfo_2",
    [
        ("cmd_name", STRING),
        ("level", DispLevelT),
        ("cmd_tag", LONG),
        ("in_type", LONG),
        ("out_type", LONG),
        ("in_type_desc", STRING),
        ("out_type_desc", STRING),
    ],
)
DevCmdHistory = Struct(
    "DevCmdHistory",
    [("time", TimeVal), ("cmd_failed", BOOLEAN), ("value", ANY), ("errors", DevErrorList)],
)
DevCmdHistory_4 = Struct(
    "DevCmdHistory_4",
    [
        ("dates", Seq(TimeVal)),
        ("value", ANY),
        ("dims", Seq(AttributeDim)),
        ("dims_array", Seq(EltInArray)),
        ("errors", Seq(DevErrorList)),
        ("errors_array", Seq(EltInArray)),
        ("cmd_type", LONG),
    ],
)

# -- attribute values -------------------------------------------------------------------
AttributeValue = Struct(
    "AttributeValue",
    [
        ("value", ANY),
        ("quality", AttrQualityT),
        ("time", TimeVal),
        ("name", STRING),
        ("dim_x", LONG),
        ("dim_y", LONG),
    ],
)
AttributeValue_3 = Struct(
    "AttributeValue_3",
    [
        ("value", ANY),
        ("quality", AttrQualityT),
        ("time", TimeVal),
        ("name", STRING),
        ("r_dim", AttributeDim),
        ("w_dim", AttributeDim),
        ("err_list", DevErrorList),
    ],
)
_ADT = AttributeDataType
AttrValUnion = Union(
    "AttrValUnion",
    AttributeDataTypeT,
    [
        (_ADT.ATT_BOOL, "bool_att_value", DevVarBooleanArray),
        (_ADT.ATT_SHORT, "short_att_value", DevVarShortArray),
        (_ADT.ATT_LONG, "long_att_value", DevVarLongArray),
        (_ADT.ATT_LONG64, "long64_att_value", DevVarLong64Array),
        (_ADT.ATT_FLOAT, "float_att_value", DevVarFloatArray),
        (_ADT.ATT_DOUBLE, "double_att_value", DevVarDoubleArray),
        (_ADT.ATT_UCHAR, "uchar_att_value", DevVarCharArray),
        (_ADT.ATT_USHORT, "ushort_att_value", DevVarUShortArray),
        (_ADT.ATT_ULONG, "ulong_att_value", DevVarULongArray),
        (_ADT.ATT_ULONG64, "ulong64_att_value", DevVarULong64Array),
        (_ADT.ATT_STRING, "string_att_value", DevVarStringArray),
        (_ADT.ATT_STATE, "state_att_value", DevVarStateArray),
        (_ADT.DEVICE_STATE, "dev_state_att", DevStateT),
        (_ADT.ATT_ENCODED, "encoded_att_value", DevVarEncodedArray),
        (_ADT.ATT_NO_DATA, "union_no_data", BOOLEAN),
    ],
)
AttributeValue_4 = Struct(
    "AttributeValue_4",
    [
        ("value", AttrValUnion),
        ("quality", AttrQualityT),
        ("data_format", AttrDataFormatT),
        ("time", TimeVal),
        ("name", STRING),
        ("r_dim", AttributeDim),
        ("w_dim", AttributeDim),
        ("err_list", DevErrorList),
    ],
)
AttributeValue_5 = Struct(
    "AttributeValue_5",
    [
        ("value", AttrValUnion),
        ("quality", AttrQualityT),
        ("data_format", AttrDataFormatT),
        ("data_type", LONG),
        ("time", TimeVal),
        ("name", STRING),
        ("r_dim", AttributeDim),
        ("w_dim", AttributeDim),
        ("err_list", DevErrorList),
    ],
)

# -- attribute configuration ---------------------------------------------------------------
_STRINGS_1 = [
    "description",
    "label",
    "unit",
    "standard_unit",
    "display_unit",
    "format",
    "min_value",
    "max_value",
]
_HEAD = [
    ("name", STRING),
    ("writable", AttrWriteTypeT),
    ("data_format", AttrDataFormatT),
    ("data_type", LONG),
]
_DIMS = [("max_dim_x", LONG), ("max_dim_y", LONG)]
StringList = Seq(STRING)

AttributeConfig = Struct(
    "AttributeConfig",
    _HEAD
    + _DIMS
    + [(n, STRING) for n in _STRINGS_1 + ["min_alarm", "max_alarm", "writable_attr_name"]]
    + [("extensions", StringList)],
)
AttributeConfig_2 = Struct(
    "AttributeConfig_2",
    _HEAD
    + _DIMS
    + [(n, STRING) for n in _STRINGS_1 + ["min_alarm", "max_alarm", "writable_attr_name"]]
    + [("level", DispLevelT), ("extensions", StringList)],
)
AttributeAlarm = Struct(
    "AttributeAlarm",
    [
        (n, STRING)
        for n in ("min_alarm", "max_alarm", "min_warning", "max_warning", "delta_t", "delta_val")
    ]
    + [("extensions", StringList)],
)
ChangeEventProp = Struct(
    "ChangeEventProp", [("rel_change", STRING), ("abs_change", STRING), ("extensions", StringList)]
)
PeriodicEventProp = Struct("PeriodicEventProp", [("period", STRING), ("extensions", StringList)])
ArchiveEventProp = Struct(
    "ArchiveEventProp",
    [
        ("rel_change", STRING),
        ("abs_change", STRING),
        ("period", STRING),
        ("extensions", StringList),
    ],
)
EventProperties = Struct(
    "EventProperties",
    [
        ("ch_event", ChangeEventProp),
        ("per_event", PeriodicEventProp),
        ("arch_event", ArchiveEventProp),
    ],
)
AttributeConfig_3 = Struct(
    "AttributeConfig_3",
    _HEAD
    + _DIMS
    + [(n, STRING) for n in _STRINGS_1 + ["writable_attr_name"]]
    + [
        ("level", DispLevelT),
        ("att_alarm", AttributeAlarm),
        ("event_prop", EventProperties),
        ("extensions", StringList),
        ("sys_extensions", StringList),
    ],
)
AttributeConfig_5 = Struct(
    "AttributeConfig_5",
    _HEAD
    + [("memorized", BOOLEAN), ("mem_init", BOOLEAN)]
    + _DIMS
    + [(n, STRING) for n in _STRINGS_1 + ["writable_attr_name"]]
    + [
        ("level", DispLevelT),
        ("root_attr_name", STRING),
        ("enum_labels", StringList),
        ("att_alarm", AttributeAlarm),
        ("event_prop", EventProperties),
        ("extensions", StringList),
        ("sys_extensions", StringList),
    ],
)

# -- history ---------------------------------------------------------------------------------
DevAttrHistory = Struct(
    "DevAttrHistory",
    [("attr_failed", BOOLEAN), ("value", AttributeValue), ("errors", DevErrorList)],
)
DevAttrHistory_3 = Struct(
    "DevAttrHistory_3", [("attr_failed", BOOLEAN), ("value", AttributeValue_3)]
)
_HIST_TAIL = [
    ("dates", Seq(TimeVal)),
    ("value", ANY),
    ("quals", Seq(AttrQualityT)),
    ("quals_array", Seq(EltInArray)),
    ("r_dims", Seq(AttributeDim)),
    ("r_dims_array", Seq(EltInArray)),
    ("w_dims", Seq(AttributeDim)),
    ("w_dims_array", Seq(EltInArray)),
    ("errors", Seq(DevErrorList)),
    ("errors_array", Seq(EltInArray)),
]
DevAttrHistory_4 = Struct("DevAttrHistory_4", [("name", STRING)] + _HIST_TAIL)
DevAttrHistory_5 = Struct(
    "DevAttrHistory_5",
    [("name", STRING), ("data_format", AttrDataFormatT), ("data_type", LONG)] + _HIST_TAIL,
)

# -- pipes -------------------------------------------------------------------------------------
PipeConfig = Struct(
    "PipeConfig",
    [
        ("name", STRING),
        ("description", STRING),
        ("label", STRING),
        ("level", DispLevelT),
        ("writable", PipeWriteTypeT),
        ("extensions", StringList),
    ],
)

# -- events / info ---------------------------------------------------------------------------------
AttDataReady = Struct("AttDataReady", [("name", STRING), ("data_type", LONG), ("ctr", LONG)])
DevIntrChange = Struct(
    "DevIntrChange",
    [("dev_started", BOOLEAN), ("cmds", Seq(DevCmdInfo_2)), ("atts", Seq(AttributeConfig_5))],
)
_INFO = [
    ("dev_class", STRING),
    ("server_id", STRING),
    ("server_host", STRING),
    ("server_version", LONG),
    ("doc_url", STRING),
]
DevInfo = Struct("DevInfo", _INFO)
DevInfo_3 = Struct("DevInfo_3", _INFO + [("dev_type", STRING)])
DevInfo_6 = Struct(
    "DevInfo_6", _INFO + [("dev_type", STRING), ("version_info", Seq(DevInfoVersion))]
)
ZmqCallInfo = Struct(
    "ZmqCallInfo",
    [
        ("version", LONG),
        ("ctr", ULONG),
        ("method_name", STRING),
        ("oid", Seq(OCTET)),
        ("call_is_except", BOOLEAN),
    ],
)

# -- operations ------------------------------------------------------------------------------------
_NAMES = ("names", StringList)
_SOURCE = ("source", DevSourceT)
_CLIENT = ("cl_ident", ClntIdent)
_OPERATIONS = [
    # Device (IDL 1)
    Operation("_get_name", result=STRING),
    Operation("_get_description", result=STRING),
    Operation("_get_state", result=DevStateT),
    Operation("_get_status", result=STRING),
    Operation("_get_adm_name", result=STRING),
    Operation("command_inout", [("command", STRING), ("argin", ANY)], ANY),
    Operation("get_attribute_config", [_NAMES], Seq(AttributeConfig)),
    Operation("set_attribute_config", [("new_conf", Seq(AttributeConfig))]),
    Operation("read_attributes", [_NAMES], Seq(AttributeValue)),
    Operation("write_attributes", [("values", Seq(AttributeValue))]),
    Operation("ping"),
    Operation("black_box", [("n", LONG)], StringList),
    Operation("info", result=DevInfo),
    Operation("command_list_query", result=Seq(DevCmdInfo)),
    Operation("command_query", [("command", STRING)], DevCmdInfo),
    # Device_2
    Operation("command_inout_2", [("command", STRING), ("argin", ANY), _SOURCE], ANY),
    Operation("read_attributes_2", [_NAMES, _SOURCE], Seq(AttributeValue)),
    Operation("get_attribute_config_2", [_NAMES], Seq(AttributeConfig_2)),
    Operation("command_list_query_2", result=Seq(DevCmdInfo_2)),
    Operation("command_query_2", [("command", STRING)], DevCmdInfo_2),
    Operation("command_inout_history_2", [("command", STRING), ("n", LONG)], Seq(DevCmdHistory)),
    Operation("read_attribute_history_2", [("name", STRING), ("n", LONG)], Seq(DevAttrHistory)),
    # Device_3
    Operation("read_attributes_3", [_NAMES, _SOURCE], Seq(AttributeValue_3)),
    Operation("write_attributes_3", [("values", Seq(AttributeValue))]),
    Operation("read_attribute_history_3", [("name", STRING), ("n", LONG)], Seq(DevAttrHistory_3)),
    Operation("info_3", result=DevInfo_3),
    Operation("get_attribute_config_3", [_NAMES], Seq(AttributeConfig_3)),
    Operation("set_attribute_config_3", [("new_conf", Seq(AttributeConfig_3))]),
    # Device_4
    Operation("read_attribute_history_4", [("name", STRING), ("n", LONG)], DevAttrHistory_4),
    Operation("command_inout_history_4", [("command", STRING), ("n", LONG)], DevCmdHistory_4),
    Operation("command_inout_4", [("command", STRING), ("argin", ANY), _SOURCE, _CLIENT], ANY),
    Operation("read_attributes_4", [_NAMES, _SOURCE, _CLIENT], Seq(AttributeValue_4)),
    Operation("write_attributes_4", [("values", Seq(AttributeValue_4)), _CLIENT]),
    Operation("set_attribute_config_4", [("new_conf", Seq(AttributeConfig_3)), _CLIENT]),
    Operation(
        "write_read_attributes_4",
        [("values", Seq(AttributeValue_4)), _CLIENT],
        Seq(AttributeValue_4),
    ),
    # Device_5
    Operation("get_attribute_config_5", [_NAMES], Seq(AttributeConfig_5)),
    Operation("set_attribute_config_5", [("new_conf", Seq(AttributeConfig_5)), _CLIENT]),
    Operation("read_attributes_5", [_NAMES, _SOURCE, _CLIENT], Seq(AttributeValue_5)),
    Operation(
        "write_read_attributes_5",
        [("values", Seq(AttributeValue_4)), ("r_names", StringList), _CLIENT],
        Seq(AttributeValue_5),
    ),
    Operation("read_attribute_history_5", [("name", STRING), ("n", LONG)], DevAttrHistory_5),
    Operation("get_pipe_config_5", [_NAMES], Seq(PipeConfig)),
    # Device_6
    Operation("info_6", result=DevInfo_6),
    # CORBA pseudo operations
    Operation("_is_a", [("logical_type_id", STRING)], BOOLEAN),
    Operation("_non_existent", result=BOOLEAN),
]

#: GIOP operation name -> :class:`Operation`
OPERATIONS: dict[str, Operation] = {op.name: op for op in _OPERATIONS}
OPERATIONS["_not_existent"] = Operation("_not_existent", result=BOOLEAN)

#: Repository ids of the device interfaces, newest first.
DEVICE_REPO_IDS = tuple(
    f"IDL:Tango/Device{suffix}:1.0" for suffix in ("_6", "_5", "_4", "_3", "_2", "")
)
DEVFAILED_ID = DevFailed.repo_id
MULTIDEVFAILED_ID = MultiDevFailed.repo_id
