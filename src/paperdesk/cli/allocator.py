"""Memory settings of a one-shot command that streams a large file (``paperdesk data import``):
the C allocator's thresholds, and the cycle collector paused while the command runs.

glibc's ``malloc`` hands a block of more than its mmap threshold (128 KiB at first, raised to
the size of such a block when one is freed) straight to the kernel and back again on ``free``,
and gives the free memory at the top of its heap back whenever more than twice that threshold
is free. A CSV import allocates and frees arrays of a megabyte or more for every block of lines
it scans and every chunk pandas parses, so most of that memory is returned and then asked for
again: each page touched anew is a page fault (about 20,000 of them, 80 MB, for a file of 1M
rows, some 0.05-0.1 s of the kernel's time here). Fixed thresholds (blocks under 8 MiB from
the heap; the heap trimmed only when 32 MiB at its top are free) keep that memory in the
process for the next block: the same bytes are computed, only fewer pages are faulted in.

Only for a command that ends when its work does: a long-lived process (the server, the worker)
keeps glibc's own adaptive thresholds. Elsewhere than glibc (no ``mallopt``) nothing changes.

The cycle collector, left running, walks the objects of the modules the command imports as they
pile up (about 300 collections, two of them full, 0.05-0.1 s of CPU for an import); the import's
own work makes arrays, not reference cycles. Paused for the command only
(``paperdesk.collector.collector_paused``), so a process that runs it among other work (a
test) has its collector back afterwards.
"""

from __future__ import annotations

import ctypes

M_TRIM_THRESHOLD = -1  # glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
HEAP_BLOCKS_UNDER = 8 << 20  # bytes: blocks smaller than this come from the heap
TRIM_ABOVE = 32 << 20  # bytes free at the heap's top before any is given back


def keep_freed_memory() -> bool:
    """Fix glibc's mmap and trim thresholds for this process (see the module); whether the
    allocator took both (False where there is no ``mallopt``)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS_UNDER)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_ABOVE)
    )
