"""Times ``puretango db import`` and ``db export`` at a site's size: a Database of N devices
with P properties each (one value per property, written through our SQLite store, so every
property also has its history row), imported into a fresh MariaDB Tango database (made as
Debian's tango-db makes it, on the cpp-tango peer's MariaDB) and exported back into a new
file; then the same dry runs (no change found). Run from the repository root:

    python bench/bench_transfer.py [--devices 1000] [--properties 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from peers.mariadb import mariadb_available, tango_database  # noqa: E402

from puretango.databaseds._sqlite import SqliteStore  # noqa: E402
from puretango.databaseds._transfer import transfer  # noqa: E402


def populate(path: Path, devices: int, properties: int) -> None:
    store = SqliteStore(path)
    per_server = 20
    for first in range(0, devices, per_server):
        server = f"Bench/{first // per_server}"
        names = [f"bench/dev/{n}" for n in range(first, min(first + per_server, devices))]
        store.add_server(server, [(name, "BenchDev") for name in names])
        for name in names:
            props = {f"prop{i}": [f"value {i} of {name}"] for i in range(properties)}
            store.put_properties("device", name, props)
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--properties", type=int, default=10)
    args = parser.parse_args()
    reason = mariadb_available()
    if reason:
        print(f"no MariaDB: {reason}")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        laptop, back = Path(folder) / "laptop.db", Path(folder) / "back.db"
        populate(laptop, args.devices, args.properties)
        with tango_database("ptbench") as config:
            url = config.url(with_password=True)
            for label, source, target, dry in [
                ("import (SQLite -> MariaDB)", str(laptop), url, False),
                ("import dry run, no change", str(laptop), url, True),
                ("export (MariaDB -> new SQLite)", url, str(back), False),
                ("export dry run, no change", url, str(back), True),
            ]:
                started = time.perf_counter()
                report = transfer(source, target, dry_run=dry)
                seconds = time.perf_counter() - started
                rows = sum(t.source_rows for t in report.tables)
                print(
                    f"{label:<32} {rows:>7} rows  +{report.added:<7} -{report.removed:<5}"
                    f" {seconds:6.2f} s"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
