"""puretango all the way: the ``Heater`` of ``tests/server/db_heater.py`` started with the
Database (``python pure_db_server.py INSTANCE`` with ``TANGO_HOST`` set), which it reaches
through puretango's own client (``puretango.Database().command_inout``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.db_heater import Heater  # noqa: E402

from puretango import Database  # noqa: E402
from puretango.server import CommandDatabase, run, set_database_factory  # noqa: E402

if __name__ == "__main__":
    set_database_factory(lambda: CommandDatabase(Database().command_inout))
    run((Heater,))
