"""One measured side in a fresh process: its seconds, its facts, its peak resident memory.

A side is either a worker (``bench_peers.py --worker KEY``: the process times its own work and
writes a JSON sample to ``--output``) or a whole command (``paperdesk data import``: the
process's wall time is the measure). Either way it is started by a tiny launcher (a bare
``python -S`` that forks, execs the side and waits with ``os.wait4``), whose resource usage of
that one child gives ``ru_maxrss``: the peak resident memory of that run alone, numpy's and
pandas' C allocations included, which ``tracemalloc`` does not see. The launcher is there
because Linux carries the resident size a process had when it forked into its child's peak
(``exec`` keeps it): forked straight from this benchmark, every side would report at least the
parent's own memory; forked from the launcher, at most its few megabytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from peers.figures import Fact, Sample

BENCHMARK = Path(__file__).resolve().parent.parent / "bench_peers.py"


class SideFailedError(RuntimeError):
    """A measured process exited with an error (its output is in the message)."""


def kilobytes_to_megabytes(kilobytes: int) -> float:
    return kilobytes / 1024  # Linux reports ru_maxrss in KiB


LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
child = os.fork()
if child == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(child, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as report:
    json.dump({"seconds": seconds, "maxrss": usage.ru_maxrss}, report)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(
    command: Sequence[str], environment: Mapping[str, str] | None = None
) -> tuple[float, float, str]:
    """Run ``command`` under the launcher; (its wall seconds, its peak resident MB, its
    output)."""
    with tempfile.TemporaryDirectory(prefix="paperdesk-launch-") as folder:
        report = Path(folder) / "usage.json"
        process = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(report), *command],
            env=dict(environment) if environment is not None else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        output = process.stdout.decode(errors="replace")
        if process.returncode != 0 or not report.exists():
            raise SideFailedError(
                f"{' '.join(command)} exited {process.returncode}:\n{output[-3000:]}"
            )
        usage = json.loads(report.read_text())
    return usage["seconds"], kilobytes_to_megabytes(usage["maxrss"]), output


def run_worker(key: str, size: int, work: Path, arguments: Sequence[str] = ()) -> Sample:
    """``bench_peers.py --worker KEY`` in a fresh interpreter; its sample, with its peak."""
    output = work / f"sample-{key}-{time.monotonic_ns()}.json"
    command = [sys.executable, "-W", "ignore", str(BENCHMARK), "--worker", key]
    command += ["--size", str(size), "--work", str(work), "--output", str(output), *arguments]
    _, peak, _ = run_process(command)
    written = json.loads(output.read_text())
    output.unlink()
    return Sample(seconds=written["seconds"], peak_megabytes=peak, facts=written["facts"])


def run_command(command: Sequence[str], environment: Mapping[str, str]) -> Sample:
    """A whole command as one side: its wall time and peak."""
    seconds, peak, _ = run_process(command, environment)
    return Sample(seconds=seconds, peak_megabytes=peak)


def write_sample(path: Path, seconds: float, facts: Mapping[str, Fact]) -> None:
    """What a worker hands back (its peak is measured by the parent)."""
    path.write_text(json.dumps({"seconds": seconds, "facts": dict(facts)}))
