"""The fast path's safety valve: raised when a run needs what it does not reproduce exactly, so
the event kernel (the reference, to which tests prove the fast path identical) runs it instead."""


class FastPathUnsupportedError(Exception):
    """The run met something the fast path does not reproduce; the event kernel must run it."""
