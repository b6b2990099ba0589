"""The warm runner's heap gathered into huge pages before it forks any sandbox.

Every sandbox is a fork of the warm runner (through its zygote, see `zygote`), and a fork costs
in proportion to the pages it shares: the kernel copies one page-table entry per 4 KiB page into
the child, and the child drops them all again when it exits. The runner's heap holds some 80 MiB,
near 20,000 small pages. Gathered into 2 MiB pages (`MADV_COLLAPSE`, Linux 6.1), the same memory
takes one entry per huge page, and where a huge page's mapping has been split into small entries
again, the kernel still copies and drops the entries of one huge page in a batch.
`bench/huge_pages.py` measures a bare fork and exit of a warm runner-like process at 3.2-3.8 ms
of CPU with small pages and 2.0-2.1 ms with huge pages.

A sandbox still copies only what it writes: the first write into a huge page it shares splits
that page's mapping (in the sandbox alone) and copies the one 4 KiB page, charged to the
sandbox's cgroup as before. Collapsing moves memory but changes nothing in it, nor anything about
isolation. Where the kernel cannot collapse (an older kernel, transparent huge pages turned off),
nothing happens and forks cost what they did.
"""

from __future__ import annotations

import time

from deepdive.sandbox import hot_pages
from deepdive.sandbox.isolation import libc

HUGE_PAGE = 2 * 1024 * 1024


def collapse_heap(budget_seconds: float = 1.0) -> int:
    """Collapse every 2 MiB-aligned stretch of this process's heap and private, anonymous,
    read-write mappings into huge pages; returns how many bytes the kernel collapsed (0 where
    it cannot). File mappings and the main thread's stack stay as they are.

    It takes about 0.15 s for 50 MiB. Where memory is fragmented, the kernel compacts it to
    find each huge page: after `budget_seconds` the rest stays as it is."""
    collapsed, deadline = 0, time.monotonic() + budget_seconds
    for start, end in _anonymous_mappings():
        first = -(-start // HUGE_PAGE) * HUGE_PAGE
        last = end // HUGE_PAGE * HUGE_PAGE
        # Each huge page on its own: one the kernel refuses (it could not allocate one, or the
        # stretch holds pages it cannot move) leaves the others collapsed.
        for address in range(first, last, HUGE_PAGE):
            if time.monotonic() > deadline:
                return collapsed
            if libc.madvise_unchecked(address, HUGE_PAGE, libc.MADV_COLLAPSE) == 0:
                collapsed += HUGE_PAGE
    return collapsed


def _anonymous_mappings() -> list[tuple[int, int]]:
    """(start, end) of every private, anonymous, read-write mapping, and of the heap."""
    return [
        (start, end)
        for start, end, permissions, name in hot_pages.mappings()
        if permissions == "rw-p" and name in ("", "[heap]")
    ]
