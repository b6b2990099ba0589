"""The runner's heap in huge pages: forks stay cheap, and a sandbox still copies small pages."""

from __future__ import annotations

import array
import ctypes
import mmap
import os
import sys

import pytest

from deepdive.sandbox import huge_pages
from deepdive.sandbox.hot_pages import PAGE

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

SIZE = 8 * 1024 * 1024


def _filled_mapping() -> tuple[mmap.mmap, int]:
    region = mmap.mmap(-1, SIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for offset in range(0, SIZE, PAGE):
        region[offset : offset + 8] = offset.to_bytes(8, "little")
    view = ctypes.c_char.from_buffer(region)
    address = ctypes.addressof(view)
    del view
    return region, address


def _huge_kib(address: int) -> int:
    """AnonHugePages of the mapping that holds `address`, in KiB."""
    inside = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            first = line.split()[0]
            if "-" in first and ":" not in first:
                start, end = (int(value, 16) for value in first.split("-"))
                inside = start <= address < end
            elif inside and first == "AnonHugePages:":
                return int(line.split()[1])
    return 0


def _exclusive(address: int) -> bool:
    with open("/proc/self/pagemap", "rb") as pagemap:
        pagemap.seek(address // PAGE * 8)
        (entry,) = array.array("Q", pagemap.read(8))
    return bool(entry >> 63 & 1 and entry >> 56 & 1)


def _collapsed_mapping() -> tuple[mmap.mmap, int]:
    region, address = _filled_mapping()
    # No time budget here: a long test session's heap can take more than the runner's second.
    if huge_pages.collapse_heap(budget_seconds=120) == 0 or _huge_kib(address) == 0:
        pytest.skip("this kernel does not collapse memory into huge pages (Linux 6.1+, THP)")
    return region, address


def test_collapsing_keeps_every_byte_and_backs_the_heap_with_huge_pages() -> None:
    region, address = _collapsed_mapping()
    assert _huge_kib(address) >= 2048
    for offset in range(0, SIZE, PAGE):
        assert int.from_bytes(region[offset : offset + 8], "little") == offset


def test_a_fork_that_writes_into_a_huge_page_copies_only_the_small_page_it_wrote() -> None:
    region, address = _collapsed_mapping()
    first = -(-address // huge_pages.HUGE_PAGE) * huge_pages.HUGE_PAGE
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # shares the huge pages until it writes
        try:
            target = first + 7 * PAGE
            ctypes.c_char.from_address(target).value = b"!"
            owned = bytes(_exclusive(first + n * PAGE) for n in range(16))
            os.write(writable, owned)
        finally:
            os._exit(0)
    os.close(writable)
    owned = os.read(readable, 64)
    os.close(readable)
    os.waitpid(pid, 0)
    assert list(owned) == [0] * 7 + [1] + [0] * 8
    assert region[first - address + 7 * PAGE : first - address + 7 * PAGE + 1] != b"!"


def test_collapsing_stops_when_its_time_is_up() -> None:
    _region, _address = _filled_mapping()
    assert huge_pages.collapse_heap(budget_seconds=0) == 0
