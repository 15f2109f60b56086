"""An exact integer-money columnar fast path for market-order runs, with or without a bracket (a
stop and/or a target per signal; the subset is listed in ``eligibility``); tests prove its
results identical (by repr) to the event kernel's, which stays the reference and runs everything
else."""

from paperdesk.engine.fastpath.eligibility import FastPathUnsupportedError, is_eligible
from paperdesk.engine.fastpath.materialise import run_fast_path

__all__ = ["FastPathUnsupportedError", "is_eligible", "run_fast_path"]
