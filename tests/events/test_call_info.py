"""The one-step ZmqCallInfo encoder of the frames codec (used on every event) against the
IDL declaration's encoding."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from puretango.events import encode_call_info, encode_call_info_idl


@given(st.integers(min_value=0, max_value=2**32 - 1), st.booleans(), st.booleans())
def test_packed_call_info_is_the_idl_encoding(ctr: int, is_error: bool, little: bool) -> None:
    """The one-step ZmqCallInfo of the frames codec (used on every event) is the IDL's."""
    assert encode_call_info(ctr, is_error, little=little) == encode_call_info_idl(
        ctr, is_error, little=little
    )
