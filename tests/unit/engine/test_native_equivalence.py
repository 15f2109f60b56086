"""The compiled kernel (mypyc, ``paperdesk/native.py``) gives the interpreted kernel's results,
every field by repr, on runs through brackets, fees, slippage, fills at the close, a volume cap,
caps, holding and daily loss limits, pyramiding and a cooldown; and under ``CI=true`` the suite
runs on the compiled build (``./scripts/bootstrap`` makes it), so every other test proves it
too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from native_digest import digests

from paperdesk import native

HERE = Path(__file__).parent


def _interpreted_digests() -> dict[str, list[object]]:
    environment = {**os.environ, native.SWITCH_VARIABLE: "0"}
    completed = subprocess.run(
        [sys.executable, str(HERE / "native_digest.py")],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    answer = json.loads(completed.stdout)
    assert answer["compiled"] is False  # the switch turned the build off in that process
    return dict(answer["digests"])


def test_ci_runs_the_compiled_build() -> None:
    """What users run is what the suite proves: under CI the kernel in this process is the
    compiled one (``./scripts/bootstrap`` compiles it; CI has a C compiler)."""
    state = native.status()
    if os.environ.get("CI") != "true" and not state.compiled:
        pytest.skip(f"the compiled kernel is not in use here: {state.reason}")
    assert state.compiled, state.reason
    import paperdesk.engine.kernel as kernel

    assert native.loaded_compiled()
    assert str(kernel.__file__).startswith(str(native.BUILD_DIRECTORY))


def test_the_compiled_kernel_gives_the_interpreted_kernels_results() -> None:
    state = native.status()
    if not state.compiled:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the compiled kernel: {state.reason}")
        pytest.skip(f"no compiled kernel to compare: {state.reason}")
    import paperdesk.engine.kernel  # noqa: F401 - loaded here, compiled

    assert native.loaded_compiled()
    compiled = {name: list(value) for name, value in digests().items()}
    interpreted = _interpreted_digests()
    assert all(fills > 100 for _, fills in compiled.values()), compiled  # every run trades
    assert compiled == interpreted
