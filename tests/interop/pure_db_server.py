"""puretango all the way: the ``Heater`` of ``tests/server/db_heater.py`` started with the
Database (``python pure_db_server.py INSTANCE`` with ``TANGO_HOST`` set), as a PyTango user
starts a server: nothing registered by hand, the server reaches the Database through
puretango's own client (the wiring ``import puretango`` sets up)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.db_heater import Heater  # noqa: E402

from puretango.server import run  # noqa: E402

if __name__ == "__main__":
    run((Heater,))
