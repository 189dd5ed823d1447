"""Our client reads every attribute of the C++ TangoTest exactly as PyTango does: value and
set point (type, dtype, shape), nb_read/nb_written, dims, quality, type, format. A
never-written read-write IMAGE attribute has a set point of one element with w_dim (1, 0):
PyTango gives an empty array of shape (0, 1) and nb_written 1."""

from __future__ import annotations

from .conftest import probe


def test_all_attributes_read_as_pytango_reads_them(cpp_tangotest: str) -> None:
    ours = probe(cpp_tangotest, "puretango", "read")
    theirs = probe(cpp_tangotest, "tango", "read")
    assert len(theirs) == 62
    # the two attributes TangoTest makes fail on purpose
    assert sorted(name for name, rep in theirs.items() if "error" in rep) == [
        "no_value",
        "throw_exception",
    ]
    differing = {
        name: (ours.get(name), rep) for name, rep in theirs.items() if ours.get(name) != rep
    }
    assert differing == {}
    image = ours["double_image"]
    assert image["w_value"] == {"dtype": "float64", "shape": [0, 1], "items": []}
    assert (image["nb_written"], image["dims"][2:]) == (1, [1, 0])
