"""One measured side in a fresh process: its seconds, its facts, its peak resident memory.

A side is either a worker (``bench_peers.py --worker KEY``: the process times its own work and
writes a JSON sample to ``--output``) or a whole command (``paperdesk data import``: the
process's wall time is the measure). Either way the parent waits with ``os.wait4``, whose
resource usage is that one child's (with its own children), so ``ru_maxrss`` is the peak
resident memory of that run alone: numpy's and pandas' C allocations included, which
``tracemalloc`` does not see.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from peers.figures import Fact, Sample

BENCHMARK = Path(__file__).resolve().parent.parent / "bench_peers.py"


class SideFailedError(RuntimeError):
    """A measured process exited with an error (its output is in the message)."""


def kilobytes_to_megabytes(kilobytes: int) -> float:
    return kilobytes / 1024  # Linux reports ru_maxrss in KiB


def run_process(
    command: Sequence[str], environment: Mapping[str, str] | None = None
) -> tuple[float, float, str]:
    """Run ``command``; (wall seconds, peak resident MB, its output when it failed)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        env=dict(environment) if environment is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SideFailedError(f"{' '.join(command)} exited {process.returncode}:\n{output[-3000:]}")
    return seconds, kilobytes_to_megabytes(usage.ru_maxrss), output


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


def own_peak_megabytes() -> float:
    return kilobytes_to_megabytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
