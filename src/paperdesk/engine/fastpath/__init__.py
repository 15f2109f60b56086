"""An exact integer-money columnar fast path for simple market-order runs; tests prove its results
identical (by repr) to the event kernel's, which stays the reference and runs everything else."""

from paperdesk.engine.fastpath.eligibility import FastPathUnsupportedError, is_eligible
from paperdesk.engine.fastpath.materialise import run_fast_path

__all__ = ["FastPathUnsupportedError", "is_eligible", "run_fast_path"]
