"""Tests of the drop-in `tango` package (compat/), run in a virtual environment of their own."""
