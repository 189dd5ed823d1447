"""Import benchmark: ``import tango`` through puretango's drop-in against real PyTango.

The drop-in (``compat/``) and PyTango cannot share an environment (the drop-in refuses to
sit beside PyTango), so one run uses two interpreters:

* PyTango: this interpreter (the project's venv, where PyTango is installed as our
  reference peer);
* puretango: a venv of its own (``.venv-bench-dropin/`` at the repository root, made on
  the first run: puretango editable and the drop-in, no PyTango).

Measured, alternating the two in every round, each in a fresh interpreter:

* wall time of ``python -c "import tango"`` minus ``python -c "pass"`` of the same
  interpreter (median);
* RSS after ``import tango`` (VmRSS, median), and the same for the three modules a green
  program adds (``tango.gevent``/``tango.futures``/``tango.asyncio``... imported all);
* the growth of RSS by the import (RSS after minus a bare interpreter's).

Target (issue 10): drop-in <= 0.5x PyTango on ``import tango`` time and RSS (the green
row, which also loads ``tango.server``, is for information).

Usage: ``python bench/bench_import.py`` (~1 min) or ``--quick``. Results are printed and
prepended to ``bench/RESULTS.md`` (``--no-results`` to skip).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

from _common import (
    IMPLS,
    REPO_ROOT,
    Results,
    RunClock,
    add_results_args,
    choose_size,
    machine_info,
    make_parser,
    publish,
    round_order,
)

DROPIN_VENV = REPO_ROOT / ".venv-bench-dropin"
FULL = {"samples": 21}
QUICK = {"samples": 5}
TARGET = ("<=", 0.5)
#: prints the RSS (KiB) of this interpreter after running the code before it
RSS_SNIPPET = (
    "import re; print(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
)
PLAIN = "import tango"
GREEN = "import tango, tango.gevent, tango.futures, tango.asyncio, tango.server"


def dropin_python() -> Path:
    """The drop-in's interpreter, making its venv on first use."""
    python = DROPIN_VENV / "bin" / "python"
    ready = DROPIN_VENV / ".ready"
    if not ready.exists():
        print(f"creating {DROPIN_VENV} (puretango + drop-in, no PyTango) ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(DROPIN_VENV)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-e", str(REPO_ROOT), "gevent"],
            check=True,
            env=_env(),
        )
        ready.touch()
    # the drop-in is a real install: refresh it from this checkout on every run
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps"]
        + [str(REPO_ROOT / "compat")],
        check=True,
        env=_env(),
    )
    return python


def _env() -> dict[str, str]:
    """The children's environment: no PYTHONPATH, no Tango database, and byte-code caching
    on (``PYTHONDONTWRITEBYTECODE`` would make every import compile its sources, which no
    installed program does)."""
    dropped = ("PYTHONPATH", "VIRTUAL_ENV", "TANGO_HOST", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if k not in dropped}


def run_code(python: Path | str, code: str) -> tuple[float, int]:
    """Wall seconds of ``python -c code`` and the RSS (KiB) it printed at its end."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(python), "-c", f"{code}\n{RSS_SNIPPET}"],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
        cwd="/",
        stdin=subprocess.DEVNULL,
    )
    return time.perf_counter() - started, int(done.stdout.split()[-1])


def check_interpreters(pythons: dict[str, Path | str]) -> None:
    """Refuse to measure the wrong thing: each interpreter's ``tango`` must be what its
    label says."""
    probe = "import tango; print(hasattr(tango, 'puretango_version'))"
    for label, python in pythons.items():
        out = subprocess.run(
            [str(python), "-c", probe], check=True, capture_output=True, text=True, env=_env()
        )
        is_dropin = out.stdout.strip() == "True"
        if is_dropin != (label == "puretango"):
            raise SystemExit(f"{python}: 'import tango' is not {label}")


def main() -> int:
    parser = make_parser(__doc__)
    parser.add_argument("--samples", type=int, help="fresh interpreters per case")
    add_results_args(parser)
    args = parser.parse_args()
    size = choose_size(args, FULL, QUICK, ("samples",))
    clock = RunClock()
    pythons: dict[str, Path | str] = {"puretango": dropin_python(), "PyTango": sys.executable}
    check_interpreters(pythons)
    cases = {"bare": "pass", "plain": PLAIN, "green": GREEN}
    samples = {label: {case: {"wall": [], "rss": []} for case in cases} for label in IMPLS}  # type: dict[str, dict[str, dict[str, list[float]]]]
    for label in IMPLS:  # warm the page cache and write missing .pyc files
        run_code(pythons[label], GREEN)
    n = size["samples"]
    print(f"import: {n} fresh interpreters per case per implementation", flush=True)
    for i in range(n):
        for label in round_order(i):
            for case, code in cases.items():
                wall, rss = run_code(pythons[label], code)
                samples[label][case]["wall"].append(wall)
                samples[label][case]["rss"].append(rss)

    def median(label: str, case: str, what: str) -> float:
        return statistics.median(samples[label][case][what])

    res = Results()
    for case, title in (("plain", "import tango"), ("green", "import tango + green modules")):
        target = TARGET if case == "plain" else None  # the target: plain import
        res.add_each(
            f"{title}: time (minus bare interpreter)",
            "ms",
            lambda lb, c=case: (median(lb, c, "wall") - median(lb, "bare", "wall")) * 1e3,
            target=target,
        )
        res.add_each(
            f"{title}: RSS of the process",
            "MiB",
            lambda lb, c=case: median(lb, c, "rss") / 1024,
            target=target,
        )
        res.add_each(
            f"{title}: RSS growth by the import",
            "MiB",
            lambda lb, c=case: (median(lb, c, "rss") - median(lb, "bare", "rss")) / 1024,
        )
    versions = {
        label: json.loads(
            subprocess.run(
                [
                    str(python),
                    "-c",
                    "import json, tango, sys; print(json.dumps("
                    "[tango.__version__, getattr(tango, 'puretango_version', None), sys.version]))",
                ],
                check=True,
                capture_output=True,
                text=True,
                env=_env(),
            ).stdout
        )
        for label, python in pythons.items()
    }
    notes = [
        f"{n} fresh interpreters per case and implementation, alternating; medians.",
        f"puretango: drop-in `tango` {versions['puretango'][0]} on puretango "
        f"{versions['puretango'][1]} ({pythons['puretango']}); PyTango: "
        f"{versions['PyTango'][0]} ({pythons['PyTango']}).",
        "RSS = VmRSS read by the process itself at the end of the import.",
        f"Run took {clock.elapsed():.0f} s{' (--quick)' if args.quick else ''}.",
    ]
    publish(args, clock, "import tango (drop-in)", machine_info(), res.table(), notes, [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
