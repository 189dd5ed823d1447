"""The device server's operation table: one Handler record per GIOP operation, flags on it."""

from __future__ import annotations

from puretango.idl import OPERATIONS
from puretango.server._handlers import HANDLERS

#: the writes whose IDL operation raises MultiDevFailed
WRITES = {
    "write_attributes_3",
    "write_attributes_4",
    "write_read_attributes_4",
    "write_read_attributes_5",
}


def test_every_record_is_an_idl_operation() -> None:
    for name, handler in HANDLERS.items():
        assert handler.name == name
        assert handler.operation is OPERATIONS[name]


def test_operations_without_a_handler_have_no_record() -> None:
    assert "read_attributes" not in HANDLERS
    assert "read_attributes_2" not in HANDLERS


def test_multi_errors_only_on_writes_that_run_user_code() -> None:
    assert {name for name, h in HANDLERS.items() if h.multi_errors} == WRITES
    assert all(HANDLERS[name].runs_user_code for name in WRITES)


def test_client_ident_flag_follows_the_signature() -> None:
    for handler in HANDLERS.values():
        params = handler.operation.params
        assert handler.takes_client_ident == bool(params and params[-1][0] == "cl_ident")


def test_black_box_names() -> None:
    assert HANDLERS["read_attributes_5"].black_box_name == "read_attributes_5"
    assert HANDLERS["_get_state"].black_box_name == "Attribute state"
    assert HANDLERS["_is_a"].black_box_name is None
